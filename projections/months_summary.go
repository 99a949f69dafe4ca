package projections

import (
	"fmt"
	"slices"
	"strings"

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
	// WorkersAboveOneMonth counts the workers who paid more than one month's wage, exactly: a worker who paid
	// 1500.01 against a monthly wage of 1500 counts, though the figure rounds to 1.00.
	WorkersAboveOneMonth int `json:"workers_above_one_month"`
}

// oneMonth is the figure of a worker who paid one month's wage, or up to half a hundredth more (see CountedAs).
const oneMonth = "1.00"

// oneMonthValue is oneMonth as a number.
var oneMonthValue = decimal.RequireFromString(oneMonth)

// monthsAboveMark follows the figure "1.00" in the text a rollup counts a worker by when the worker paid more
// than one month's wage exactly (MonthsOfWages.CountedAs).
const monthsAboveMark = "+"

// ParseCountedMonths reads the text a rollup counts a worker by (MonthsOfWages.CountedAs): the figure, and
// whether the worker paid more than one month's wage (the figure is above 1.00, or it is "1.00+").
func ParseCountedMonths(text string) (months decimal.Decimal, aboveOneMonth bool, err error) {
	figure, marked := strings.CutSuffix(text, monthsAboveMark)
	if marked && figure != oneMonth {
		return decimal.Zero, false, fmt.Errorf("months of wages %q: only %s is marked %s", text, oneMonth, monthsAboveMark)
	}
	if months, err = decimal.NewFromString(figure); err != nil {
		return decimal.Zero, false, fmt.Errorf("months of wages %q: %w", text, err)
	}
	return months, marked || months.GreaterThan(oneMonthValue), nil
}

// CountMonths turns workers counted by the text of their figure (MonthsOfWages.CountedAs; "" for none is
// left out) into MonthsCounts in ascending order, as SummariseMonthCounts takes them; an error names a text
// ParseCountedMonths does not read.
func CountMonths[N ~int | ~int64](counted map[string]N) ([]MonthsCount, error) {
	out := make([]MonthsCount, 0, len(counted))
	for text, n := range counted {
		if text == "" || n <= 0 {
			continue
		}
		months, above, err := ParseCountedMonths(text)
		if err != nil {
			return nil, err
		}
		out = append(out, MonthsCount{Months: months, AboveOneMonth: above, Workers: int(n)})
	}
	slices.SortFunc(out, func(a, b MonthsCount) int {
		if c := a.Months.Cmp(b.Months); c != 0 {
			return c
		}
		switch {
		case a.AboveOneMonth == b.AboveOneMonth:
			return 0
		case b.AboveOneMonth:
			return -1 // 1.00 before 1.00+
		}
		return 1
	})
	return out, nil
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
