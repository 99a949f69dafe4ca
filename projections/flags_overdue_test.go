package projections_test

import (
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

func TestReimbursementOverdueFlags(t *testing.T) { runFlagCases(t, overdueCases()) }

// In these cases buyer-a's code forbids recruitment fees and gives 30 days to repay. The worker paid 50000 NPR on
// day 10 and the tracker learned of it on day 15, so the deadline is day 15 + 30 days = day 45.
func overdueCases() []flagCase {
	code := func(days int) step {
		return on(0, "code", repayIn(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), days))
	}
	paid := on(10, "fee", fee("f-1", recruitmentFee, "50000.00 NPR")).recordedOn(15)
	deadline := day(15).Add(30 * 24 * time.Hour)
	late := raised(overdue, "fee").dueDays(30)
	return []flagCase{
		{
			name:  "a prohibited fee not reimbursed within repayment_days of being recorded is overdue",
			steps: world(code(30), paid),
			clock: day(50),
			want:  []flagWant{raised(prohibited, "fee"), late.amount("50000.00 NPR")},
		},
		{
			name:   "the repayment window runs from recorded_at, not occurred_at: 32 days after the fee it is not yet due",
			steps:  world(code(30), paid),
			clock:  day(42),
			want:   []flagWant{raised(prohibited, "fee")},
			misses: []string{overdue},
		},
		{
			name:   "at the deadline itself the fee is not yet overdue",
			steps:  world(code(30), paid),
			clock:  deadline,
			want:   []flagWant{raised(prohibited, "fee")},
			misses: []string{overdue},
		},
		{
			name:   "a fee reimbursed in full within the window is not overdue",
			steps:  world(code(30), paid, on(40, "refund", reimbursed("r-1", "f-1", "50000.00 NPR"))),
			clock:  day(50),
			want:   []flagWant{raised(prohibited, "fee")},
			misses: []string{overdue},
		},
		{
			// The spec is silent on reimbursements that name no fee; an auditor applies them to what is owed.
			name:   "a reimbursement naming no fee settles the breaching fee of its currency",
			steps:  world(code(30), paid, on(40, "refund", reimbursed("r-1", "", "50000.00 NPR"))),
			clock:  day(50),
			want:   []flagWant{raised(prohibited, "fee")},
			misses: []string{overdue},
		},
		{
			name:  "a fee reimbursed in part within the window is overdue for the rest",
			steps: world(code(30), paid, on(40, "refund", reimbursed("r-1", "f-1", "30000.00 NPR"))),
			clock: day(50),
			want:  []flagWant{raised(prohibited, "fee"), late.amount("20000.00 NPR")},
		},
		{
			name:  "a fee reimbursed in full only after the deadline was overdue",
			steps: world(code(30), paid, on(47, "refund", reimbursed("r-1", "f-1", "50000.00 NPR"))),
			clock: day(50),
			want:  []flagWant{raised(prohibited, "fee"), late},
		},
		{
			name:  "a reimbursement in another currency does not settle the fee",
			steps: world(code(30), paid, on(40, "refund", reimbursed("r-1", "f-1", "2500.00 MYR"))),
			clock: day(50),
			want:  []flagWant{raised(prohibited, "fee"), late.amount("50000.00 NPR")},
		},
		{
			name:   "a fee that breaches no rule is never overdue",
			steps:  world(on(10, "fee", fee("f-1", medical, "4000.00 NPR"))),
			clock:  day(400),
			misses: []string{overdue},
		},
		{
			// Ambiguity: no policy gives a window for a deposit no rule covers; read as the default 90 days.
			name:  "a deposit no policy covers must be repaid within the default 90 days",
			steps: world(on(10, "fee", fee("f-1", domain.FeeDeposit, "20000.00 NPR"))),
			clock: day(101),
			want: []flagWant{raised(illegit, "fee"),
				raised(overdue, "fee").dueDays(domain.DefaultRepaymentDays).amount("20000.00 NPR")},
		},
		{
			name:   "a deposit no policy covers is not overdue on the 89th day",
			steps:  world(on(10, "fee", fee("f-1", domain.FeeDeposit, "20000.00 NPR"))),
			clock:  day(99),
			want:   []flagWant{raised(illegit, "fee")},
			misses: []string{overdue},
		},
		{
			// Reading: for a fee over a cap, what breaches (and must be paid back) is the part above the cap.
			name: "a fee over a cap is not overdue once the part above the cap is reimbursed",
			steps: world(on(0, "law", repayIn(nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "10000.00 NPR")), 30)),
				on(10, "fee", fee("f-1", recruitmentFee, "12000.00 NPR")).recordedOn(15),
				on(30, "refund", reimbursed("r-1", "f-1", "2000.00 NPR"))),
			clock:  day(50),
			want:   []flagWant{raised(capExceeded, "fee")},
			misses: []string{overdue},
		},
		{
			name: "a fee over a cap with nothing reimbursed is overdue for the part above the cap",
			steps: world(on(0, "law", repayIn(nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "10000.00 NPR")), 30)),
				on(10, "fee", fee("f-1", recruitmentFee, "12000.00 NPR")).recordedOn(15)),
			clock: day(50),
			want:  []flagWant{raised(capExceeded, "fee").amount("2000.00 NPR"), late.amount("2000.00 NPR")},
		},
		{
			// The spec is silent on which window applies when several policies are breached; strictest wins.
			name: "when two breached policies give different windows the shorter one applies",
			steps: world(code(60), on(0, "law", repayIn(nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "0")), 30)),
				paid),
			clock: day(50),
			want:  []flagWant{raised(prohibited, "fee").with(rulesOf("code-a", "np-my")), late},
		},
	}
}
