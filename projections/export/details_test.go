package export

import (
	"encoding/json"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// rawSeeds are details as a flag's JSON holds them, and a few that json.Marshal must be asked about.
var rawSeeds = []string{
	``, `null`, `{}`,
	`{"fee_id":"f1","rules":[{"code":"fee.prohibited","max":{"amount":"0","currency":"USD"}}],"payer":"worker"}`,
	`{"note":"<b>A & B</b>","sep":"\u2028 and \u2029","raw":"` + "\u2028\u2029" + `"}`,
	`{"q":"a \"quoted\" <tag> \\ and \\u003c"}`,
	`{"spaced": [1, 2]}`, ` {"lead":1}`, `{"tab":	1}`,
	`{"é":"ü","emoji":"🙂"}`,
}

func TestDetailsAreWrittenAsJSONMarshalWritesThem(t *testing.T) {
	t.Parallel()
	for _, raw := range rawSeeds {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			checkDetails(t, raw)
		})
	}
}

func FuzzDetailsAreWrittenAsJSONMarshalWritesThem(f *testing.F) {
	for _, raw := range rawSeeds {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if raw != "" && !json.Valid([]byte(raw)) {
			return // RawDetails hold JSON read back by encoding/json
		}
		checkDetails(t, raw)
	})
}

// checkDetails fails unless the details' CSV field, written with a scratch buffer, is json.Marshal's.
func checkDetails(t *testing.T, raw string) {
	t.Helper()
	d := domain.RawDetails{Code: "fee.prohibited", JSON: json.RawMessage(raw)}
	want, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("json.Marshal(%q): %v", raw, err)
	}
	scratch := []byte("left over")
	got, err := detailsJSON(d, &scratch)
	if err != nil || got != string(want) {
		t.Errorf("details of %q = %q, %v; want %q", raw, got, err, want)
	}
}
