package domain

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// The money of a judgement is summed, compared and written many times a worker, and shopspring's decimal
// does each on big.Int: a sum of two amounts of different scales computes a power of ten with big.Int.Exp,
// and a text goes through a rounding and big.Int.Text. Amounts fit in 64 bits with room to spare (15 integer
// digits and 6 places at most), so the functions below do the same in int64 when both operands fit, and
// hand anything else to shopspring: their values, exponents included, are shopspring's own.

// maxDigits64 is the most decimal digits a coefficient may have for int64 arithmetic on it: the sum of two
// such, each scaled by up to maxDigits64 digits in all, cannot overflow.
const maxDigits64 = 18

// pow10 are the powers of ten an int64 holds.
var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// coefficient64 is d's coefficient and exponent when the coefficient has at most maxDigits64 digits and the
// exponent lies in [-maxDigits64, maxDigits64] (decimal.Zero's is 1).
func coefficient64(d decimal.Decimal) (c int64, exp int32, ok bool) {
	exp = d.Exponent()
	if exp > maxDigits64 || exp < -maxDigits64 || d.NumDigits() > maxDigits64 {
		return 0, 0, false
	}
	return d.CoefficientInt64(), exp, true
}

// digits10 is the number of decimal digits of |c| (1 for 0).
func digits10(c int64) int {
	if c < 0 {
		c = -c
	}
	n := 1
	for n < len(pow10) && c >= pow10[n] {
		n++
	}
	return n
}

// rescaled64 is a and b as coefficients of the smaller of their exponents, when both fit and the scaled
// coefficients keep within maxDigits64 digits.
func rescaled64(a, b decimal.Decimal) (ca, cb int64, exp int32, ok bool) {
	ca, ea, okA := coefficient64(a)
	cb, eb, okB := coefficient64(b)
	if !okA || !okB {
		return 0, 0, 0, false
	}
	exp = min(ea, eb)
	sa, sb := int(ea-exp), int(eb-exp)
	if digits10(ca)+sa > maxDigits64 || digits10(cb)+sb > maxDigits64 {
		return 0, 0, 0, false
	}
	return ca * pow10[sa], cb * pow10[sb], exp, true
}

// AddExact is a.Add(b), the same value at the same exponent (the smaller of theirs), computed without big.Int
// arithmetic when both fit in 64 bits.
func AddExact(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case b.IsZero() && b.Exponent() >= a.Exponent():
		return a // a decimal is immutable: a itself is a + 0 at a's exponent
	case a.IsZero() && a.Exponent() >= b.Exponent():
		return b
	}
	if a.Exponent() == b.Exponent() {
		return a.Add(b) // no rescale to save
	}
	if ca, cb, exp, ok := rescaled64(a, b); ok {
		return decimal.New(ca+cb, exp)
	}
	return a.Add(b)
}

// SubExact is a.Sub(b), as AddExact is a.Add(b).
func SubExact(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() && b.Exponent() >= a.Exponent() {
		return a
	}
	if a.Exponent() == b.Exponent() {
		return a.Sub(b)
	}
	if ca, cb, exp, ok := rescaled64(a, b); ok {
		return decimal.New(ca-cb, exp)
	}
	return a.Sub(b)
}

// CompareExact is a.Cmp(b), without rescaling either when both fit in 64 bits.
func CompareExact(a, b decimal.Decimal) int {
	if a.Exponent() == b.Exponent() {
		return a.Cmp(b)
	}
	if ca, cb, _, ok := rescaled64(a, b); ok {
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return 0
	}
	return a.Cmp(b)
}

// scanAmount reads a plain amount text ("1500.00": digits, an optional '.' and fraction): its digits as an
// integer (which is meaningful only for at most maxDigits64 digits), how many digits it has and how many of them
// are the fraction's, and whether any is not 0; ok is false for another text.
func scanAmount(s string) (c int64, digits, frac int, nonzero, ok bool) {
	dot := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= '0' && ch <= '9':
			c = c*10 + int64(ch-'0')
			nonzero = nonzero || ch != '0'
			digits++
			if dot {
				frac++
			}
		case ch == '.' && !dot && i > 0:
			dot = true
		default:
			return 0, 0, 0, false, false
		}
	}
	return c, digits, frac, nonzero, digits > 0 && (!dot || frac > 0)
}

// parseAmount64 is the value of a plain amount text of at most maxDigits64 digits, as decimal.NewFromString
// reads it: the digits as the coefficient, minus the number of fraction digits as the exponent.
func parseAmount64(s string) (decimal.Decimal, bool) {
	c, digits, frac, _, ok := scanAmount(s)
	if !ok || digits > maxDigits64 {
		return decimal.Decimal{}, false
	}
	return decimal.New(c, int32(-frac)), true
}

// amountIsZero reports whether a plain amount text is zero, and false for ok when s is not such a text.
func amountIsZero(s string) (zero, ok bool) {
	_, _, _, nonzero, ok := scanAmount(s)
	return !nonzero, ok
}

// appendFixed64 appends d.StringFixed(max(-d.Exponent(), minPlaces)) (minPlaces >= 0) for a d that
// coefficient64 accepts with an exponent of at most 0, or zero; false for another.
func appendFixed64(b []byte, d decimal.Decimal, minPlaces int) ([]byte, bool) {
	c, exp, ok := coefficient64(d)
	switch {
	case exp > 0 && d.IsZero(): // decimal.Zero among them
		c, exp = 0, 0
	case !ok || exp > 0:
		return b, false
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	places := int(-exp)
	var room [24]byte
	digits := strconv.AppendInt(room[:0], c, 10)
	switch {
	case places == 0:
		b = append(b, digits...)
	case len(digits) <= places: // "0.", then zeros before the digits
		b = append(b, '0', '.')
		for range places - len(digits) {
			b = append(b, '0')
		}
		b = append(b, digits...)
	default:
		b = append(b, digits[:len(digits)-places]...)
		b = append(b, '.')
		b = append(b, digits[len(digits)-places:]...)
	}
	if places < minPlaces {
		if places == 0 {
			b = append(b, '.')
		}
		for range minPlaces - places {
			b = append(b, '0')
		}
	}
	return b, true
}

// divRoundHalfEven64 is DivRoundHalfEven(num, den, places) in int64, when both fit and the scaled dividend
// and divisor keep within maxDigits64 digits: the quotient truncated at places decimals, then one step away
// from zero when the remainder is over half the divisor, or half of it and the quotient odd.
func divRoundHalfEven64(num, den decimal.Decimal, places int32) (decimal.Decimal, bool) {
	nc, ne, okN := coefficient64(num)
	dc, de, okD := coefficient64(den)
	if !okN || !okD || dc == 0 || places < 0 || places > maxDigits64 {
		return decimal.Decimal{}, false
	}
	k := int(ne) + int(places) - int(de) // num/den * 10^places = nc * 10^k / dc
	switch {
	case k >= 0 && digits10(nc)+k <= maxDigits64:
		nc *= pow10[k]
	case k < 0 && digits10(dc)-k <= maxDigits64:
		dc *= pow10[-k]
	default:
		return decimal.Decimal{}, false
	}
	q, r := nc/dc, nc%dc
	r, half := abs64(r)*2, abs64(dc)
	if r > half || r == half && q%2 != 0 {
		if nc < 0 != (dc < 0) {
			q--
		} else {
			q++
		}
	}
	return decimal.New(q, -places), true
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
