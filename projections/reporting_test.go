package projections_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// rateBook holds two tables against the US dollar: 2024-03-01 gives MYR and NPR, 2024-04-01 gives MYR alone.
func rateBook() *domain.RateBook {
	b := &domain.RateBook{}
	b.Add(domain.EventID{15: 1}, &domain.ExchangeRatesPublished{RatesID: "fed-1", Source: "FED", Base: "USD",
		Date: "2024-03-01", Rates: map[string]domain.Rate{"MYR": "4.7000", "NPR": "133.00"}})
	b.Add(domain.EventID{15: 2}, &domain.ExchangeRatesPublished{RatesID: "fed-2", Source: "FED", Base: "USD",
		Date: "2024-04-01", Rates: map[string]domain.Rate{"MYR": "4.8000"}})
	return b
}

func paid(at, amount, currency string) projections.DatedMoney {
	return projections.DatedMoney{At: instant(at), Money: domain.Money{Amount: domain.Amount(amount), Currency: currency}}
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The cases are written from spec section 7: an amount converts at its own instant through the latest table on
// or before that UTC day giving both currencies (via the table's base), rounded half-even to 2 decimals per
// converted amount, then summed; an amount with no such rate is "not converted", never guessed, never dropped.
func TestReportingConvertsEachAmountAtItsOwnDay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		paid    []projections.DatedMoney
		want    string // worker_paid_fees in USD
		notConv string // JSON of not_converted.worker_paid_fees, "" for none
	}{
		{name: "a fee paid on a day with rates", paid: []projections.DatedMoney{paid("2024-03-04T09:00:00Z", "940.00", "MYR")},
			want: "200.00"},
		{name: "a fee paid on the day of the table, late in the day", paid: []projections.DatedMoney{paid("2024-03-01T23:59:59Z", "470.00", "MYR")},
			want: "100.00"},
		{name: "a fee paid the day before the first table is not converted",
			paid: []projections.DatedMoney{paid("2024-02-29T23:00:00Z", "500.00", "MYR")}, want: "0.00",
			notConv: `[{"amount":"500.00","currency":"MYR"}]`},
		{name: "a currency no table gives is listed as not converted, the rest summed",
			paid: []projections.DatedMoney{paid("2024-03-06T09:00:00Z", "400000.00", "BDT"), paid("2024-03-06T09:00:00Z", "470.00", "MYR")},
			want: "100.00", notConv: `[{"amount":"400000.00","currency":"BDT"}]`},
		{name: "the latest table giving both currencies, not merely the latest table",
			paid: []projections.DatedMoney{paid("2024-04-10T09:00:00Z", "13300.00", "NPR")}, want: "100.00"},
		{name: "the later table for a pair it gives", paid: []projections.DatedMoney{paid("2024-04-10T09:00:00Z", "480.00", "MYR")},
			want: "100.00"},
		{name: "an amount in the reporting currency as it is", paid: []projections.DatedMoney{paid("2020-01-01T00:00:00Z", "12.345", "USD")},
			want: "12.345"},
		{
			// 1.00 MYR / 4.7 = 0.212765...: each rounds to 0.21, so three make 0.63; rounding the sum of the exact
			// quotients (0.638...) would give 0.64.
			name: "rounded per converted amount, then summed",
			paid: []projections.DatedMoney{paid("2024-03-02T00:00:00Z", "1.00", "MYR"), paid("2024-03-03T00:00:00Z", "1.00", "MYR"),
				paid("2024-03-04T00:00:00Z", "1.00", "MYR")},
			want: "0.63",
		},
		{
			// 0.0235 MYR / 4.7 = 0.005 USD exactly: half-even gives 0.00 (half away from zero would give 0.01).
			name: "half-even at the half", paid: []projections.DatedMoney{paid("2024-03-02T00:00:00Z", "0.0235", "MYR")},
			want: "0.00",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := projections.Reporting{Currency: "USD", Rates: rateBook(), Clock: instant("2025-01-01T00:00:00Z")}
			row := projections.NewRollupMoney("USD")
			w := rep.Worker(&projections.Ledger{Paid: tc.paid})
			row.Add(&w)
			c := row.Converted()
			if got := string(c.WorkerPaid.Amount); got != tc.want || c.WorkerPaid.Currency != "USD" {
				t.Errorf("worker-paid %s %s, want %s USD", got, c.WorkerPaid.Currency, tc.want)
			}
			got := ""
			if len(c.NotConverted.WorkerPaid) > 0 {
				b, _ := json.Marshal(c.NotConverted.WorkerPaid)
				got = string(b)
			}
			if got != tc.notConv {
				t.Errorf("not converted %s, want %s", got, tc.notConv)
			}
		})
	}
}

// Remediation progress: owed back and outstanding at the fee's day, reimbursements at their own, overdue once the
// clock passes the deadline, the share repaid from the converted figures.
func TestReportingRemediationProgress(t *testing.T) {
	t.Parallel()
	owed := projections.OwedMoney{At: instant("2024-03-04T09:00:00Z"), Deadline: instant("2024-06-01T00:00:00Z"),
		Owed:        domain.Money{Amount: "80000.00", Currency: "NPR"},
		Outstanding: domain.Money{Amount: "20000.00", Currency: "NPR"}}
	l := projections.Ledger{Paid: []projections.DatedMoney{paid("2024-03-04T09:00:00Z", "80000.00", "NPR")},
		Reimbursed: []projections.DatedMoney{paid("2024-04-10T09:00:00Z", "60000.00", "NPR")},
		Owed:       []projections.OwedMoney{owed}}
	cases := []struct {
		name, clock, overdue string
	}{
		{name: "before the deadline nothing is overdue", clock: "2024-05-31T23:59:59Z", overdue: "0.00"},
		{name: "after the deadline the outstanding part is overdue", clock: "2024-06-01T00:00:01Z", overdue: "150.38"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := projections.Reporting{Currency: "USD", Rates: rateBook(), Clock: instant(tc.clock)}
			row := projections.NewRollupMoney("USD")
			w := rep.Worker(&l)
			row.Add(&w)
			c := row.Converted()
			got := []string{string(c.WorkerPaid.Amount), string(c.OwedBack.Amount), string(c.Reimbursed.Amount),
				string(c.Outstanding.Amount), c.ShareRepaid, string(c.Overdue.Amount)}
			want := []string{"601.50", "601.50", "451.13", "150.38", "0.7500", tc.overdue}
			if !slices.Equal(got, want) {
				t.Errorf("paid, owed, reimbursed, outstanding, share, overdue = %v, want %v", got, want)
			}
			if !c.NotConverted.Empty() {
				t.Errorf("not converted %+v, want none", c.NotConverted)
			}
		})
	}
}

func TestReportingLeavesTheShareOutWhenPartOfTheDebtIsNotConverted(t *testing.T) {
	t.Parallel()
	rep := projections.Reporting{Currency: "USD", Rates: rateBook(), Clock: instant("2025-01-01T00:00:00Z")}
	l := projections.Ledger{Owed: []projections.OwedMoney{{At: instant("2024-03-06T00:00:00Z"), Deadline: instant("2024-06-01T00:00:00Z"),
		Owed: domain.Money{Amount: "1000.00", Currency: "BDT"}, Outstanding: domain.Money{Amount: "1000.00", Currency: "BDT"}}}}
	row := projections.NewRollupMoney("USD")
	w := rep.Worker(&l)
	row.Add(&w)
	c := row.Converted()
	if c.ShareRepaid != "" || len(c.NotConverted.OwedBack) != 1 || len(c.NotConverted.Overdue) != 1 {
		t.Errorf("share %q, not converted %+v: want no share and the BDT debt listed as owed back and overdue", c.ShareRepaid, c.NotConverted)
	}
}

func TestSummariseMonths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		figures        []string
		without        int
		median, mean   string
		above, figured int
	}{
		{name: "no worker with a figure", without: 2},
		{name: "one worker", figures: []string{"1.50"}, median: "1.50", mean: "1.50", above: 1, figured: 1},
		{name: "an odd count takes the middle figure", figures: []string{"3.00", "0.50", "1.00"}, median: "1.00",
			mean: "1.50", above: 1, figured: 3},
		{
			// (0.33 + 1.88) / 2 = 1.105 rounds half-even to 1.10; the mean 4.21 / 4 = 1.0525 to 1.05.
			name: "an even count takes the mean of the two middle figures, half-even", figures: []string{"2.00", "0.00", "1.88", "0.33"},
			without: 1, median: "1.10", mean: "1.05", above: 2, figured: 4,
		},
		{name: "exactly one month is not above one month", figures: []string{"1.00", "1.01"}, median: "1.00", mean: "1.00",
			above: 1, figured: 2},
		{
			// 1500.01 or 1507.50 paid against 1500 a month: the figure is 1.00, the worker paid more.
			name: "a figure of 1.00 marked above one month counts above it", figures: []string{"1.00", "1.00+", "1.00+", "0.50"},
			median: "1.00", mean: "0.88", above: 2, figured: 4,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			counted := map[string]int{}
			for _, f := range tc.figures {
				counted[f]++
			}
			counts, err := projections.CountMonths(counted)
			if err != nil {
				t.Fatal(err)
			}
			s := projections.SummariseMonthCounts(counts, tc.without)
			want := projections.MonthsSummary{WorkersWithFigure: tc.figured, WorkersWithoutFigure: tc.without, Median: tc.median,
				Mean: tc.mean, WorkersAboveOneMonth: tc.above}
			if *s != want {
				t.Errorf("got %+v, want %+v", *s, want)
			}
		})
	}
}

func TestCheckCurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		ok   bool
	}{{"USD", true}, {"MYR", true}, {"usd", false}, {"US", false}, {"XXXX", false}, {"", false}, {"ZZZ", false}} {
		err := projections.CheckCurrency(tc.code)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, projections.ErrCurrency)) {
			t.Errorf("CheckCurrency(%q) = %v, want ok %v", tc.code, err, tc.ok)
		}
	}
}

func TestParseCountedMonths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, months string
		above, ok    bool
	}{
		{"1.00", "1", false, true}, {"1.00+", "1", true, true}, {"1.01", "1.01", true, true}, {"0.99", "0.99", false, true},
		{"1.01+", "", false, false}, {"0.99+", "", false, false}, {"+", "", false, false}, {"1.00++", "", false, false},
		{"one", "", false, false},
	} {
		months, above, err := projections.ParseCountedMonths(tc.text)
		if (err == nil) != tc.ok || tc.ok && (months.String() != tc.months || above != tc.above) {
			t.Errorf("ParseCountedMonths(%q) = %s, %v, %v; want %s, %v, ok %v", tc.text, months, above, err, tc.months,
				tc.above, tc.ok)
		}
	}
}
