package domain

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is a non-negative decimal amount kept as the exact text that was recorded ("1500.00"), so the stored
// evidence is what was submitted. Validation guarantees it parses; Decimal gives its exact value.
type Amount string

// Decimal returns the exact value of a validated amount (zero for an invalid one).
func (a Amount) Decimal() decimal.Decimal {
	if d, ok := parseAmount64(string(a)); ok {
		return d
	}
	d, err := decimal.NewFromString(string(a))
	if err != nil {
		return decimal.Zero
	}
	return d
}

// amountProblem says what is wrong with a decimal amount string, or "" when it is valid: digits with an
// optional fraction of at most 6 digits, at most 15 integer digits, no sign, exponent or separators.
func amountProblem(s string) string {
	if s == "" {
		return "required (a decimal string such as \"1500.00\")"
	}
	if strings.HasPrefix(s, "-") {
		return "must be >= 0"
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || hasDot && (frac == "" || !allDigits(frac)) {
		return "must be a decimal string such as \"1500.00\" (digits, optional '.' and fraction)"
	}
	if len(strings.TrimLeft(whole, "0")) > 15 {
		return "too large (more than 15 integer digits)"
	}
	if len(frac) > 6 {
		return "more than 6 decimal places"
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Money is an exact amount in one ISO 4217 currency: {"amount": "1500.00", "currency": "MYR"}.
type Money struct {
	Amount   Amount `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

// IsZero reports whether the amount is exactly zero.
func (m Money) IsZero() bool {
	if zero, ok := amountIsZero(string(m.Amount)); ok {
		return zero
	}
	return m.Amount.Decimal().IsZero()
}

func (c checker) money(field string, m Money) {
	mc := c.at(field)
	if p := amountProblem(string(m.Amount)); p != "" {
		mc.fail("amount", p)
	}
	mc.currency("currency", m.Currency)
}

// FormatAmount writes an exact decimal with at least two decimal places and no fewer than it has.
func FormatAmount(d decimal.Decimal) string {
	var room [32]byte
	if b, ok := appendFixed64(room[:0], d, 2); ok {
		return string(b)
	}
	places := max(-d.Exponent(), 2)
	return d.StringFixed(places)
}

// FormatPlaces writes an exact decimal with as many places as its exponent says (none for an exponent of 0 or
// more): d.StringFixed(max(-d.Exponent(), 0)).
func FormatPlaces(d decimal.Decimal) string {
	var room [32]byte
	if b, ok := appendFixed64(room[:0], d, 0); ok {
		return string(b)
	}
	return d.StringFixed(max(-d.Exponent(), 0))
}

// Sums holds exact totals per currency.
type Sums map[string]decimal.Decimal

// Add adds amount to the total of currency.
func (s Sums) Add(currency string, amount decimal.Decimal) {
	s[currency] = AddExact(s[currency], amount)
}

// Money returns the totals as Money sorted by currency, leaving out zero totals.
func (s Sums) Money() []Money {
	out := make([]Money, 0, len(s))
	for cur, d := range s {
		if d.IsZero() {
			continue
		}
		out = append(out, Money{Amount: Amount(FormatAmount(d)), Currency: cur})
	}
	sortMoney(out)
	return out
}

func sortMoney(ms []Money) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Currency < ms[j-1].Currency; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// Percent is a non-negative decimal given as a JSON number or string (36 or "36.5"); it is stored as a JSON
// number with the digits given.
type Percent string

// UnmarshalJSON accepts a number or a string; validation checks the digits.
func (p *Percent) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = Percent(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*p = Percent(b)
	default:
		return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeFor[Percent]()}
	}
	return nil
}

// MarshalJSON writes the digits as a JSON number (leading zeros of the whole part dropped, as JSON requires).
func (p Percent) MarshalJSON() ([]byte, error) {
	if amountProblem(string(p)) != "" {
		return json.Marshal(string(p))
	}
	whole, frac, hasDot := strings.Cut(string(p), ".")
	if whole = strings.TrimLeft(whole, "0"); whole == "" {
		whole = "0"
	}
	if hasDot {
		return []byte(whole + "." + frac), nil
	}
	return []byte(whole), nil
}
