package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestWorkersAboveOneMonthCountWhatWasPaid imports testdata/months/scenario.ndjson, written by hand from spec
// section 7: a job order paying 1500 MYR a month and workers who paid 1499.99, 1500.00 (one month exactly),
// 1500.01 (one cent over), 1507.49, 1507.50 (1.005 months, which rounds half-even to 1.00), 1507.51 and nothing.
// Five of them have the figure 1.00, but four paid more than one month's wage: every answer that counts workers
// above one month (an audit in the kept currency and one converting the ledgers, every grouping, a replay under
// --as-of, the agency scorecards with and without a currency) counts those four.
func TestWorkersAboveOneMonthCountWhatWasPaid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, out, errOut := cli(t, "", "import", "--data", dir, filepath.Join("testdata", "months", "scenario.ndjson")); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errOut)
	}
	const above, figured = 4, 7
	for _, args := range [][]string{
		{"audit", "--currency", "MYR"}, // converts the ledgers, then keeps MYR
		{"audit", "--currency", "MYR"}, // reads the kept rows
		{"audit", "--currency", "MYR", "--by", "agency"},
		{"audit", "--currency", "MYR", "--by", "job-order"},
		{"audit", "--currency", "MYR", "--by", "employer"},
		{"audit", "--currency", "MYR", "--as-of", "2024-12-31"},
		{"audit", "--currency", "MYR", "--as-of", "2024-12-31", "--by", "agency"},
		{"agencies"},
		{"agencies", "--currency", "MYR"},
		{"agencies", "--as-of", "2024-12-31"},
		{"agencies", "--currency", "MYR", "--as-of", "2024-12-31"},
	} {
		code, out, errOut := cli(t, "", append(args, "--format", "json", "--data", dir)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		summaries := monthsSummaries(doc, nil)
		if len(summaries) == 0 {
			t.Fatalf("%v: no months_of_wages in %s", args, out)
		}
		for _, s := range summaries {
			if s["workers_above_one_month"] != float64(above) || s["workers_with_figure"] != float64(figured) ||
				s["median"] != "1.00" || s["mean"] != "0.86" {
				t.Errorf("%v: months of wages %v, want %d workers above one month of %d, median 1.00, mean 0.86",
					args, s, above, figured)
			}
		}
	}
}

// monthsSummaries appends to out every months_of_wages object in doc, a decoded JSON answer.
func monthsSummaries(doc any, out []map[string]any) []map[string]any {
	switch v := doc.(type) {
	case map[string]any:
		for k, x := range v {
			if m, ok := x.(map[string]any); ok && k == "months_of_wages" {
				out = append(out, m)
				continue
			}
			out = monthsSummaries(x, out)
		}
	case []any:
		for _, x := range v {
			out = monthsSummaries(x, out)
		}
	}
	return out
}
