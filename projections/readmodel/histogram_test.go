package readmodel

import (
	"encoding/json"
	"maps"
	"testing"
)

func TestHistogramIsEncodingJSONs(t *testing.T) {
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
			want, err := json.Marshal(tc.counts)
			if err != nil {
				t.Fatal(err)
			}
			got := encodeHistogram(tc.counts)
			if got != string(want) {
				t.Fatalf("encoded %s, want %s", got, want)
			}
			back := map[string]int64{}
			if err := decodeHistogram(got, &back); err != nil {
				t.Fatal(err)
			}
			if tc.counts != nil && !maps.Equal(back, tc.counts) {
				t.Fatalf("read back %v, want %v", back, tc.counts)
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
		if wantErr == nil && want != nil {
			if enc, _ := json.Marshal(want); encodeHistogram(want) != string(enc) {
				t.Fatalf("%v: encoded %s, encoding/json %s", want, encodeHistogram(want), enc)
			}
		}
	})
}

// TestRowMonthsReadLaterAsReadAtOnce: a rollup row whose histogram a catch-up keeps unread (readMonthsLater)
// writes, after the same changes, the text a row that read it at once writes, and the stored text itself when
// the changes cancel out.
func TestRowMonthsReadLaterAsReadAtOnce(t *testing.T) {
	t.Parallel()
	stored := `{"0.5":2,"1.25":1,"3":4}`
	type change struct {
		months string
		sign   int64
	}
	for _, tc := range []struct {
		name    string
		stored  string
		changes []change
	}{
		{"nothing changed", stored, nil},
		{"a worker judged again, same months", stored, []change{{"1.25", -1}, {"1.25", 1}}},
		{"a worker's months changed", stored, []change{{"1.25", -1}, {"2", 1}}},
		{"a value counted no more", stored, []change{{"1.25", -1}}},
		{"a new worker", stored, []change{{"7.75", 1}}},
		{"an empty histogram", `{}`, []change{{"1", 1}, {"2", 1}, {"1", -1}}},
		{"null, changed", `null`, []change{{"1", 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now, later := newRow(), newRow()
			if err := now.readMonths(tc.stored); err != nil {
				t.Fatal(err)
			}
			if now.Months == nil {
				now.Months = map[string]int64{}
			}
			later.readMonthsLater(tc.stored)
			for _, c := range tc.changes {
				for _, r := range []*row{now, later} {
					if err := r.add(&contribution{Worker: true, Months: c.months}, c.sign); err != nil {
						t.Fatal(err)
					}
				}
			}
			want, err := now.monthsJSON()
			if err != nil {
				t.Fatal(err)
			}
			got, err := later.monthsJSON()
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("read later %s, read at once %s", got, want)
			}
		})
	}
}

// FuzzMergeHistogramAsParsed: a histogram merged with changes is what parsing it, applying them and encoding
// it again writes, wherever the merge takes the text.
func FuzzMergeHistogramAsParsed(f *testing.F) {
	for _, seed := range []struct {
		text string
		k1   string
		d1   int64
		k2   string
		d2   int64
	}{
		{`{"0.5":2,"1.25":1,"3":4}`, "1.25", -1, "2", 1},
		{`{"0.5":2,"1.25":1,"3":4}`, "0.1", 1, "9", 3},
		{`{}`, "1", 1, "", 0},
		{`{"a":1,"a":2}`, "a", 1, "", 0},
		{`{"b":1,"a":2}`, "c", 1, "", 0},
		{`{"a":-0}`, "b", 1, "", 0},
		{`{"":1}`, "", -1, "a", 2},
		{`{"a,b":1,"c":2}`, "a,b", 1, "", 0},
	} {
		f.Add(seed.text, seed.k1, seed.d1, seed.k2, seed.d2)
	}
	f.Fuzz(func(t *testing.T, text, k1 string, d1 int64, k2 string, d2 int64) {
		delta := map[string]int64{}
		for _, c := range []struct {
			k string
			d int64
		}{{k1, d1}, {k2, d2}} {
			if delta[c.k] += c.d; delta[c.k] == 0 {
				delete(delta, c.k)
			}
		}
		got, ok := mergeHistogram(text, delta)
		if !ok {
			return
		}
		r := newRow()
		if err := r.readMonths(text); err != nil {
			t.Fatalf("%q merged as %q, but does not parse: %v", text, got, err)
		}
		for k, d := range delta {
			if r.Months[k] += d; r.Months[k] == 0 {
				delete(r.Months, k)
			}
		}
		if want := encodeHistogram(r.Months); got != want {
			t.Fatalf("%q with %v: merged %q, parsed and encoded %q", text, delta, got, want)
		}
	})
}
