package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/query"
)

// TestFlagsCSVLaysOutTheJSONListing: `flags --format csv` lays each flag out from its row (its fields taken
// from the columns, its amounts and details from the JSON after raised_at, without a JSON decoder), and under a
// time filter from a replay's JSON; both give the records export.Flags gives of the flags the JSON listing
// decodes to, byte for byte.
func TestFlagsCSVLaysOutTheJSONListing(t *testing.T) {
	t.Parallel()
	dir := generatedStore(t, 80, 3)
	for _, tc := range []struct {
		name   string
		filter []string
	}{
		{"from the flag index", nil},
		{"from a replay", []string{"--as-of", "2025-01-31"}},
		{"one buyer's contract flags", []string{"--buyer", "buyer-1", "--code", "contract."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := func(format string) string {
				code, out, errOut := cli(t, "", append([]string{"flags", "--data", dir, "--format", format}, tc.filter...)...)
				if code != 0 {
					t.Fatalf("flags --format %s: exit %d: %s", format, code, errOut)
				}
				return out
			}
			var listed []json.RawMessage
			if err := json.Unmarshal([]byte(run("json")), &listed); err != nil {
				t.Fatal(err)
			}
			if len(listed) == 0 && tc.filter == nil {
				t.Fatal("no flags listed")
			}
			flags := make([]domain.Flag, len(listed))
			for i, raw := range listed {
				var compact bytes.Buffer
				if err := json.Compact(&compact, raw); err != nil {
					t.Fatal(err)
				}
				f, err := query.DecodeFlag(compact.String())
				if err != nil {
					t.Fatal(err)
				}
				flags[i] = f
			}
			recs, err := export.Flags(flags)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := writeCSV(&want, recs); err != nil {
				t.Fatal(err)
			}
			if got := run("csv"); got != want.String() {
				t.Errorf("flags --format csv (%d flags) differs from the JSON listing's records:\n%.2000s\nwant\n%.2000s",
					len(flags), got, want.String())
			}
		})
	}
}
