package api_test

import (
	"fmt"
	"testing"
)

// TestMetricsCountWorkersAboveOneMonthByWhatTheyPaid: against a wage of 1500 MYR a month (terms), workers who
// paid 1500.00, 1500.01, 1507.49, 1507.50 and 1507.51 all but the last have the figure 1.00, and all but the
// first paid more than one month's wage: fairtrail_workers_above_one_month_of_wages counts those four, from
// the persisted model's totals, with a reporting currency and without one.
func TestMetricsCountWorkersAboveOneMonthByWhatTheyPaid(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]fixtureOption{"no currency": nil, "in USD": {withCurrency("USD")}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, false, opts...)
			events := []any{ratesOn(500), org(501, "ag-m"), issue(502, "jo-m", "emp-m", "buyer-m")}
			for i, paid := range []string{"1500.00", "1500.01", "1507.49", "1507.50", "1507.51"} {
				w := fmt.Sprintf("w-m%d", i)
				events = append(events, recruit(510+2*i, w, "jo-m", "ag-m"),
					ev(uuid(511+2*i), "FeePaid", "2024-03-04T09:00:00Z", map[string]any{"worker_id": w,
						"fee_id": "fee-" + w, "category": "recruitment_fee", "payer": "worker", "payee_id": "ag-m",
						"method": "cash", "amount": map[string]any{"amount": paid, "currency": "MYR"}}))
			}
			f.mustPost("admin", events)
			got := f.scrape(t)
			expect(t, got, "fairtrail_recruitment_cost_months_of_wages{}", 5)
			expect(t, got, "fairtrail_workers_above_one_month_of_wages{}", 4)
			expect(t, got, "fairtrail_recruitment_cost_months_of_wages_median{}", 1)
		})
	}
}
