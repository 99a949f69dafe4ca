package readmodel

import (
	"database/sql"
	"encoding/json"
	"maps"
	"testing"
)

// TestHistogramReadsAsWritten: decodeHistogram reads what json.Marshal writes of a histogram, and what SQLite's
// json_group_object writes of its rows in rollup_months, as they were.
func TestHistogramReadsAsWritten(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		counts map[string]int64
	}{
		{"nil", nil},
		{"empty", map[string]int64{}},
		{"months of wages", map[string]int64{"1.25": 3, "0.5": 1, "12": 7, "-0.75": -2}},
		{"largest and smallest", map[string]int64{"a": 1<<63 - 1, "b": -1 << 63}},
		{"keys json escapes", map[string]int64{"<b>&": 1, `q"uote`: 2, "é": 3, "tab\t": 4, "plain": 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marshalled, err := json.Marshal(tc.counts)
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{string(marshalled), groupObject(t, tc.counts)} {
				back := map[string]int64{}
				if err := decodeHistogram(text, &back); err != nil {
					t.Fatalf("%s: %v", text, err)
				}
				if !maps.Equal(back, tc.counts) {
					t.Fatalf("%s read back as %v, want %v", text, back, tc.counts)
				}
			}
		})
	}
}

func FuzzHistogramReadsAsEncodingJSON(f *testing.F) {
	for _, seed := range []string{`{}`, `{"1.25":3,"0.5":1}`, `{"a":1,"a":2}`, `{"a":01}`, `{"a":1,}`, `{"a":1e3}`,
		`{"a":-0}`, `{"a":9223372036854775808}`, `{"\u00e9":1}`, `{ "a" : 1 }`, `null`, `{"a":"1"}`, `{"a":-}`, `{,}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		want := map[string]int64{"kept": 1}
		wantErr := json.Unmarshal([]byte(text), &want)
		got := map[string]int64{"kept": 1}
		gotErr := decodeHistogram(text, &got)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, encoding/json's %v", text, gotErr, wantErr)
		}
		if wantErr == nil && (!maps.Equal(got, want) || (got == nil) != (want == nil)) {
			t.Fatalf("%q: read %v, encoding/json %v", text, got, want)
		}
	})
}

// groupObject is what rollupMonthsSQL reads of a histogram stored in rollup_months.
func groupObject(t *testing.T, counts map[string]int64) string {
	t.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE h (months TEXT, workers INTEGER)"); err != nil {
		t.Fatal(err)
	}
	for k, n := range counts {
		if _, err := db.Exec("INSERT INTO h VALUES (?, ?)", k, n); err != nil {
			t.Fatal(err)
		}
	}
	var text string
	if err := db.QueryRow("SELECT json_group_object(months, workers) FROM h").Scan(&text); err != nil {
		t.Fatal(err)
	}
	return text
}
