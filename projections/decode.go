package projections

import (
	"fmt"
	"strconv"

	"github.com/fairtrail/fairtrail/domain"
)

// decodeStored decodes the data of a stored event. Stored events were validated and canonically encoded when
// they were appended, so a replay skips validation and uses goccy/go-json (unmarshalStored), about three times
// faster than encoding/json on these events (a rebuild's main cost); a rates table as the domain encodes it is
// read by decodeStoredRates.
func decodeStored(typ string, data []byte) (domain.Event, error) {
	if typ == domain.TypeExchangeRatesPublished {
		if e, ok := decodeStoredRates(data); ok {
			return e, nil
		}
	}
	e := domain.NewEvent(typ)
	if e == nil {
		return nil, fmt.Errorf("unknown event type %s", strconv.Quote(typ))
	}
	if err := unmarshalStored(data, e); err != nil {
		return nil, fmt.Errorf("decode %s data: %w", typ, err)
	}
	return e, nil
}
