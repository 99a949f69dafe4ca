package projections

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// figureNames are the figures' names, as Converted's JSON names them.
var figureNames = [figures]string{"worker_paid_fees", "reimbursed", "owed_back", "outstanding", "overdue",
	"estimated_wage_shortfall"}

// String is the figure's name in Converted's JSON ("worker_paid_fees", "outstanding", ...).
func (f Figure) String() string {
	if f < 0 || f >= figures {
		return "figure(" + strconv.Itoa(int(f)) + ")"
	}
	return figureNames[f]
}

// ParseFigure is the figure named name (Figure.String); false for no such figure.
func ParseFigure(name string) (Figure, bool) {
	for i, n := range figureNames {
		if n == name {
			return Figure(i), true
		}
	}
	return 0, false
}

// Line is one amount of a worker's ledger as a report in one currency counts it.
type Line struct {
	// Figure is what the amount is (paid, reimbursed, owed back, outstanding or wage shortfall): never
	// FigureOverdue, which is the outstanding lines whose Deadline the report's clock has passed.
	Figure Figure
	// Money is the amount in its own currency; At the instant it converts at.
	Money domain.Money
	At    time.Time
	// Deadline is an outstanding line's reimbursement deadline.
	Deadline time.Time
	// Converted is the amount in the reporting currency when Converts; else no rate converts it.
	Converted decimal.Decimal
	Converts  bool
}

// Lines calls yield with each amount of a ledger that a report in p's currency counts: every amount that is
// not zero, converted at its own instant (none without a reporting currency: months of wages alone).
// Worker sums them; the persisted read model keeps their totals.
func (p Reporting) Lines(l *Ledger, yield func(Line)) {
	if p.Currency == "" {
		return
	}
	line := func(fig Figure, m domain.Money, at, deadline time.Time) {
		if m.Amount.Decimal().IsZero() {
			return
		}
		d, ok := p.Rates.ConvertAmount(m, p.Currency, at)
		yield(Line{Figure: fig, Money: m, At: at, Deadline: deadline, Converted: d, Converts: ok})
	}
	for _, d := range l.Paid {
		line(FigurePaid, d.Money, d.At, time.Time{})
	}
	for _, d := range l.Reimbursed {
		line(FigureReimbursed, d.Money, d.At, time.Time{})
	}
	for _, o := range l.Owed {
		line(FigureOwed, o.Owed, o.At, time.Time{})
		line(FigureOutstanding, o.Outstanding, o.At, o.Deadline)
	}
	for _, d := range l.Shortfall {
		line(FigureShortfall, d.Money, d.At, time.Time{})
	}
}

// MonthsCount is a recruitment cost in months of wages and how many workers have it; AboveOneMonth says
// whether they paid more than one month's wage (see MonthsOfWages.CountedAs).
type MonthsCount struct {
	Months        decimal.Decimal
	AboveOneMonth bool
	Workers       int
}

// SummariseMonthCounts summarises workers' figures counted by value (sorted ascending, as CountMonths and
// RollupMoney.MonthsCounts give them); without counts the workers with no figure.
func SummariseMonthCounts(counts []MonthsCount, without int) *MonthsSummary {
	s := &MonthsSummary{WorkersWithoutFigure: without}
	sum := decimal.Zero
	for _, c := range counts {
		s.WorkersWithFigure += c.Workers
		sum = sum.Add(c.Months.Mul(decimal.NewFromInt(int64(c.Workers))))
		if c.AboveOneMonth {
			s.WorkersAboveOneMonth += c.Workers
		}
	}
	n := s.WorkersWithFigure
	if n == 0 {
		return s
	}
	middle := []decimal.Decimal{nthCounted(counts, n/2)}
	if n%2 == 0 {
		middle = []decimal.Decimal{nthCounted(counts, n/2-1), middle[0]}
	}
	s.Median = medianSorted(middle).StringFixed(2)
	s.Mean = domain.DivRoundHalfEven(sum, decimal.NewFromInt(int64(n)), 2).StringFixed(2)
	return s
}

// nthCounted is the i-th figure (from 0) of the sorted list that counts stand for.
func nthCounted(counts []MonthsCount, i int) decimal.Decimal {
	for _, c := range counts {
		if i < c.Workers {
			return c.Months
		}
		i -= c.Workers
	}
	return decimal.Zero
}
