package query

import (
	"encoding/json"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// DecodeFlag reads back a flag listed by Reader.Flags. Its details are domain.RawDetails holding their JSON as
// listed, so that encoding them again gives the same bytes.
func DecodeFlag(text string) (domain.Flag, error) {
	var f domain.Flag
	if err := json.Unmarshal([]byte(text), &f); err != nil {
		return domain.Flag{}, fmt.Errorf("read listed flag: %w", err)
	}
	return f, nil
}
