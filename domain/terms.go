package domain

import (
	"github.com/shopspring/decimal"
)

// Pay periods of a wage or a deduction.
const (
	PerHour  = "hour"
	PerDay   = "day"
	PerWeek  = "week"
	PerMonth = "month"
)

var payPeriods = []string{PerHour, PerDay, PerWeek, PerMonth}

// Terms are the conditions of employment offered in a job order or agreed in a contract. JSON keys are
// declared in alphabetical order so that the encoding is canonical.
type Terms struct {
	Benefits        []string    `json:"benefits,omitempty"`
	Deductions      []Deduction `json:"deductions,omitempty"`
	DurationMonths  *int        `json:"duration_months"`
	EmployerID      string      `json:"employer_id"`
	HoursPerWeek    *int        `json:"hours_per_week"`
	Position        string      `json:"position"`
	RestDaysPerWeek *int        `json:"rest_days_per_week"`
	Wage            Wage        `json:"wage"`
	Worksite        Worksite    `json:"worksite"`
}

// Wage is pay per period.
type Wage struct {
	Amount   Amount `json:"amount"`
	Currency string `json:"currency"`
	Per      string `json:"per"`
}

// Deduction is an amount the employer takes from wages for a kind of cost (housing, food, levy...).
type Deduction struct {
	Amount   Amount `json:"amount"`
	Currency string `json:"currency"`
	Kind     string `json:"kind"`
	Per      string `json:"per"`
}

// Worksite is where the work is done.
type Worksite struct {
	City    string `json:"city,omitempty"`
	Country string `json:"country"`
}

// Hours is hours_per_week (0 when absent, which validation refuses).
func (t Terms) Hours() int { return deref(t.HoursPerWeek) }

// RestDays is rest_days_per_week.
func (t Terms) RestDays() int { return deref(t.RestDaysPerWeek) }

// Duration is duration_months.
func (t Terms) Duration() int { return deref(t.DurationMonths) }

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (c checker) terms(field string, t Terms) {
	tc := c.at(field)
	tc.text("position", t.Position)
	tc.id("employer_id", t.EmployerID)
	wc := tc.at("wage")
	if p := amountProblem(string(t.Wage.Amount)); p != "" {
		wc.fail("amount", p)
	}
	wc.currency("currency", t.Wage.Currency)
	wc.oneOf("per", t.Wage.Per, payPeriods)
	tc.count("hours_per_week", t.HoursPerWeek, 1, 168)
	tc.count("rest_days_per_week", t.RestDaysPerWeek, 0, 7)
	tc.count("duration_months", t.DurationMonths, 1, 240)
	tc.at("worksite").country("country", t.Worksite.Country)
	tc.at("worksite").optionalText("city", t.Worksite.City)
	for i, d := range t.Deductions {
		dc := tc.index("deductions", i)
		dc.text("kind", d.Kind)
		if p := amountProblem(string(d.Amount)); p != "" {
			dc.fail("amount", p)
		}
		dc.currency("currency", d.Currency)
		dc.oneOf("per", d.Per, payPeriods)
	}
	for i, b := range t.Benefits {
		tc.index("benefits", i).text("", b)
	}
}

var (
	fiftyTwo = decimal.NewFromInt(52)
	twelve   = decimal.NewFromInt(12)
)

// AnnualEquivalent is twelve times the monthly equivalent of amount paid per period under these terms, exact:
// month = amount x 12; week = amount x 52; day = amount x (7 - rest days) x 52; hour = amount x hours x 52.
// Comparing annual figures avoids the non-terminating 52/12 of the monthly rule.
func (t Terms) AnnualEquivalent(amount decimal.Decimal, per string) decimal.Decimal {
	switch per {
	case PerMonth:
		return amount.Mul(twelve)
	case PerWeek:
		return amount.Mul(fiftyTwo)
	case PerDay:
		return amount.Mul(decimal.NewFromInt(int64(7 - t.RestDays()))).Mul(fiftyTwo)
	case PerHour:
		return amount.Mul(decimal.NewFromInt(int64(t.Hours()))).Mul(fiftyTwo)
	}
	return decimal.Zero
}

// MonthlyWage is the monthly equivalent of the wage (spec section 4), rounded half away from zero to the
// given number of decimal places.
func (t Terms) MonthlyWage(places int32) decimal.Decimal {
	return MonthlyFromAnnual(t.AnnualEquivalent(t.Wage.Amount.Decimal(), t.Wage.Per), places)
}

// MonthlyFromAnnual divides an annual equivalent by twelve, rounded half away from zero to places (one exact
// rounding, never two).
func MonthlyFromAnnual(annual decimal.Decimal, places int32) decimal.Decimal {
	return annual.DivRound(twelve, places)
}
