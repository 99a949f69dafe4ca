package projections

import (
	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// MonthsOfWages is a worker's recruitment cost in months of wages (spec section 7, after SDG indicator 10.7.1):
// everything the worker paid (payer worker, every category), each fee converted into the currency of the
// baseline wage at its occurred_at, divided by the baseline's monthly wage equivalent (spec section 4).
type MonthsOfWages struct {
	// Months is the quotient, rounded half-even to 2 decimals once; empty when it cannot be computed (Reason
	// says why).
	Months string `json:"months,omitempty"`
	// WorkerPaid is the sum of the worker's fees in the wage's currency (the converted fees as converted, each
	// rounded to 2 decimals).
	WorkerPaid domain.Money `json:"worker_paid"`
	// MonthlyWage is the baseline's monthly wage equivalent, rounded half-even to 2 decimals for reading; the
	// quotient divides by the exact equivalent.
	MonthlyWage domain.Money `json:"monthly_wage"`
	// Baseline names the terms the wage is taken from ("contract <id>" or "job order <id>").
	Baseline string `json:"baseline,omitempty"`
	// Conversions are the fees paid in another currency, converted, with the rate used.
	Conversions []domain.Conversion `json:"conversions,omitempty"`
	// NotConverted are the fees no published rate converts: while any is left, Months is empty.
	NotConverted []FeeNotConverted `json:"not_converted,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	// aboveOneMonth is whether the worker paid more than one month's wage exactly (the quotient before
	// rounding is above 1), which Months hides when it rounds to 1.00.
	aboveOneMonth bool
}

// FeeNotConverted is a fee that no published rate converts into the wage's currency at its occurred_at.
type FeeNotConverted struct {
	FeeID   string       `json:"fee_id"`
	EventID string       `json:"event_id"`
	Amount  domain.Money `json:"amount"`
}

// Has reports whether the worker has a figure: rollups take medians and means over the workers that have one.
func (m MonthsOfWages) Has() bool { return m.Months != "" }

// CountedAs is the text rollups count the worker by (Ledger.Months, ParseCountedMonths): Months, with
// monthsAboveMark after it when it is "1.00" and the worker paid more than one month's wage (a quotient in
// (1, 1.005] rounds half-even to 1.00), so that a rollup's WorkersAboveOneMonth counts what was paid, not the
// rounded figure; empty without a figure.
func (m MonthsOfWages) CountedAs() string {
	if m.aboveOneMonth && m.Months == oneMonth {
		return m.Months + monthsAboveMark
	}
	return m.Months
}

// MonthsOfWages returns a worker's recruitment cost in months of wages, and whether the worker is known.
func (v *View) MonthsOfWages(workerID string) (MonthsOfWages, bool) {
	wf := v.m.workers[workerID]
	if wf == nil {
		return MonthsOfWages{}, false
	}
	return monthsOfWages(v.workerState(wf), v.m.rates), true
}

// monthsPerYear turns a monthly figure into an annual one: months = paid x 12 / annual wage equivalent, exactly.
var monthsPerYear = decimal.NewFromInt(12)

func monthsOfWages(ws *workerState, rates *domain.RateBook) MonthsOfWages {
	if !ws.hasBase {
		return MonthsOfWages{Reason: "no baseline: no contract signed before departure and no job order terms"}
	}
	t := ws.base.terms
	cur := t.Wage.Currency
	annual := t.AnnualEquivalent(t.Wage.Amount.Decimal(), t.Wage.Per)
	monthly := domain.DivRoundHalfEven(annual, monthsPerYear, 2) // two places: FormatAmount writes it as StringFixed(2)
	out := MonthsOfWages{Baseline: ws.base.describeAs,
		MonthlyWage: domain.Money{Amount: domain.Amount(domain.FormatAmount(monthly)), Currency: cur}}
	paid := decimal.Zero
	for _, ff := range ws.fees {
		if ff.fee.Payer != domain.PayerWorker {
			continue
		}
		if ff.fee.Amount.Currency == cur {
			paid = domain.AddExact(paid, ff.fee.Amount.Amount.Decimal())
			continue
		}
		c, ok := rates.Convert(ff.fee.Amount, cur, ff.OccurredAt)
		if !ok {
			out.NotConverted = append(out.NotConverted, FeeNotConverted{FeeID: ff.fee.FeeID, EventID: ff.ID.String(),
				Amount: ff.fee.Amount})
			continue
		}
		out.Conversions = append(out.Conversions, c)
		paid = domain.AddExact(paid, c.To.Amount.Decimal())
	}
	out.WorkerPaid = domain.Money{Amount: domain.Amount(domain.FormatAmount(paid)), Currency: cur}
	switch {
	case !annual.IsPositive():
		out.Reason = "the baseline wage is zero"
	case len(out.NotConverted) > 0:
		out.Reason = "a fee paid in another currency than the wage's has no published rate on or before its day"
	default:
		yearly := paid.Mul(monthsPerYear)
		out.Months = domain.FormatAmount(domain.DivRoundHalfEven(yearly, annual, 2))
		out.aboveOneMonth = yearly.GreaterThan(annual) // paid / (annual / 12) > 1, exactly
	}
	return out
}
