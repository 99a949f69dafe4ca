package readmodel

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// parsedMerge is what mergeMoney must write: the stored money read into a row (readMoney), the changes added
// (row.merge) and the row encoded (moneyJSON).
func parsedMerge(t *testing.T, stored string, delta [moneyCols]map[string]map[string]decimal.Decimal) (string, error) {
	t.Helper()
	r, d := newRow(), newRow()
	if err := r.readMoney(stored); err != nil {
		return "", err
	}
	d.Money = delta
	r.merge(d)
	return r.moneyJSON(), nil
}

// moneyDelta builds the changes of a test: per column, "CUR scale amount" entries.
func moneyDelta(t *testing.T, cols ...[]string) [moneyCols]map[string]map[string]decimal.Decimal {
	t.Helper()
	var out [moneyCols]map[string]map[string]decimal.Decimal
	for col := range out {
		out[col] = map[string]map[string]decimal.Decimal{}
		if col >= len(cols) {
			continue
		}
		for _, e := range cols[col] {
			f := strings.Fields(e)
			d, err := decimal.NewFromString(f[2])
			if err != nil {
				t.Fatal(err)
			}
			if out[col][f[0]] == nil {
				out[col][f[0]] = map[string]decimal.Decimal{}
			}
			out[col][f[0]][f[1]] = d
		}
	}
	return out
}

func TestMergeMoneyWritesWhatParsingAddingAndEncodingWrites(t *testing.T) {
	t.Parallel()
	stored := `[{"EUR":{"2":"10.50"},"USD":{"0":"7","2":"100.25"}},{},{"PHP":{"2":"-3.10"}},{}]`
	for _, tc := range []struct {
		name   string
		stored string
		delta  [moneyCols]map[string]map[string]decimal.Decimal
	}{
		{"nothing changed", stored, moneyDelta(t)},
		{"a sum grows", stored, moneyDelta(t, []string{"USD 2 1.75"})},
		{"a sum comes to zero", stored, moneyDelta(t, []string{"USD 0 -7"})},
		{"a currency's sums all come to zero", stored, moneyDelta(t, []string{"EUR 2 -10.50"})},
		{"a new currency between others", stored, moneyDelta(t, []string{"GBP 2 2.00"})},
		{"a new scale", stored, moneyDelta(t, []string{"USD 1 0.5"})},
		{"an empty column gains a currency", stored, moneyDelta(t, nil, []string{"USD 2 4.20"})},
		{"every column changes", stored, moneyDelta(t, []string{"AAA 0 1"}, []string{"ZZZ 3 0.001"},
			[]string{"PHP 2 3.10"}, []string{"EUR 2 -1.00"})},
		{"nothing stored", `[{},{},{},{}]`, moneyDelta(t, []string{"USD 2 1.00"})},
		{"stored by encoding/json with nulls", `[null,{},null,{}]`, moneyDelta(t, []string{"USD 2 1.00"})},
		{"stored with spaces and keys out of order", `[ {"USD":{"2":"1.00"},"EUR":{"0":"5"}} ,{},{},{}]`,
			moneyDelta(t, []string{"EUR 0 1"})},
		{"a currency json escapes", `[{"<&>":{"2":"1.00"}},{},{},{}]`, moneyDelta(t, []string{"<&> 2 1.00"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := parsedMerge(t, tc.stored, tc.delta)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mergeMoney(tc.stored, tc.delta)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("merged\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestMergeMoneyRejectsWhatReadMoneyRejects(t *testing.T) {
	t.Parallel()
	for _, text := range []string{``, `[`, `{}`, `[{"USD":{"2":"x"}},{},{},{}]`, `[{"USD":1},{},{},{}]`} {
		_, want := parsedMerge(t, text, moneyDelta(t, []string{"USD 2 1.00"}))
		_, got := mergeMoney(text, moneyDelta(t, []string{"USD 2 1.00"}))
		if (got == nil) != (want == nil) {
			t.Errorf("%q: merge error %v, parsed error %v", text, got, want)
		}
	}
}

// FuzzMergeMoneyAsParsed checks mergeMoney against parsing, adding and encoding, for stored text of any form
// and a change to one sum.
func FuzzMergeMoneyAsParsed(f *testing.F) {
	f.Add(`[{"EUR":{"2":"10.50"},"USD":{"0":"7"}},{},{},{}]`, 0, "USD", "0", "-7")
	f.Add(`[{},{},{},{}]`, 3, "PHP", "2", "1.25")
	f.Add(`[null,{"A":{}},{},{}]`, 1, "A", "1", "0.1")
	f.Fuzz(func(t *testing.T, stored string, col int, cur, scale, amount string) {
		d, err := decimal.NewFromString(amount)
		if err != nil || d.IsZero() || col < 0 || col >= moneyCols {
			return
		}
		if _, err := json.Marshal(cur); err != nil {
			return
		}
		var delta [moneyCols]map[string]map[string]decimal.Decimal
		for i := range delta {
			delta[i] = map[string]map[string]decimal.Decimal{}
		}
		delta[col][cur] = map[string]decimal.Decimal{scale: d}
		want, werr := parsedMerge(t, stored, delta)
		got, gerr := mergeMoney(stored, delta)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("merge error %v, parsed error %v", gerr, werr)
		}
		if werr == nil && got != want {
			t.Fatalf("merged\n%s\nwant\n%s", got, want)
		}
	})
}
