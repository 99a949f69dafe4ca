package projections

import (
	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// tally sums exact decimals per currency for rollups over many workers. Amounts with up to 6 decimals and 15
// digits (every recorded amount) are added as integers of their own scale, without allocating; anything else,
// and a scale's sum about to overflow, goes to an exact decimal. The total is exact either way.
type tally map[string]*currencyTally

type currencyTally struct {
	byScale [7]int64 // byScale[k] counts units of 10^-k
	rest    decimal.Decimal
}

func (t tally) add(currency string, d decimal.Decimal) {
	ct := t[currency]
	if ct == nil {
		ct = &currencyTally{}
		t[currency] = ct
	}
	k := -d.Exponent()
	if k < 0 || k >= int32(len(ct.byScale)) || d.NumDigits() > 15 {
		ct.rest = ct.rest.Add(d)
		return
	}
	c := d.CoefficientInt64()
	sum := ct.byScale[k] + c // wraps on overflow, which overflows detects
	if overflows(ct.byScale[k], c, sum) {
		ct.rest = ct.rest.Add(decimal.New(ct.byScale[k], -k))
		ct.byScale[k] = c
		return
	}
	ct.byScale[k] = sum
}

// overflows reports whether a+b overflowed into s (signed addition).
func overflows(a, b, s int64) bool { return (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) }

// addSums adds every currency of s.
func (t tally) addSums(s domain.Sums) {
	for cur, d := range s {
		t.add(cur, d)
	}
}

// addAll adds the totals of another tally (a worker's, prepared once when it was judged).
func (t tally) addAll(o tally) {
	for cur, oc := range o {
		ct := t[cur]
		if ct == nil {
			ct = &currencyTally{}
			t[cur] = ct
		}
		for k, units := range oc.byScale {
			if units == 0 {
				continue
			}
			sum := ct.byScale[k] + units
			if overflows(ct.byScale[k], units, sum) {
				ct.rest = ct.rest.Add(decimal.New(ct.byScale[k], -int32(k)))
				sum = units
			}
			ct.byScale[k] = sum
		}
		if !oc.rest.IsZero() {
			ct.rest = ct.rest.Add(oc.rest)
		}
	}
}

// tallyOf prepares sums for fast rollups.
func tallyOf(s domain.Sums) tally {
	t := make(tally, len(s))
	t.addSums(s)
	return t
}

// money gives the totals as Money sorted by currency, leaving out zero totals.
func (t tally) money() []domain.Money {
	sums := domain.Sums{}
	for cur, ct := range t {
		total := ct.rest
		for k, units := range ct.byScale {
			if units != 0 {
				total = total.Add(decimal.New(units, -int32(k)))
			}
		}
		sums[cur] = total
	}
	return sums.Money()
}
