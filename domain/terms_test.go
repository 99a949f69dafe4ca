package domain_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// wageTerms are terms paying amount per period, with the given hours and rest days a week.
func wageTerms(amount, per string, hoursPerWeek, restDaysPerWeek int) domain.Terms {
	return domain.Terms{
		Wage:            domain.Wage{Amount: domain.Amount(amount), Currency: "MYR", Per: per},
		HoursPerWeek:    &hoursPerWeek,
		RestDaysPerWeek: &restDaysPerWeek,
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// wageCases follow spec section 4: month = amount; week = amount x 52/12; day = amount x (7 - rest days)
// x 52/12; hour = amount x hours x 52/12.
var wageCases = []struct {
	name       string
	terms      domain.Terms
	places     int32
	annual     string
	monthly    string
	regression string
}{
	{"hour 10.00 x 48 h", wageTerms("10.00", "hour", 48, 1), 2, "24960", "2080.00", ""},
	{"hour 8.72 x 45 h", wageTerms("8.72", "hour", 45, 1), 2, "20404.8", "1700.40", ""},
	{"hour 10 x 40 h rounds down", wageTerms("10", "hour", 40, 2), 2, "20800", "1733.33", ""},
	{"hour ignores rest days", wageTerms("10.00", "hour", 48, 0), 2, "24960", "2080.00", ""},
	{"day 50 with 1 rest day", wageTerms("50", "day", 48, 1), 2, "15600", "1300.00", ""},
	{"day 65.40 with 1 rest day", wageTerms("65.40", "day", 45, 1), 2, "20404.8", "1700.40", ""},
	{"day 60 with no rest day", wageTerms("60", "day", 84, 0), 2, "21840", "1820.00", ""},
	{"day 50 with 2 rest days", wageTerms("50", "day", 40, 2), 2, "13000", "1083.33", ""},
	{"day ignores hours", wageTerms("50", "day", 60, 1), 2, "15600", "1300.00", ""},
	{"week 300", wageTerms("300", "week", 48, 1), 2, "15600", "1300.00", ""},
	{"week 350 rounds up", wageTerms("350", "week", 48, 1), 2, "18200", "1516.67", ""},
	{"week 100 rounds down", wageTerms("100", "week", 48, 1), 2, "5200", "433.33", ""},
	{"week 0.015 rounds half away from zero", wageTerms("0.015", "week", 48, 1), 2, "0.78", "0.07", ""},
	{"month 1500.00", wageTerms("1500.00", "month", 48, 1), 2, "18000", "1500.00", ""},
	{"month ignores hours and rest days", wageTerms("1500.00", "month", 1, 7), 2, "18000", "1500.00", ""},
	{"month zero", wageTerms("0", "month", 48, 1), 2, "0", "0.00", ""},
	{"unknown period year", wageTerms("18000", "year", 48, 1), 2, "0", "0.00", ""},
	{"week 100 to 4 places", wageTerms("100", "week", 48, 1), 4, "5200", "433.3333", ""},
	{"month 1500.50 to whole units", wageTerms("1500.50", "month", 48, 1), 0, "18006", "1501", ""},
	{
		"week 300.021923 rounds down", wageTerms("300.021923", "week", 48, 1), 2, "15601.139996", "1300.09",
		"MonthlyFromAnnual (terms.go) rounds twice, DivRound to places+4 then Round to places: 15601.139996/12 = " +
			"1300.0949996666... is rounded to 1300.095000, then to 1300.10 instead of 1300.09",
	},
	{
		"month 1500.49995 to whole units", wageTerms("1500.49995", "month", 48, 1), 0, "18005.9994", "1500",
		"MonthlyFromAnnual (terms.go) double rounding: 1500.49995 becomes 1500.5000 at 4 places, then 1501",
	},
}

func TestMonthlyWage(t *testing.T) {
	for _, tc := range wageCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.terms.MonthlyWage(tc.places).StringFixed(tc.places); got != tc.monthly {
				t.Errorf("MonthlyWage(%d) = %s, want %s", tc.places, got, tc.monthly)
			}
		})
	}
}

func TestAnnualEquivalent(t *testing.T) {
	for _, tc := range wageCases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.terms.AnnualEquivalent(tc.terms.Wage.Amount.Decimal(), tc.terms.Wage.Per)
			if !got.Equal(dec(tc.annual)) {
				t.Errorf("AnnualEquivalent = %s, want %s", got, tc.annual)
			}
		})
	}
}

func TestAnnualEquivalentOfDeductions(t *testing.T) {
	terms := wageTerms("1500.00", "month", 48, 1)
	tests := []struct {
		name   string
		amount string
		per    string
		want   string
	}{
		{"housing 100.00 a month", "100.00", "month", "1200"},
		{"housing 25.00 a week", "25.00", "week", "1300"},
		{"meals 5.00 a working day", "5.00", "day", "1560"},
		{"levy 0.50 an hour", "0.50", "hour", "1248"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := terms.AnnualEquivalent(dec(tc.amount), tc.per); !got.Equal(dec(tc.want)) {
				t.Errorf("AnnualEquivalent(%s, %s) = %s, want %s", tc.amount, tc.per, got, tc.want)
			}
		})
	}
}

func TestMonthlyFromAnnual(t *testing.T) {
	tests := []struct {
		name       string
		annual     string
		places     int32
		want       string
		regression string
	}{
		{"whole", "15600", 2, "1300.00", ""},
		{"tenths", "20404.8", 2, "1700.40", ""},
		{"repeating third", "5200", 2, "433.33", ""},
		{"exact half cent rounds away from zero", "0.78", 2, "0.07", ""},
		{"negative shortfall rounds away from zero", "-0.78", 2, "-0.07", ""},
		{"zero", "0", 2, "0.00", ""},
		{
			"just under half a cent", "18000.0599988", 2, "1500.00",
			"MonthlyFromAnnual (terms.go) double rounding: 18000.0599988/12 = 1500.0049999 becomes 1500.005000, then 1500.01",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.MonthlyFromAnnual(dec(tc.annual), tc.places).StringFixed(tc.places); got != tc.want {
				t.Errorf("MonthlyFromAnnual(%s, %d) = %s, want %s", tc.annual, tc.places, got, tc.want)
			}
		})
	}
}

// TestMonthlyWageOfDecodedTerms reads the terms from the examples, as projections do.
func TestMonthlyWageOfDecodedTerms(t *testing.T) {
	tests := []struct {
		typ  string
		want string
	}{
		{domain.TypeJobOrderIssued, "1500.00"},  // 1500.00 a month
		{domain.TypeJobOrderAmended, "1700.40"}, // 65.40 a day, 6 days a week
		{domain.TypeContractSigned, "1500.00"},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			var terms domain.Terms
			switch e := mustDecode(t, exampleOf(tc.typ)).Event.(type) {
			case *domain.JobOrderIssued:
				terms = e.Terms
			case *domain.JobOrderAmended:
				terms = e.Terms
			case *domain.ContractSigned:
				terms = e.Terms
			}
			if got := domain.FormatAmount(terms.MonthlyWage(2)); got != tc.want {
				t.Errorf("monthly wage %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTermsAccessors(t *testing.T) {
	var absent domain.Terms
	if absent.Hours() != 0 || absent.RestDays() != 0 || absent.Duration() != 0 {
		t.Errorf("absent counts = %d, %d, %d; want 0, 0, 0", absent.Hours(), absent.RestDays(), absent.Duration())
	}
	hours, rest, months := 48, 1, 24
	set := domain.Terms{HoursPerWeek: &hours, RestDaysPerWeek: &rest, DurationMonths: &months}
	if set.Hours() != 48 || set.RestDays() != 1 || set.Duration() != 24 {
		t.Errorf("counts = %d, %d, %d; want 48, 1, 24", set.Hours(), set.RestDays(), set.Duration())
	}
}
