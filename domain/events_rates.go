package domain

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// TypeExchangeRatesPublished is the event type name of a published rates table (spec section 7).
const TypeExchangeRatesPublished = "ExchangeRatesPublished"

// ExchangeRatesPublished records a table of exchange rates as a source published it for one day: units of
// each currency per one unit of the base. Its rates keys are ISO 4217 codes in upper case, the one object of
// the catalogue whose keys are not field names.
type ExchangeRatesPublished struct {
	Base    string          `json:"base"`
	Date    string          `json:"date"`
	Rates   map[string]Rate `json:"rates"`
	RatesID string          `json:"rates_id"`
	Source  string          `json:"source"`
}

// Rate is a positive decimal exchange rate kept as the exact text published ("1.0956").
type Rate string

// Decimal returns the exact value of a validated rate (zero for an invalid one).
func (r Rate) Decimal() decimal.Decimal { return Amount(r).Decimal() }

// maxRateDecimals is the most decimal places a rate may have: a rate of a weak currency against a strong
// base needs more places than money does (0.0000613 EUR per IDR).
const maxRateDecimals = 12

// rateProblem says what is wrong with a rate string, or "" when it is valid: a decimal string > 0 with at
// most 12 decimal places and 15 integer digits, no sign or exponent.
func rateProblem(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	switch {
	case s == "":
		return "required (a decimal string such as \"1.0956\")"
	case strings.HasPrefix(s, "-"):
		return "must be > 0"
	case whole == "" || !allDigits(whole) || strings.Contains(s, ".") && (frac == "" || !allDigits(frac)):
		return "must be a decimal string such as \"1.0956\" (digits, optional '.' and fraction)"
	case len(strings.TrimLeft(whole, "0")) > 15:
		return "too large (more than 15 integer digits)"
	case len(frac) > maxRateDecimals:
		return "more than " + strconv.Itoa(maxRateDecimals) + " decimal places"
	case strings.Trim(whole+frac, "0") == "":
		return "must be > 0"
	}
	return ""
}

// EventType is TypeExchangeRatesPublished.
func (ExchangeRatesPublished) EventType() string { return TypeExchangeRatesPublished }

// Stream is rates-<rates_id>.
func (e ExchangeRatesPublished) Stream() string { return "rates-" + e.RatesID }

// Day is the UTC day the rates apply to, at midnight.
func (e ExchangeRatesPublished) Day() time.Time { return utcDay(mustDate(e.Date).Time) }

// utcDay is midnight UTC at the start of t's UTC day.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (e *ExchangeRatesPublished) validate(c checker) {
	c.id("rates_id", e.RatesID)
	c.text("source", e.Source)
	c.rateCurrency("base", e.Base)
	c.date("date", e.Date)
	if len(e.Rates) == 0 {
		c.fail("rates", "at least one rate is required ({\"USD\": \"1.0956\"})")
	}
	rc := c.at("rates")
	for _, cur := range slices.Sorted(maps.Keys(e.Rates)) {
		if !IsRateCurrency(cur) {
			rc.fail(cur, strconv.Quote(cur)+" is not an ISO 4217 currency code in upper case")
			continue
		}
		if p := rateProblem(string(e.Rates[cur])); p != "" {
			rc.fail(cur, p)
		} else if cur == e.Base && !e.Rates[cur].Decimal().Equal(decimal.NewFromInt(1)) {
			rc.fail(cur, "the base is 1 per base by definition")
		}
	}
}

func (c checker) rateCurrency(field, v string) {
	switch {
	case v == "":
		c.fail(field, "required (ISO 4217 code, e.g. EUR)")
	case !IsRateCurrency(v):
		c.fail(field, strconv.Quote(v)+" is not an ISO 4217 currency code in upper case")
	}
}
