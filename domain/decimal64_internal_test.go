package domain

import (
	"testing"

	"github.com/shopspring/decimal"
)

// decimalSeeds are amounts and results of arithmetic on them at the edges of the 64-bit paths: scales from
// -18 to +2, 18 and 19 digits, signs, zeros of several exponents.
var decimalSeeds = []struct{ a, b string }{
	{"1500.00", "12.5"}, {"0", "0.00"}, {"1500", "0.000001"}, {"999999999999999.999999", "0.000001"},
	{"999999999999999999", "1"}, {"9999999999999999999", "1"}, {"0.000000000000000001", "1"},
	{"123456789012345678", "0.1"}, {"-5", "2.25"}, {"-0.5", "-0.05"}, {"1e3", "1.5"}, {"0e2", "7"},
	{"000150.50", "00.0"}, {"0.125", "0.25"}, {"-2.5", "1"}, {"3.5", "-1"}, {"1", "3"}, {"2", "3"},
	{"-1", "3"}, {"-2", "3"}, {"1", "8"}, {"0.000", "5"}, {"0", "0.5"}, {"00.00", "000"}, {"1.", ".5"}, {"+1", "1.2.3"}, {"3", "8"}, {"5", "0.0008"}, {"1000000", "0.0000003"}, {"12345678901234567.8", "0.01"}, {"1.5e-19", "3"},
}

// FuzzDecimal64 holds AddExact, SubExact, CompareExact, FormatAmount, FormatPlaces, Amount.Decimal, Money.IsZero
// and DivRoundHalfEven's 64-bit path to what shopspring's
// own methods give: the same value at the same exponent, the same text.
func FuzzDecimal64(f *testing.F) {
	for _, s := range decimalSeeds {
		f.Add(s.a, s.b)
	}
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, errA := decimal.NewFromString(as)
		b, errB := decimal.NewFromString(bs)
		if errA != nil || errB != nil || a.Exponent() < -1000 || b.Exponent() < -1000 || a.Exponent() > 1000 || b.Exponent() > 1000 {
			return
		}
		same := func(what string, got, want decimal.Decimal) {
			t.Helper()
			if !got.Equal(want) || got.Exponent() != want.Exponent() {
				t.Fatalf("%s(%s, %s) = %s (exponent %d), want %s (exponent %d)", what, as, bs, got, got.Exponent(),
					want, want.Exponent())
			}
		}
		same("AddExact", AddExact(a, b), a.Add(b))
		same("SubExact", SubExact(a, b), a.Sub(b))
		same("AddExact from zero", AddExact(decimal.Decimal{}, a), decimal.Decimal{}.Add(a))
		same("AddExact from decimal.Zero", AddExact(decimal.Zero, b), decimal.Zero.Add(b))
		same("AddExact of decimal.Zero", AddExact(a, decimal.Zero), a.Add(decimal.Zero))
		same("SubExact of zero", SubExact(a, decimal.Decimal{}), a.Sub(decimal.Decimal{}))
		same("SubExact of decimal.Zero", SubExact(b, decimal.Zero), b.Sub(decimal.Zero))
		if got, want := CompareExact(a, b), a.Cmp(b); got != want {
			t.Fatalf("CompareExact(%s, %s) = %d, want %d", as, bs, got, want)
		}
		for _, d := range []decimal.Decimal{a, b, a.Add(b), a.Sub(b), decimal.Zero, {}} {
			if got, want := FormatAmount(d), d.StringFixed(max(-d.Exponent(), 2)); got != want {
				t.Fatalf("FormatAmount(%s, exponent %d) = %q, want %q", d, d.Exponent(), got, want)
			}
			if got, want := FormatPlaces(d), d.StringFixed(max(-d.Exponent(), 0)); got != want {
				t.Fatalf("FormatPlaces(%s, exponent %d) = %q, want %q", d, d.Exponent(), got, want)
			}
		}
		if !b.IsZero() {
			for _, places := range []int32{0, 2, 10} {
				if got, ok := divRoundHalfEven64(a, b, places); ok {
					same("divRoundHalfEven64", got, divRoundHalfEvenBig(a, b, places))
				}
			}
		}
		for _, s := range []string{as, bs} {
			want, err := decimal.NewFromString(s)
			if err != nil {
				want = decimal.Zero
			}
			same("Amount.Decimal", Amount(s).Decimal(), want)
			if got := (Money{Amount: Amount(s)}).IsZero(); got != want.IsZero() {
				t.Fatalf("Money{%q}.IsZero() = %v, want %v", s, got, want.IsZero())
			}
		}
	})
}
