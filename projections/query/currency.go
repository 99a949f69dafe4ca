package query

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// Reporting returns what converts money into currency for a query under filter (judged at the filter's clock,
// now without one); an error wrapping projections.ErrCurrency for a code that is not ISO 4217 upper case.
func (r Reader) Reporting(ctx context.Context, currency string, filter projections.Filter, now time.Time) (projections.Reporting, error) {
	return r.Model.Reporting(ctx, currency, filter, filter.Clock(now))
}

// ConvertFlag adds to a listed flag's JSON its money in the reporting currency, as a "converted" object after
// the flag's own fields (whose bytes stay as they were); a flag without money is returned as it is.
func ConvertFlag(text string, rep projections.Reporting) (string, error) {
	f, err := DecodeFlag(text)
	if err != nil {
		return "", err
	}
	fm := rep.Flag(f)
	if fm == nil {
		return text, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fm); err != nil {
		return "", fmt.Errorf("encode the converted money of flag %s: %w", f.Code, err)
	}
	body, ok := strings.CutSuffix(text, "}")
	if !ok {
		return "", fmt.Errorf("listed flag %s: not a JSON object", f.Code)
	}
	return body + `,"converted":` + strings.TrimSuffix(buf.String(), "\n") + "}", nil
}
