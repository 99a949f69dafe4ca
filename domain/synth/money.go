package synth

import (
	"strconv"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
)

// cents are amounts in hundredths of a currency unit.

// amount writes cents as a decimal string with two places: 150000 -> "1500.00".
func amount(cents int64) domain.Amount {
	var buf [24]byte
	b := strconv.AppendInt(buf[:0], cents/100, 10)
	c := cents % 100
	b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
	return domain.Amount(b)
}

// centsOf reads an amount written by amount (or any decimal with at most two places) back into cents.
func centsOf(a domain.Amount) int64 {
	whole, frac, _ := strings.Cut(string(a), ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	frac = (frac + "00")[:2]
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f
}

// money is an amount in cents of a currency.
func money(cents int64, currency string) domain.Money {
	return domain.Money{Amount: amount(cents), Currency: currency}
}

// roundUnits rounds v currency units to a multiple of unit (at least one unit) and gives it in cents.
func roundUnits(v float64, unit int64) int64 {
	n := int64(v/float64(unit) + 0.5)
	return max(n, 1) * unit * 100
}

// local converts a US dollar figure drawn from [lo, hi) to a rounded amount of a currency, in cents.
func (g *generator) local(lo, hi, rate float64, unit int64) int64 {
	return roundUnits(g.uniform(lo, hi)*rate, unit)
}

// share is a fraction of cents between lo and hi percent, rounded to whole units of unit.
func (g *generator) share(cents int64, lo, hi int, unit int64) int64 {
	pct := int64(g.between(lo, hi))
	return roundUnits(float64(cents*pct)/10000, unit)
}
