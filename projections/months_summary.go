package projections

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// MonthsSummary is a rollup's recruitment cost in months of wages (spec section 7): the median and mean over
// the workers that have a figure, and how many of them paid more than one month's wage.
type MonthsSummary struct {
	// WorkersWithFigure counts the workers the median and mean are taken over; WorkersWithoutFigure those
	// with no figure (no baseline wage, or a fee no rate converts into the wage's currency).
	WorkersWithFigure    int `json:"workers_with_figure"`
	WorkersWithoutFigure int `json:"workers_without_figure"`
	// Median and Mean are in months, half-even to 2 decimals (the median of an even count is the mean of the
	// two middle figures); empty when no worker has a figure.
	Median string `json:"median,omitempty"`
	Mean   string `json:"mean,omitempty"`
	// WorkersAboveOneMonth counts the workers whose figure is above 1.00.
	WorkersAboveOneMonth int `json:"workers_above_one_month"`
}

// SummariseMonths summarises workers' figures (MonthsOfWages.Months, each rounded to 2 decimals); without
// counts the workers with no figure. figures is sorted in place.
func SummariseMonths(figures []decimal.Decimal, without int) *MonthsSummary {
	s := &MonthsSummary{WorkersWithFigure: len(figures), WorkersWithoutFigure: without}
	if len(figures) == 0 {
		return s
	}
	slices.SortFunc(figures, func(a, b decimal.Decimal) int { return a.Cmp(b) })
	sum := decimal.Zero
	one := decimal.NewFromInt(1)
	for _, f := range figures {
		sum = sum.Add(f)
		if f.GreaterThan(one) {
			s.WorkersAboveOneMonth++
		}
	}
	s.Median = medianSorted(figures).StringFixed(2)
	s.Mean = domain.DivRoundHalfEven(sum, decimal.NewFromInt(int64(len(figures))), 2).StringFixed(2)
	return s
}

// medianSorted is the middle value of sorted figures (the mean of the two middle ones), half-even to 2
// decimals; zero for none.
func medianSorted(s []decimal.Decimal) decimal.Decimal {
	if len(s) == 0 {
		return decimal.Zero
	}
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid].RoundBank(2)
	}
	return domain.DivRoundHalfEven(s[mid-1].Add(s[mid]), decimal.NewFromInt(2), 2)
}

// SummariseMonthCounts is SummariseMonths of a histogram: each figure, as a decimal text, with how many workers
// have it (entries counting none are left out). It costs the distinct figures, not the workers, which is what a
// persisted rollup row keeps. A figure that is not a decimal is an error.
func SummariseMonthCounts(counts map[string]int64, without int) (*MonthsSummary, error) {
	type bin struct {
		figure decimal.Decimal
		n      int64
	}
	bins := make([]bin, 0, len(counts))
	var total int64
	for text, n := range counts {
		if n <= 0 {
			continue
		}
		d, err := decimal.NewFromString(text)
		if err != nil {
			return nil, fmt.Errorf("months of wages %q: %w", text, err)
		}
		bins = append(bins, bin{d, n})
		total += n
	}
	s := &MonthsSummary{WorkersWithFigure: int(total), WorkersWithoutFigure: without}
	if total == 0 {
		return s, nil
	}
	slices.SortFunc(bins, func(a, b bin) int { return cmp.Or(a.figure.Cmp(b.figure), cmp.Compare(a.n, b.n)) })
	sum, one := decimal.Zero, decimal.NewFromInt(1)
	for _, b := range bins {
		sum = sum.Add(b.figure.Mul(decimal.NewFromInt(b.n)))
		if b.figure.GreaterThan(one) {
			s.WorkersAboveOneMonth += int(b.n)
		}
	}
	nth := func(i int64) decimal.Decimal { // the i-th figure from 0, each bin's repeated n times
		for _, b := range bins {
			if i < b.n {
				return b.figure
			}
			i -= b.n
		}
		return decimal.Zero // i < total: not reached
	}
	median := nth(total / 2).RoundBank(2)
	if total%2 == 0 {
		median = domain.DivRoundHalfEven(nth(total/2-1).Add(nth(total/2)), decimal.NewFromInt(2), 2)
	}
	s.Median = median.StringFixed(2)
	s.Mean = domain.DivRoundHalfEven(sum, decimal.NewFromInt(total), 2).StringFixed(2)
	return s, nil
}
