package query

import (
	"encoding/json"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// DecodeFlag reads back a flag listed by Reader.Flags. Its details hold their JSON as listed
// (json.RawMessage values), so that encoding them again gives the same bytes.
func DecodeFlag(text string) (domain.Flag, error) {
	var raw struct {
		domain.Flag
		Details map[string]json.RawMessage `json:"details"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return domain.Flag{}, fmt.Errorf("read listed flag: %w", err)
	}
	f := raw.Flag
	f.Details = make(map[string]any, len(raw.Details))
	for k, v := range raw.Details {
		f.Details[k] = v
	}
	return f, nil
}
