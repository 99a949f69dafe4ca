package domain_test

import (
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// table is a rates table for tests: id byte, source, base, date and rates.
type table struct {
	id     byte
	source string
	base   string
	date   string
	rates  map[string]domain.Rate
}

func book(tables ...table) *domain.RateBook {
	b := &domain.RateBook{}
	for _, t := range tables {
		b.Add(domain.EventID{15: t.id}, &domain.ExchangeRatesPublished{RatesID: t.source + "-" + t.date,
			Source: t.source, Base: t.base, Date: t.date, Rates: t.rates})
	}
	return b
}

func money(amount, currency string) domain.Money {
	return domain.Money{Amount: domain.Amount(amount), Currency: currency}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestConvertFollowsSpecSection7 checks each clause of the conversion rule of spec section 7.
func TestConvertFollowsSpecSection7(t *testing.T) {
	ecb := func(id byte, date string, rates map[string]domain.Rate) table {
		return table{id, "ECB", "EUR", date, rates}
	}
	tables := []table{
		ecb(1, "2025-03-03", map[string]domain.Rate{"USD": "1.0500", "MYR": "4.6500", "NPR": "145.00"}),
		ecb(2, "2025-03-04", map[string]domain.Rate{"USD": "1.0600", "MYR": "4.6219", "NPR": "145.21"}),
		ecb(3, "2025-03-05", map[string]domain.Rate{"USD": "1.0700"}), // no MYR or NPR that day
		ecb(4, "2025-03-07", map[string]domain.Rate{"USD": "2", "MYR": "0.125", "QAR": "0.135", "SAR": "0.145"}),
		{5, "BNM", "MYR", "2025-03-06", map[string]domain.Rate{"BDT": "26.10"}},
	}
	cases := []struct {
		name     string
		amount   domain.Money
		to       string
		at       string
		want     string // "" when not converted
		ratesID  string
		wantRate string
	}{
		{"rates of the day, via the base", money("100.00", "NPR"), "MYR", "2025-03-04T09:00:00Z", "3.18", "ECB-2025-03-04", "0.0318290751"},
		{"rounding only in the result", money("1000000", "NPR"), "MYR", "2025-03-04T09:00:00Z", "31829.08", "ECB-2025-03-04", ""}, // the rate rounded to 4 places, 0.0318, would give 31800.00
		{"no table on the day: the day before", money("100.00", "USD"), "EUR", "2025-03-06T12:00:00Z", "93.46", "ECB-2025-03-05", "0.9345794393"},
		{"the table of the day lacks a currency: the latest that gives both", money("1000", "NPR"), "USD", "2025-03-05T10:00:00Z", "7.30", "ECB-2025-03-04", ""},
		{"from the base at rate 1", money("10.00", "EUR"), "USD", "2025-03-03T00:00:00Z", "10.50", "ECB-2025-03-03", "1.05"},
		{"into the base at rate 1", money("10.50", "USD"), "EUR", "2025-03-03T23:59:59Z", "10.00", "ECB-2025-03-03", ""},
		{"the instant's UTC day, not its local day", money("10.00", "EUR"), "USD", "2025-03-03T23:30:00-05:00", "10.60", "ECB-2025-03-04", ""},
		{"a table of another source and base", money("100.00", "MYR"), "BDT", "2025-03-06T08:00:00Z", "2610.00", "BNM-2025-03-06", "26.1"},
		{"below a half rounds down", money("1", "USD"), "MYR", "2025-03-07T00:00:00Z", "0.06", "ECB-2025-03-07", ""},
		{"half-even rounds 0.125 to 0.12", money("1", "EUR"), "MYR", "2025-03-07T00:00:00Z", "0.12", "ECB-2025-03-07", ""},
		{"half-even rounds 0.135 to 0.14", money("1", "EUR"), "QAR", "2025-03-07T00:00:00Z", "0.14", "ECB-2025-03-07", ""},
		{"half-even rounds 0.145 to 0.14", money("1", "EUR"), "SAR", "2025-03-07T00:00:00Z", "0.14", "ECB-2025-03-07", ""},
		{"the same currency needs no rate", money("12.345", "NPR"), "NPR", "1999-01-01T00:00:00Z", "12.345", "", ""},
		{"a missing currency is not converted", money("100.00", "NPR"), "AED", "2025-03-04T09:00:00Z", "", "", ""},
		{"before the first table: not converted", money("100.00", "USD"), "EUR", "2025-03-02T23:59:59Z", "", "", ""},
		{"no table gives both, ever: not converted", money("100.00", "BDT"), "USD", "2025-03-09T00:00:00Z", "", "", ""},
	}
	b := book(tables...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := b.Convert(tc.amount, tc.to, at(tc.at))
			d, dok := b.ConvertAmount(tc.amount, tc.to, at(tc.at))
			if dok != ok || ok && !d.Equal(c.To.Amount.Decimal()) {
				t.Errorf("ConvertAmount %v %v, Convert %v %v: they must agree", d, dok, c.To.Amount, ok)
			}
			if tc.want == "" {
				if ok {
					t.Fatalf("converted to %v, want not converted", c.To)
				}
				return
			}
			if !ok {
				t.Fatal("not converted")
			}
			if c.To.Currency != tc.to || string(c.To.Amount) != tc.want {
				t.Errorf("converted to %s %s, want %s %s", c.To.Amount, c.To.Currency, tc.want, tc.to)
			}
			if c.Rate.RatesID != tc.ratesID {
				t.Errorf("rates_id %q, want %q", c.Rate.RatesID, tc.ratesID)
			}
			if tc.wantRate != "" && c.Rate.Rate != tc.wantRate {
				t.Errorf("rate %s, want %s", c.Rate.Rate, tc.wantRate)
			}
		})
	}
}

func TestConvertPrefersTheTableAddedLastOnADay(t *testing.T) {
	b := book(
		table{1, "ECB", "EUR", "2025-03-04", map[string]domain.Rate{"USD": "1.0000"}},
		table{2, "ECB-corrected", "EUR", "2025-03-04", map[string]domain.Rate{"USD": "2.0000"}},
		table{3, "ECB", "EUR", "2025-03-03", map[string]domain.Rate{"USD": "3.0000"}},
	)
	c, ok := b.Convert(money("1", "EUR"), "USD", at("2025-03-04T12:00:00Z"))
	if !ok || c.To.Amount != "2.00" || c.Rate.Source != "ECB-corrected" || c.Rate.EventID != (domain.EventID{15: 2}).String() {
		t.Errorf("got %+v, %v; want 2.00 USD from ECB-corrected", c, ok)
	}
	if b.Len() != 3 {
		t.Errorf("Len %d, want 3", b.Len())
	}
}

// TestConvertNamesTheSameRateConcurrently: the rate a table names for a pair is made once and shared, so
// conversions on several goroutines (a rebuild's judges) name it alike, and each its own copy.
func TestConvertNamesTheSameRateConcurrently(t *testing.T) {
	b := book(table{1, "ECB", "EUR", "2025-03-04", map[string]domain.Rate{"USD": "1.0600", "MYR": "4.6219"}})
	when := at("2025-03-04T12:00:00Z")
	want, ok := b.Convert(money("10", "USD"), "MYR", when)
	if !ok {
		t.Fatal("not converted")
	}
	got := make([]domain.Conversion, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			for range 100 {
				got[i], _ = b.Convert(money("10", "USD"), "MYR", when)
				b.Convert(money("10", "MYR"), "USD", when)
			}
			got[i].Rate.Source = "changed by its caller" // a copy: changes nothing the next conversion names
		})
	}
	wg.Wait()
	for i, c := range got {
		c.Rate.Source = want.Rate.Source
		if c != want {
			t.Errorf("goroutine %d: %+v, want %+v", i, c, want)
		}
	}
	if c, _ := b.Convert(money("10", "USD"), "MYR", when); c != want {
		t.Errorf("after: %+v, want %+v", c, want)
	}
}

func TestConvertWithAnEmptyBook(t *testing.T) {
	var b *domain.RateBook
	if _, ok := b.Convert(money("1", "EUR"), "USD", at("2025-03-04T12:00:00Z")); ok {
		t.Error("a nil book converted")
	}
	if c, ok := b.Convert(money("1", "EUR"), "EUR", at("2025-03-04T12:00:00Z")); !ok || c.To.Amount != "1" {
		t.Errorf("same currency through a nil book: %+v %v", c, ok)
	}
}

func TestDivRoundHalfEven(t *testing.T) {
	cases := []struct {
		name, num, den string
		places         int32
		want           string
	}{
		{"exact", "10", "4", 2, "2.5"},
		{"a third", "1", "3", 2, "0.33"},
		{"two thirds", "2", "3", 2, "0.67"},
		{"half to even, down", "1", "8", 2, "0.12"},
		{"half to even, up", "3", "8", 2, "0.38"},
		{"just above half", "1250001", "10000000", 2, "0.13"},
		{"negative half to even", "-1", "8", 2, "-0.12"},
		{"negative above half", "-2", "3", 2, "-0.67"},
		{"large", "123456789012345.678901", "0.000061", 2, "2023881787087634080.34"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.DivRoundHalfEven(decimal.RequireFromString(tc.num), decimal.RequireFromString(tc.den), tc.places)
			if !got.Equal(decimal.RequireFromString(tc.want)) {
				t.Errorf("%s / %s = %s, want %s", tc.num, tc.den, got, tc.want)
			}
		})
	}
}
