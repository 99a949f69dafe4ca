package projections_test

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/projections"
)

// TestSummariseMonthCountsAnswersAsTheList: a histogram of figures summarises as the list of the same figures
// does, for random histograms with repeated, equal-valued ("1.5" and "1.50") and empty bins.
func TestSummariseMonthCountsAnswersAsTheList(t *testing.T) {
	t.Parallel()
	figures := []string{"0.00", "0.33", "0.99", "1.00", "1.01", "1.5", "1.50", "1.88", "2.00", "2.25", "7.10", "12.00"}
	rng := rand.New(rand.NewPCG(10, 600))
	for trial := range 300 {
		counts := map[string]int64{}
		var list []decimal.Decimal
		for range rng.IntN(40) {
			f := figures[rng.IntN(len(figures))]
			counts[f]++
			list = append(list, decimal.RequireFromString(f))
		}
		counts[figures[rng.IntN(len(figures))]] += 0 // an empty bin, as a rollup keeps none but a map may hold
		without := rng.IntN(3)
		got, err := projections.SummariseMonthCounts(counts, without)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if want := projections.SummariseMonths(list, without); *got != *want {
			t.Fatalf("trial %d, %v: got %+v, want %+v", trial, counts, *got, *want)
		}
	}
}

func TestSummariseMonthCountsRefusesAFigureThatIsNoDecimal(t *testing.T) {
	t.Parallel()
	if _, err := projections.SummariseMonthCounts(map[string]int64{"1.50": 2, "one": 1}, 0); err == nil {
		t.Error("no error for the figure \"one\"")
	}
}
