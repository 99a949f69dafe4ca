package projections

import (
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
	slices.SortFunc(figures, func(a, b decimal.Decimal) int { return a.Cmp(b) })
	var counts []MonthsCount
	for _, f := range figures {
		if n := len(counts); n > 0 && counts[n-1].Months.Cmp(f) == 0 {
			counts[n-1].Workers++
			continue
		}
		counts = append(counts, MonthsCount{Months: f, Workers: 1})
	}
	return SummariseMonthCounts(counts, without)
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
