package projections

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

func TestTallyIsExact(t *testing.T) {
	cases := []struct {
		name    string
		amounts []string
		want    string
	}{
		{"cents", []string{"1500.00", "0.10", "0.20"}, "1500.30"},
		{"mixed scales", []string{"1", "0.5", "0.000001", "12.34"}, "13.840001"},
		{"many large amounts overflow a scale and carry on exactly", repeat("999999999999999.99", 100), "99999999999999999.00"},
		{"more digits than the fast path takes", []string{"12345678901234567.5", "0.5"}, "12345678901234568.00"},
		{"finer than six decimals", []string{"0.0000001", "0.0000009"}, "0.000001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tl, want := tally{}, decimal.Zero
			for _, a := range tc.amounts {
				d := decimal.RequireFromString(a)
				tl.add("MYR", d)
				want = want.Add(d)
			}
			got := tl.money()
			if len(got) != 1 || got[0].Amount != domain.Amount(domain.FormatAmount(want)) || !want.Equal(decimal.RequireFromString(tc.want)) {
				t.Fatalf("tally %v, decimal sum %s, want %s", got, want, tc.want)
			}
		})
	}
	if overflows(math.MaxInt64, 1, math.MinInt64) != true || overflows(1, 2, 3) {
		t.Fatal("overflow check")
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestFlagCountsCoverEveryCode(t *testing.T) {
	if len(flagCounts{}) != len(domain.FlagCodes) {
		t.Fatalf("flagCounts holds %d codes, the catalogue has %d", len(flagCounts{}), len(domain.FlagCodes))
	}
}
