package domain_test

import (
	"reflect"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		name string
		in   decimal.Decimal
		want string
	}{
		{"whole number gets two places", dec("1500"), "1500.00"},
		{"one place padded to two", dec("1500.5"), "1500.50"},
		{"two places kept", dec("1500.05"), "1500.05"},
		{"three places kept", dec("0.125"), "0.125"},
		{"six places kept", dec("0.000001"), "0.000001"},
		{"trailing zeros kept", dec("1.000000"), "1.000000"},
		{"zero", decimal.Zero, "0.00"},
		{"positive exponent", decimal.New(15, 2), "1500.00"},
		{"negative", dec("-5"), "-5.00"},
		{"sum keeps the finer precision", dec("100.00").Add(dec("0.125")), "100.125"},
		{"large", dec("999999999999999.99"), "999999999999999.99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.FormatAmount(tc.in); got != tc.want {
				t.Errorf("FormatAmount(%s) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSums(t *testing.T) {
	type add struct{ currency, amount string }
	tests := []struct {
		name string
		adds []add
		want []domain.Money
	}{
		{"nothing", nil, []domain.Money{}},
		{"one fee", []add{{"NPR", "150000.00"}}, []domain.Money{{Amount: "150000.00", Currency: "NPR"}}},
		{"exact decimal sum", []add{{"MYR", "0.10"}, {"MYR", "0.20"}}, []domain.Money{{Amount: "0.30", Currency: "MYR"}}},
		{"totals per currency, sorted", []add{{"USD", "300"}, {"NPR", "1000"}, {"MYR", "100.00"}, {"AED", "5.5"}, {"MYR", "50.50"}},
			[]domain.Money{{Amount: "5.50", Currency: "AED"}, {Amount: "150.50", Currency: "MYR"},
				{Amount: "1000.00", Currency: "NPR"}, {Amount: "300.00", Currency: "USD"}}},
		{"zero total left out", []add{{"NPR", "75000.00"}, {"NPR", "-75000.00"}, {"MYR", "1"}},
			[]domain.Money{{Amount: "1.00", Currency: "MYR"}}},
		{"only zeros", []add{{"NPR", "0"}}, []domain.Money{}},
		{"precision of the finest amount", []add{{"BHD", "1.250"}, {"BHD", "0.005"}},
			[]domain.Money{{Amount: "1.255", Currency: "BHD"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := domain.Sums{}
			for _, a := range tc.adds {
				s.Add(a.currency, dec(a.amount))
			}
			if got := s.Money(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Money() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAmountDecimal(t *testing.T) {
	tests := []struct {
		in   domain.Amount
		want string
	}{
		{"1500.00", "1500"},
		{"000150000.50", "150000.5"},
		{"0.000001", "0.000001"},
		{"", "0"},
		{"not a number", "0"},
	}
	for _, tc := range tests {
		t.Run(string(tc.in), func(t *testing.T) {
			if got := tc.in.Decimal(); !got.Equal(dec(tc.want)) {
				t.Errorf("Amount(%q).Decimal() = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestMoneyIsZero(t *testing.T) {
	tests := []struct {
		m    domain.Money
		want bool
	}{
		{domain.Money{Amount: "0"}, true},
		{domain.Money{Amount: "0.00", Currency: "MYR"}, true},
		{domain.Money{Amount: "0.01", Currency: "MYR"}, false},
		{domain.Money{Amount: "1500.00", Currency: "NPR"}, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.m.Amount)+" "+tc.m.Currency, func(t *testing.T) {
			if got := tc.m.IsZero(); got != tc.want {
				t.Errorf("IsZero() = %v, want %v", got, tc.want)
			}
		})
	}
}
