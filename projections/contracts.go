package projections

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// Change is one term of a contract that is less favourable than the baseline, with before and after.
type Change struct {
	Term   string `json:"term"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Note says how it is worse (e.g. "lower", "added", "currency changed").
	Note string `json:"note"`
}

// WageView shows a wage with its monthly equivalent, as a change's before or after.
type WageView struct {
	Amount            domain.Amount `json:"amount"`
	Currency          string        `json:"currency"`
	Per               string        `json:"per"`
	MonthlyEquivalent domain.Amount `json:"monthly_equivalent"`
}

func showWage(t domain.Terms) WageView {
	return WageView{Amount: t.Wage.Amount, Currency: t.Wage.Currency, Per: t.Wage.Per,
		MonthlyEquivalent: domain.Amount(domain.FormatAmount(t.MonthlyWage(2)))}
}

// Comparison is a contract (or the first contract) judged against a baseline.
type Comparison struct {
	Changes []Change
	// Shortfall is the estimated wage shortfall, (baseline monthly - new monthly) x new duration_months, when
	// the wage is lower in the same currency.
	Shortfall *domain.Money
}

// Compare lists every term of next that is less favourable than base (spec section 4): wage (lower monthly
// equivalent, or another currency), hours_per_week higher, rest_days_per_week lower, duration_months changed,
// position, employer_id or worksite changed, deductions added or higher.
func Compare(base, next domain.Terms) Comparison {
	var c Comparison
	baseAnnual := base.AnnualEquivalent(base.Wage.Amount.Decimal(), base.Wage.Per)
	nextAnnual := next.AnnualEquivalent(next.Wage.Amount.Decimal(), next.Wage.Per)
	switch {
	case base.Wage.Currency != next.Wage.Currency:
		c.add("wage", showWage(base), showWage(next), "currency changed")
	case nextAnnual.LessThan(baseAnnual):
		c.add("wage", showWage(base), showWage(next), "lower monthly equivalent")
		diff := baseAnnual.Sub(nextAnnual).Mul(decimal.NewFromInt(int64(next.Duration())))
		amount := domain.MonthlyFromAnnual(diff, 2)
		c.Shortfall = &domain.Money{Amount: domain.Amount(domain.FormatAmount(amount)), Currency: next.Wage.Currency}
	}
	if next.Hours() > base.Hours() {
		c.add("hours_per_week", base.Hours(), next.Hours(), "higher")
	}
	if next.RestDays() < base.RestDays() {
		c.add("rest_days_per_week", base.RestDays(), next.RestDays(), "lower")
	}
	if next.Duration() != base.Duration() {
		c.add("duration_months", base.Duration(), next.Duration(), "changed")
	}
	if normalise(next.Position) != normalise(base.Position) {
		c.add("position", base.Position, next.Position, "changed")
	}
	if next.EmployerID != base.EmployerID {
		c.add("employer_id", base.EmployerID, next.EmployerID, "changed")
	}
	if worksiteChanged(base.Worksite, next.Worksite) {
		c.add("worksite", base.Worksite, next.Worksite, "changed")
	}
	c.Changes = append(c.Changes, compareDeductions(base, next)...)
	return c
}

func (c *Comparison) add(term string, before, after any, note string) {
	c.Changes = append(c.Changes, Change{Term: term, Before: before, After: after, Note: note})
}

func normalise(s string) string {
	if isNormalised(s) {
		return s // most texts are: no copy
	}
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// isNormalised reports whether normalise would return s as it is: ASCII without capitals or white space other
// than single spaces between words.
func isNormalised(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80 || c >= 'A' && c <= 'Z' || c >= '\t' && c <= '\r':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' '):
			return false
		}
	}
	return true
}

// worksiteChanged compares countries, and cities when both name one.
func worksiteChanged(a, b domain.Worksite) bool {
	if a.Country != b.Country {
		return true
	}
	return a.City != "" && b.City != "" && normalise(a.City) != normalise(b.City)
}

// deductionTotal is a kind of deduction's annual equivalent in one currency.
type deductionTotal struct {
	currency string
	annual   decimal.Decimal
	shown    []domain.Deduction
}

func deductionsByKind(t domain.Terms) map[string]*deductionTotal {
	out := make(map[string]*deductionTotal)
	for _, d := range t.Deductions {
		k := normalise(d.Kind)
		cur := out[k]
		if cur == nil {
			cur = &deductionTotal{currency: d.Currency}
			out[k] = cur
		}
		if cur.currency != d.Currency {
			cur.currency = "" // mixed currencies: compared as changed
		}
		cur.annual = domain.AddExact(cur.annual, t.AnnualEquivalent(d.Amount.Decimal(), d.Per))
		cur.shown = append(cur.shown, d)
	}
	return out
}

func compareDeductions(base, next domain.Terms) []Change {
	was, now := deductionsByKind(base), deductionsByKind(next)
	var out []Change
	for _, kind := range sortedKeys(now) {
		n, b := now[kind], was[kind]
		switch {
		case b == nil:
			out = append(out, Change{Term: "deductions." + kind, Before: nil, After: n.shown, Note: "added"})
		case b.currency == "" || n.currency != b.currency:
			out = append(out, Change{Term: "deductions." + kind, Before: b.shown, After: n.shown, Note: "currency changed"})
		case n.annual.GreaterThan(b.annual):
			out = append(out, Change{Term: "deductions." + kind, Before: b.shown, After: n.shown, Note: "higher"})
		}
	}
	return out
}
