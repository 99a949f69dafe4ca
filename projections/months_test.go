package projections_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// The months-of-wages cases are written from spec section 7: the sum of everything the worker paid (payer =
// worker, every category, converted to the currency of the baseline wage at each fee's occurred_at) divided by
// the baseline's monthly wage equivalent (section 4), to 2 decimals. In the standard world w-1 is promised
// 1500.00 MYR a month (48 hours, 1 rest day a week) by job order jo-1.
func TestMonthsOfWages(t *testing.T) {
	t.Parallel()
	npr := map[string]domain.Rate{"MYR": "4.6219", "NPR": "145.21"}
	cases := []struct {
		name      string
		steps     []step
		want      string // "" when there is no figure
		paid      string
		monthly   string
		converted int
		missing   []string // fee ids not converted
	}{
		{name: "a worker who paid nothing", steps: world(), want: "0.00", paid: "0.00 MYR", monthly: "1500.00 MYR"},
		{
			name:  "fees in the wage's currency",
			steps: world(on(8, "fee-1", fee("f-1", recruitmentFee, "2000.00 MYR")), on(9, "fee-2", fee("f-2", medical, "1000.00 MYR"))),
			want:  "2.00", paid: "3000.00 MYR", monthly: "1500.00 MYR",
		},
		{
			name: "fees paid by the employer or an agency are not the worker's cost",
			steps: world(on(8, "fee-1", fee("f-1", recruitmentFee, "1500.00 MYR")),
				on(9, "fee-2", fee("f-2", domain.FeeVisa, "900.00 MYR", paidBy(domain.PayerEmployer))),
				on(9, "fee-3", fee("f-3", domain.FeeTravel, "900.00 MYR", paidBy(domain.PayerAgency)))),
			want: "1.00", paid: "1500.00 MYR", monthly: "1500.00 MYR",
		},
		{
			// 100000 NPR on day 8 = 3182.91 MYR (rates of day 7); 50000 NPR on day 20 = 1532.94 MYR (rates of day 20).
			name: "fees in another currency converted at each fee's day",
			steps: world(ecbOn(7, npr), on(20, "ecb-2", &domain.ExchangeRatesPublished{RatesID: "ecb-" + date(20), Source: "ECB",
				Base: "EUR", Date: date(20), Rates: map[string]domain.Rate{"MYR": "4.7000", "NPR": "153.30"}}),
				on(8, "fee-1", fee("f-1", recruitmentFee, "100000.00 NPR")), on(21, "fee-2", fee("f-2", medical, "50000.00 NPR"))),
			want: "3.14", paid: "4715.85 MYR", monthly: "1500.00 MYR", converted: 2,
		},
		{
			name:  "a fee with no rate leaves no figure",
			steps: world(on(8, "fee-1", fee("f-1", recruitmentFee, "2000.00 MYR")), on(9, "fee-2", fee("f-2", recruitmentFee, "40000.00 NPR"))),
			paid:  "2000.00 MYR", monthly: "1500.00 MYR", missing: []string{"f-2"},
		},
		{
			// 50 MYR a day, 6 days a week: 50 x 6 x 52 / 12 = 1300 MYR a month; 1000 / 1300 = 0.769...
			name:  "a daily wage by its monthly equivalent",
			steps: replace(world(on(8, "fee-1", fee("f-1", recruitmentFee, "1000.00 MYR"))), on(1, "jo", issued(jobOrder1, terms(paying("50.00 MYR/day"))))),
			want:  "0.77", paid: "1000.00 MYR", monthly: "1300.00 MYR",
		},
		{
			// 1 / 8 = 0.125: half-even gives 0.12 (half away from zero would give 0.13).
			name:  "rounded half-even, once, in the result",
			steps: replace(world(on(8, "fee-1", fee("f-1", recruitmentFee, "1.00 MYR"))), on(1, "jo", issued(jobOrder1, terms(paying("8.00 MYR/month"))))),
			want:  "0.12", paid: "1.00 MYR", monthly: "8.00 MYR",
		},
		{
			name: "the first contract signed before departure is the baseline",
			steps: world(on(8, "fee-1", fee("f-1", recruitmentFee, "3600.00 MYR")),
				on(20, "c1", contract("c-1", domain.StagePreDeparture, terms(paying("1200.00 MYR/month")))), on(30, "departed", departed())),
			want: "3.00", paid: "3600.00 MYR", monthly: "1200.00 MYR",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t, tc.steps)
			got, ok := build(projections.Filter{}, s.globalOrder()).View(defaultClock).MonthsOfWages(worker1)
			if !ok {
				t.Fatal("worker unknown")
			}
			if got.Months != tc.want || got.Has() != (tc.want != "") {
				t.Errorf("months %q (has %v), want %q; reason %q", got.Months, got.Has(), tc.want, got.Reason)
			}
			if !sameMoney([]domain.Money{got.WorkerPaid}, []string{tc.paid}) || !sameMoney([]domain.Money{got.MonthlyWage}, []string{tc.monthly}) {
				t.Errorf("worker paid %v, monthly wage %v; want %s and %s", got.WorkerPaid, got.MonthlyWage, tc.paid, tc.monthly)
			}
			if len(got.Conversions) != tc.converted {
				t.Errorf("%d conversions, want %d", len(got.Conversions), tc.converted)
			}
			var missing []string
			for _, f := range got.NotConverted {
				missing = append(missing, f.FeeID)
			}
			if len(missing) != len(tc.missing) || len(missing) > 0 && missing[0] != tc.missing[0] {
				t.Errorf("not converted %v, want %v", missing, tc.missing)
			}
		})
	}
}

func TestMonthsOfWagesWithoutABaseline(t *testing.T) {
	t.Parallel()
	s := newScenario(t, []step{on(5, "recruit", recruited(worker1, originAgency)),
		on(8, "fee-1", fee("f-1", recruitmentFee, "1000.00 MYR"))})
	v := build(projections.Filter{}, s.globalOrder()).View(defaultClock)
	got, ok := v.MonthsOfWages(worker1)
	if !ok || got.Has() || got.Reason == "" {
		t.Errorf("got %+v, %v: want a known worker with no figure and a reason", got, ok)
	}
	if _, ok := v.MonthsOfWages("w-nobody"); ok {
		t.Error("an unknown worker is known")
	}
}
