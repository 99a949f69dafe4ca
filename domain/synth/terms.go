package synth

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// offer is the terms an employer offers at t: a position of its industry at its worksite, a wage a few steps
// above the floor (mostly monthly, some daily or hourly), 48-60 hours over six days, and the destination's
// usual contract length, deductions and benefits.
func (g *generator) offer(emp *org, at time.Time) domain.Terms {
	d := &destinations[emp.dest]
	monthly := (d.minWage(at) + int64(g.intn(d.wageSteps+1))*d.wageStep) * 100
	hours := []int{48, 54, 60}[g.weighted([]int{55, 20, 25})]
	t := domain.Terms{
		Position:        pick(g, industries[emp.industry].positions),
		EmployerID:      emp.id,
		Worksite:        domain.Worksite{Country: d.code, City: emp.city},
		Wage:            g.wage(monthly, d.currency, hours),
		HoursPerWeek:    intp(hours),
		RestDaysPerWeek: intp(1),
		DurationMonths:  intp(pick(g, d.durations)),
		Benefits:        g.benefits(d),
	}
	if s := d.deduction; s.kind != "" && g.chance(0.4) {
		t.Deductions = []domain.Deduction{{
			Kind: s.kind, Amount: amount(roundUnits(float64(g.between(int(s.lo), int(s.hi))), d.unit)),
			Currency: d.currency, Per: domain.PerMonth,
		}}
	}
	return t
}

// wage states a monthly wage (in cents) per month (85%), per day (10%) or per hour (5%), with the same
// monthly equivalent under six working days a week.
func (g *generator) wage(monthly int64, currency string, hours int) domain.Wage {
	switch r := g.rng.Float64(); {
	case r < 0.10:
		return domain.Wage{Amount: amount(monthly / 26), Currency: currency, Per: domain.PerDay}
	case r < 0.15:
		return domain.Wage{Amount: amount(monthly * 12 / int64(52*hours)), Currency: currency, Per: domain.PerHour}
	}
	return domain.Wage{Amount: amount(monthly), Currency: currency, Per: domain.PerMonth}
}

// benefits is most of the destination's usual benefits, in their usual order, always with those its job
// orders always state.
func (g *generator) benefits(d *destination) []string {
	var out []string
	for _, b := range d.benefits {
		if slices.Contains(d.always, b) || g.chance(0.7) {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		out = append(out, d.benefits[0])
	}
	return out
}

// amended is a job order's terms after an amendment, and the reason given. Most amendments improve the
// terms (a wage revision, a deduction dropped, fewer hours); some do not (more hours, another worksite).
func (g *generator) amended(t domain.Terms, emp *org) (domain.Terms, string) {
	d := &destinations[emp.dest]
	switch g.intn(5) {
	case 1:
		if len(t.Deductions) > 0 {
			t.Deductions = nil
			return t, "deduction removed to comply with buyer code"
		}
	case 2:
		if t.Hours() > 48 {
			t.HoursPerWeek = intp(48)
			return t, "hours reduced after buyer audit"
		}
	case 3:
		t.HoursPerWeek = intp(t.Hours() + 6)
		return t, "production volume increase"
	case 4:
		if city := pick(g, d.cities); city != t.Worksite.City {
			t.Worksite.City = city
			return t, "worksite moved to a new production line"
		}
	}
	t.Wage = scaleWage(t.Wage, 100+g.between(3, 8), d.unit)
	if len(d.minWages) > 1 {
		return t, "wage revised to the new statutory minimum"
	}
	return t, "wage raised to attract applicants"
}

// substitutionDeductions are deductions that appear in substituted contracts.
var substitutionDeductions = []string{"recruitment cost recovery", "accommodation", "levy", "uniform and safety shoes",
	"transport"}

// worse is t made less favourable, as in a contract substituted on arrival: one or more of a lower wage, more
// hours, an added deduction and a longer contract.
func (g *generator) worse(t domain.Terms, d *destination) domain.Terms {
	for changed := false; !changed; {
		if g.chance(wageCutShare) {
			t.Wage, changed = scaleWage(t.Wage, g.between(70, 90), d.unit), true
		}
		if g.chance(0.45) {
			t.HoursPerWeek, changed = intp(min(t.Hours()+6*g.between(1, 2), 72)), true
		}
		if g.chance(0.5) {
			extra := domain.Deduction{
				Kind: pick(g, substitutionDeductions), Amount: amount(g.local(20, 60, d.usdRate, d.unit)),
				Currency: d.currency, Per: domain.PerMonth,
			}
			t.Deductions, changed = append(slices.Clip(t.Deductions), extra), true
		}
		if g.chance(0.3) {
			t.DurationMonths, changed = intp(t.Duration()+12), true
		}
	}
	return t
}

// scaleWage is w at pct percent: monthly wages in whole multiples of unit, daily and hourly ones to the cent.
func scaleWage(w domain.Wage, pct int, unit int64) domain.Wage {
	cents := centsOf(w.Amount) * int64(pct) / 100
	if w.Per == domain.PerMonth {
		cents = roundUnits(float64(cents)/100, unit)
	}
	w.Amount = amount(cents)
	return w
}
