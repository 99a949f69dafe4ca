package projections_test

import (
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// The cases of caps across currencies are written from spec sections 3 and 7: where a rate applies at the
// fee's occurred_at, a fee in another currency than a non-zero cap is converted into the cap's currency and
// judged, and fee.cap_exceeded names the rate used; without a rate it stays "not judged".

func TestCapsAcrossCurrencies(t *testing.T) { runFlagCases(t, moneyCases()) }

// myrCapLaw caps the recruitment fee of Nepalis in Malaysia at 1000 MYR, repaid within the default 90 days.
func myrCapLaw() step {
	return on(0, "law", nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "1000.00 MYR")))
}

// ecbOn is the ECB's table for day n: units per euro.
func ecbOn(n int, rates map[string]domain.Rate) step {
	return on(n, "ecb", &domain.ExchangeRatesPublished{RatesID: "ecb-" + date(n), Source: "ECB", Base: "EUR",
		Date: date(n), Rates: rates})
}

var ecbRates = map[string]domain.Rate{"USD": "1.0478", "MYR": "4.6219", "NPR": "145.21"}

// tieRates make 200 NPR one MYR, so that an amount in NPR converts to a half cent exactly.
var tieRates = map[string]domain.Rate{"MYR": "2", "NPR": "400"}

func moneyCases() []flagCase {
	return []flagCase{
		{
			// 40000 NPR x 4.6219 / 145.21 = 1273.163... MYR, rounded once to 1273.16.
			name:  "a cap in MYR judged against a fee in NPR, with the rate of the day before",
			steps: world(myrCapLaw(), ecbOn(9, ecbRates), on(10, "fee-1", fee("f-1", recruitmentFee, "40000.00 NPR"))),
			want:  []flagWant{raised(capExceeded, "fee-1", "ecb").amount("273.16 MYR").with(convertedWith("ecb-" + date(9)))},
		},
		{
			name:   "a fee in NPR converted below the MYR cap",
			steps:  world(myrCapLaw(), ecbOn(9, ecbRates), on(10, "fee-1", fee("f-1", recruitmentFee, "30000.00 NPR"))),
			misses: []string{capExceeded},
		},
		{
			// 20000 NPR = 636.58 MYR, with 400 MYR: 1036.58 MYR.
			name: "fees in NPR and MYR summed in the cap's currency",
			steps: world(myrCapLaw(), ecbOn(9, ecbRates), on(10, "fee-1", fee("f-1", recruitmentFee, "20000.00 NPR")),
				on(11, "fee-2", fee("f-2", recruitmentFee, "400.00 MYR"))),
			want: []flagWant{raised(capExceeded, "fee-2", "fee-1", "ecb").amount("36.58 MYR")},
		},
		{
			// The part over the cap is owed back in the fee's currency: 40000 x 273.16 / 1273.16 = 8582.11 NPR.
			name: "the part of a converted fee over the cap is owed back in the fee's currency",
			steps: world(on(0, "law", repayIn(nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "1000.00 MYR")), 30)),
				ecbOn(9, ecbRates), on(10, "fee-1", fee("f-1", recruitmentFee, "40000.00 NPR"))),
			clock: day(200),
			want: []flagWant{raised(capExceeded, "fee-1").amount("273.16 MYR"),
				raised(overdue, "fee-1").dueDays(30).amount("8582.11 NPR")},
		},
		{
			name: "a fee with no rate for its currency is left not judged",
			steps: world(myrCapLaw(), ecbOn(9, map[string]domain.Rate{"USD": "1.0478", "MYR": "4.6219"}),
				on(10, "fee-1", fee("f-1", recruitmentFee, "40000.00 NPR")),
				on(11, "fee-2", fee("f-2", recruitmentFee, "1200.00 MYR"))),
			want: []flagWant{raised(capExceeded, "fee-2").amount("200.00 MYR").with(notJudgedFee("f-1", "no published rate"))},
		},
		{
			// 100001 NPR x 2 / 400 = 500.005 MYR, rounded half-even to 500.00 per converted amount: two such fees
			// make 1000.00 MYR, the cap itself. Rounding their sum (1000.01) or each amount half up (500.01)
			// would exceed it.
			name: "each converted amount is rounded on its own, half-even, before the cap sums them",
			steps: world(myrCapLaw(), ecbOn(9, tieRates), on(10, "fee-1", fee("f-1", recruitmentFee, "100001 NPR")),
				on(11, "fee-2", fee("f-2", recruitmentFee, "100001 NPR"))),
			misses: []string{capExceeded},
		},
		{
			// 100003 NPR = 500.015 MYR, half-even to 500.02: two such fees are 0.04 MYR over the cap (rounding
			// half down, or cutting, would give 500.01 and 0.02 over).
			name: "a converted amount half a cent above an odd cent rounds up to the even one",
			steps: world(myrCapLaw(), ecbOn(9, tieRates), on(10, "fee-1", fee("f-1", recruitmentFee, "100003 NPR")),
				on(11, "fee-2", fee("f-2", recruitmentFee, "100003 NPR"))),
			want: []flagWant{raised(capExceeded, "fee-2", "fee-1", "ecb").amount("0.04 MYR")},
		},
		{
			name:   "a rate published after the fee does not judge it",
			steps:  world(myrCapLaw(), ecbOn(11, ecbRates), on(10, "fee-1", fee("f-1", recruitmentFee, "40000.00 NPR"))),
			misses: []string{capExceeded},
		},
	}
}

// convertedWith checks that the flag names the rates table a conversion used and the converted total.
func convertedWith(ratesID string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		conv := list(t, d, "conversions")
		if len(conv) != 1 || field(conv[0], "rate", "rates_id") != ratesID || field(conv[0], "to", "amount") != "1273.16" ||
			field(conv[0], "rate", "from_per_base") != "145.21" || field(conv[0], "rate", "to_per_base") != "4.6219" {
			t.Errorf("details.conversions = %v, want 40000.00 NPR to 1273.16 MYR with %s", d["conversions"], ratesID)
		}
		if field(d, "worker_paid", "amount") != "1273.16" {
			t.Errorf("worker_paid = %v, want 1273.16 MYR", d["worker_paid"])
		}
	}
}

// notJudgedFee checks that a fee is listed as not judged, for the reason given.
func notJudgedFee(feeID, reason string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		nj := list(t, d, "not_judged")
		if len(nj) != 1 || field(nj[0], "fee_id") != feeID || !strings.Contains(field(nj[0], "reason"), reason) {
			t.Errorf("details.not_judged = %v, want %s because %s", d["not_judged"], feeID, reason)
		}
	}
}
