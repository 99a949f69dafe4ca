package projections_test

import (
	"slices"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Codes, shortened for the tables.
const (
	prohibited  = domain.FlagFeeProhibited
	capExceeded = domain.FlagFeeCapExceeded
	illegit     = domain.FlagFeeIllegitimate
	overdue     = domain.FlagReimbursementOverdue
)

const (
	recruitmentFee = domain.FeeRecruitment
	medical        = domain.FeeMedical
)

// zeroRecruitmentFee is buyer-a's code: workers may pay no recruitment fee.
func zeroRecruitmentFee() step {
	return on(0, "code", buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")))
}

// rulesOf checks that details.rules names exactly these policies (a prohibited fee lists every rule breached).
func rulesOf(policies ...string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		var got []string
		for _, r := range list(t, d, "rules") {
			got = append(got, field(r, "policy_id"))
		}
		slices.Sort(got)
		if !slices.Equal(got, policies) {
			t.Errorf("details.rules name policies %q, want %q", got, policies)
		}
	}
}

// capOf checks the breached cap rule named in details.rule.
func capOf(policy, category string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		if got := field(d, "rule", "policy_id"); got != policy {
			t.Errorf("details.rule.policy_id = %q, want %q", got, policy)
		}
		if got := field(d, "rule", "category"); got != category {
			t.Errorf("details.rule.category = %q, want %q", got, category)
		}
	}
}

func TestFeeFlags(t *testing.T) { runFlagCases(t, feeCases()) }

func feeCases() []flagCase {
	var cases []flagCase
	cases = append(cases, prohibitedCases()...)
	cases = append(cases, capCases()...)
	return append(cases, illegitimateCases()...)
}

func prohibitedCases() []flagCase {
	feeOnDay10 := func(opts ...feeOpt) step { return on(10, "fee", fee("f-1", recruitmentFee, "50000.00 NPR", opts...)) }
	return []flagCase{
		{
			name:  "a worker paying a recruitment fee that the buyer's code caps at 0 is prohibited",
			steps: world(zeroRecruitmentFee(), feeOnDay10()),
			want:  []flagWant{raised(prohibited, "fee").amount("50000.00 NPR").with(rulesOf("code-a"))},
		},
		{
			name:  "a recruitment fee taken by wage deduction is prohibited like one paid in cash",
			steps: world(zeroRecruitmentFee(), feeOnDay10(via("wage_deduction"))),
			want:  []flagWant{raised(prohibited, "fee").amount("50000.00 NPR")},
		},
		{
			name:   "a recruitment fee paid by the employer is not the worker's and is not prohibited",
			steps:  world(zeroRecruitmentFee(), feeOnDay10(paidBy(domain.PayerEmployer))),
			misses: []string{prohibited},
		},
		{
			name:   "a recruitment fee paid by an agency is not prohibited",
			steps:  world(zeroRecruitmentFee(), feeOnDay10(paidBy(domain.PayerAgency))),
			misses: []string{prohibited},
		},
		{
			name: "a policy not yet in force on the fee's day does not apply",
			steps: world(on(0, "code", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), date(40), "")),
				feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name: "a policy in force from the fee's own day applies",
			steps: world(on(0, "code", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), date(10), "")),
				feeOnDay10()),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			name: "a policy whose effective_to passed before the fee does not apply",
			steps: world(on(0, "code", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), "2024-01-01", date(8))),
				feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			// Ambiguity: section 1 reads a full date as midnight UTC; an end date is read here as covering its
			// whole day, as "effective to 30 June" does in law. The literal reading would end the policy at
			// 00:00 on the fee's day.
			name: "a policy whose effective_to is the fee's own day still applies that day",
			steps: world(on(0, "code", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), "2024-01-01", date(10))),
				feeOnDay10()),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			// v1.1: a date that ends a period covers that whole day, to its last instant.
			name: "a fee in the last instant of a policy's effective_to day is still judged by the policy",
			steps: world(on(0, "code", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), "2024-01-01", date(10))),
				feeOnDay10().atInstant(day(11).Truncate(24*time.Hour).Add(-time.Nanosecond))),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			// Only a date-only end covers its whole day: a date-time ends the policy at that instant.
			name: "an effective_to given as a date-time ends the policy at that instant, not at the end of its day",
			steps: world(on(0, "code", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), "2024-01-01",
				day(10).Add(-time.Second).Format(time.RFC3339))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name:  "a policy retired with an effective_to date still applies on the whole of that day",
			steps: world(zeroRecruitmentFee(), on(9, "retire", retired("code-a", date(10))), feeOnDay10()),
			want:  []flagWant{raised(prohibited, "fee")},
		},
		{
			name:   "a policy retired before the fee does not apply",
			steps:  world(zeroRecruitmentFee(), on(8, "retire", retired("code-a", date(8))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name:  "a policy retired after the fee still applied when the fee was paid",
			steps: world(zeroRecruitmentFee(), feeOnDay10(), on(20, "retire", retired("code-a", date(20)))),
			want:  []flagWant{raised(prohibited, "fee")},
		},
		{
			// A policy adopted again under its id is a new version of it: it replaces the earlier one from its own
			// effective_from, and a fee paid before then is judged by the version then in force (spec section 3).
			name: "a policy adopted again with other rules from day 20 still judges a fee of day 10 by the rules then in force",
			steps: world(zeroRecruitmentFee(), feeOnDay10(),
				on(15, "code-v2", effective(buyerCode("code-a", "buyer-a", rule(medical, "0")), date(20), ""))),
			want: []flagWant{raised(prohibited, "fee").with(rulesOf("code-a"))},
		},
		{
			name: "a policy adopted again with other rules replaces the earlier rules from its effective_from",
			steps: world(zeroRecruitmentFee(), on(9, "code-v2", effective(buyerCode("code-a", "buyer-a", rule(medical, "0")), date(9), "")),
				feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name: "a policy adopted again for a while does not bring the earlier version back when it ends",
			steps: world(zeroRecruitmentFee(), on(5, "code-v2", effective(buyerCode("code-a", "buyer-a", rule(medical, "0")), date(5), date(8))),
				feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			// PolicyRetired retires the policy (spec section 2), not only the version adopted last: a version
			// still waiting for its effective_from must not leave the one before it in force past the retirement.
			name: "a policy amended for day 20 and retired on day 8 no longer applies on day 10",
			steps: world(zeroRecruitmentFee(),
				on(2, "code-v2", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0"), rule(medical, "0")), date(20), "")),
				on(3, "retire", retired("code-a", date(8))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name: "a policy retired and adopted again applies from its new effective_from",
			steps: world(zeroRecruitmentFee(), on(3, "retire", retired("code-a", date(3))),
				on(5, "code-v2", effective(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), date(9), "")),
				feeOnDay10(), on(4, "fee-4", fee("f-4", recruitmentFee, "100.00 NPR"))),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			name:  "a buyer code of the job order's second buyer applies",
			steps: world(on(0, "code", buyerCode("code-b", "buyer-b", rule(recruitmentFee, "0"))), feeOnDay10()),
			want:  []flagWant{raised(prohibited, "fee").with(rulesOf("code-b"))},
		},
		{
			name:   "a buyer code of a buyer the job order does not supply does not apply",
			steps:  world(on(0, "code", buyerCode("code-c", "buyer-c", rule(recruitmentFee, "0"))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name:  "a law of the worker's corridor, origin and destination, applies",
			steps: world(on(0, "law", nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "0"))), feeOnDay10()),
			want:  []flagWant{raised(prohibited, "fee").with(rulesOf("np-my"))},
		},
		{
			name:   "a law for workers from another origin country does not apply",
			steps:  world(on(0, "law", nationalLaw("bd-my", "BD", "MY", rule(recruitmentFee, "0"))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name:   "a law for another destination than the job order's worksite does not apply",
			steps:  world(on(0, "law", nationalLaw("np-qa", "NP", "QA", rule(recruitmentFee, "0"))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name: "a policy scoped by origin only applies whatever the destination",
			steps: world(on(0, "law", policy("np", domain.Scope{Origin: "NP"}, rule(recruitmentFee, "0"))),
				feeOnDay10()),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			// Reading of "and/or": every key present in the scope must match.
			name: "a policy scoped to a matching buyer but another origin does not apply",
			steps: world(on(0, "code", policy("a-bd", domain.Scope{BuyerID: "buyer-a", Origin: "BD"},
				rule(recruitmentFee, "0"))), feeOnDay10()),
			misses: []string{prohibited},
		},
		{
			name:  `a "*" rule at 0 prohibits a medical fee`,
			steps: world(on(0, "code", buyerCode("code-a", "buyer-a", rule("*", "0"))), on(10, "fee", fee("f-1", medical, "4000.00 NPR"))),
			want:  []flagWant{raised(prohibited, "fee").amount("4000.00 NPR")},
		},
		{
			name:  "a zero max stated in MYR prohibits a fee paid in NPR",
			steps: world(on(0, "code", buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0 MYR"))), feeOnDay10()),
			want:  []flagWant{raised(prohibited, "fee").amount("50000.00 NPR")},
		},
		{
			name:  "a zero max with no currency prohibits a fee paid in US dollars",
			steps: world(zeroRecruitmentFee(), on(10, "fee", fee("f-1", recruitmentFee, "400.00 USD"))),
			want:  []flagWant{raised(prohibited, "fee").amount("400.00 USD")},
		},
		{
			name: "a rule at 0 for visas does not touch a medical fee",
			steps: world(on(0, "code", buyerCode("code-a", "buyer-a", rule(domain.FeeVisa, "0"))),
				on(10, "fee", fee("f-1", medical, "4000.00 NPR"))),
			misses: []string{prohibited},
		},
		{
			name: "two buyers' codes both at 0 give one flag listing both breached rules",
			steps: world(zeroRecruitmentFee(), on(0, "code-b", buyerCode("code-b", "buyer-b", rule(recruitmentFee, "0"))),
				feeOnDay10()),
			want: []flagWant{raised(prohibited, "fee").amount("50000.00 NPR").with(rulesOf("code-a", "code-b"))},
		},
		{
			name: "the strictest rule wins: a buyer's zero rule prohibits a fee the law's cap allows",
			steps: world(zeroRecruitmentFee(), on(0, "law", nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "60000.00 NPR"))),
				feeOnDay10()),
			want:   []flagWant{raised(prohibited, "fee").with(rulesOf("code-a"))},
			misses: []string{capExceeded},
		},
		{
			name: "a fee breaching a buyer's zero rule and the law's cap reports both rules",
			steps: world(zeroRecruitmentFee(), on(0, "law", nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "10000.00 NPR"))),
				on(10, "fee", fee("f-1", recruitmentFee, "15000.00 NPR"))),
			want: []flagWant{
				raised(prohibited, "fee").amount("15000.00 NPR").with(rulesOf("code-a")),
				raised(capExceeded, "fee").amount("5000.00 NPR").with(capOf("np-my", recruitmentFee)),
			},
		},
	}
}

// capLaw is Nepal's cap on recruitment fees for Malaysia: 10000 NPR.
func capLaw() step {
	return on(0, "law", nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "10000.00 NPR")))
}

func capCases() []flagCase {
	return []flagCase{
		{
			name: "worker-paid recruitment fees totalling more than the law's cap exceed it by the difference",
			steps: world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "8000.00 NPR")),
				on(12, "fee-2", fee("f-2", recruitmentFee, "4000.00 NPR"))),
			want: []flagWant{raised(capExceeded, "fee-2", "fee-1").amount("2000.00 NPR").with(capOf("np-my", recruitmentFee))},
		},
		{
			name: "worker-paid fees exactly at the cap do not exceed it",
			steps: world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "6000.00 NPR")),
				on(12, "fee-2", fee("f-2", recruitmentFee, "4000.00 NPR"))),
			misses: []string{capExceeded},
		},
		{
			name:   "a single fee just under the cap does not exceed it",
			steps:  world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "9999.99 NPR"))),
			misses: []string{capExceeded},
		},
		{
			name: "fees the employer paid do not count toward the worker's cap",
			steps: world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "8000.00 NPR")),
				on(12, "fee-2", fee("f-2", recruitmentFee, "5000.00 NPR", paidBy(domain.PayerEmployer)))),
			misses: []string{capExceeded},
		},
		{
			name: "a fee paid before the cap came into force does not count toward it",
			steps: world(on(0, "law", effective(nationalLaw("np-my", "NP", "MY", rule(recruitmentFee, "10000.00 NPR")), date(11), "")),
				on(10, "fee-1", fee("f-1", recruitmentFee, "8000.00 NPR")),
				on(12, "fee-2", fee("f-2", recruitmentFee, "4000.00 NPR"))),
			misses: []string{capExceeded},
		},
		{
			name: "a cap on recruitment fees ignores fees of other categories",
			steps: world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "8000.00 NPR")),
				on(12, "fee-2", fee("f-2", medical, "4000.00 NPR"))),
			misses: []string{capExceeded},
		},
		{
			// Not judged fees raise nothing by themselves: no flag code says "not judged".
			name:   "a fee in another currency than the cap is not judged and raises nothing",
			steps:  world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "500.00 MYR"))),
			misses: []string{capExceeded},
		},
		{
			name: "a fee in another currency is listed as not judged beside the excess in the cap's currency",
			steps: world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "12000.00 NPR")),
				on(12, "fee-2", fee("f-2", recruitmentFee, "500.00 MYR"))),
			want: []flagWant{raised(capExceeded, "fee-1").amount("2000.00 NPR").with(func(t *testing.T, d map[string]any) {
				nj := list(t, d, "not_judged")
				if len(nj) != 1 || field(nj[0], "fee_id") != "f-2" {
					t.Errorf("details.not_judged = %v, want the MYR fee f-2", d["not_judged"])
				}
			})},
		},
		{
			name: `a "*" cap limits the worker-paid total over all categories`,
			steps: world(on(0, "law", nationalLaw("np-my", "NP", "MY", rule("*", "12000.00 NPR"))),
				on(10, "fee-1", fee("f-1", medical, "5000.00 NPR")),
				on(11, "fee-2", fee("f-2", domain.FeeTraining, "4000.00 NPR")),
				on(12, "fee-3", fee("f-3", domain.FeeVisa, "4000.00 NPR"))),
			want: []flagWant{raised(capExceeded, "fee-3", "fee-1", "fee-2").amount("1000.00 NPR").with(capOf("np-my", "*"))},
		},
		{
			name: `fees of several categories within a "*" cap do not exceed it`,
			steps: world(on(0, "law", nationalLaw("np-my", "NP", "MY", rule("*", "12000.00 NPR"))),
				on(10, "fee-1", fee("f-1", medical, "5000.00 NPR")),
				on(11, "fee-2", fee("f-2", domain.FeeTraining, "3000.00 NPR")),
				on(12, "fee-3", fee("f-3", domain.FeeVisa, "4000.00 NPR"))),
			misses: []string{capExceeded},
		},
		{
			name: "two caps on the same category: each breached cap is reported with its own excess",
			steps: world(capLaw(), on(0, "code", buyerCode("code-a", "buyer-a", rule(recruitmentFee, "5000.00 NPR"))),
				on(10, "fee-1", fee("f-1", recruitmentFee, "12000.00 NPR"))),
			want: []flagWant{
				raised(capExceeded, "fee-1").amount("7000.00 NPR").with(capOf("code-a", recruitmentFee)),
				raised(capExceeded, "fee-1").amount("2000.00 NPR").with(capOf("np-my", recruitmentFee)),
			},
		},
		{
			name: "a cap amended from day 20 counts the fees paid under each version against that version's cap",
			steps: world(capLaw(),
				on(15, "law-v2", effective(nationalLaw("np-my", "NP", "MY", rule(medical, "3000.00 NPR")), date(20), "")),
				on(10, "fee-1", fee("f-1", recruitmentFee, "8000.00 NPR")),
				on(22, "fee-2", fee("f-2", recruitmentFee, "4000.00 NPR")),
				on(23, "fee-3", fee("f-3", medical, "2500.00 NPR"))),
			misses: []string{capExceeded},
		},
		{
			name: "fees after the cap was exceeded add to one flag, raised by the fee that crossed the cap",
			steps: world(capLaw(), on(10, "fee-1", fee("f-1", recruitmentFee, "8000.00 NPR")),
				on(12, "fee-2", fee("f-2", recruitmentFee, "4000.00 NPR")),
				on(14, "fee-3", fee("f-3", recruitmentFee, "1000.00 NPR"))),
			want: []flagWant{raised(capExceeded, "fee-2", "fee-1", "fee-3").amount("3000.00 NPR")},
		},
	}
}

func illegitimateCases() []flagCase {
	return []flagCase{
		{
			name:  "a worker paying a deposit is illegitimate even with no policy",
			steps: world(on(10, "fee", fee("f-1", domain.FeeDeposit, "20000.00 NPR"))),
			want:  []flagWant{raised(illegit, "fee").amount("20000.00 NPR")},
		},
		{
			name:  "a worker paying a bribe is illegitimate even with no policy",
			steps: world(on(10, "fee", fee("f-1", domain.FeeBribe, "5000.00 NPR", via("other")))),
			want:  []flagWant{raised(illegit, "fee").amount("5000.00 NPR")},
		},
		{
			// A FeePaid of 0 (a fee waived, say) records that the worker paid nothing: "the worker may pay nothing".
			name:   "a deposit of 0 paid by the worker is no payment and not illegitimate",
			steps:  world(on(10, "fee", fee("f-1", domain.FeeDeposit, "0.00 NPR"))),
			misses: []string{illegit, overdue},
		},
		{
			name:   "a recruitment fee of 0 where a rule allows 0 is no payment and not prohibited",
			steps:  world(zeroRecruitmentFee(), on(10, "fee", fee("f-1", recruitmentFee, "0 NPR"))),
			clock:  day(200),
			misses: []string{prohibited, overdue},
		},
		{
			name: "a deposit is illegitimate even where a policy's cap would allow it",
			steps: world(on(0, "law", nationalLaw("np-my", "NP", "MY", rule("*", "100000.00 NPR"))),
				on(10, "fee", fee("f-1", domain.FeeDeposit, "20000.00 NPR"))),
			want:   []flagWant{raised(illegit, "fee")},
			misses: []string{capExceeded},
		},
		{
			name: "a deposit that a rule caps at 0 is both prohibited and illegitimate",
			steps: world(on(0, "code", buyerCode("code-a", "buyer-a", rule(domain.FeeDeposit, "0"))),
				on(10, "fee", fee("f-1", domain.FeeDeposit, "20000.00 NPR"))),
			want: []flagWant{raised(illegit, "fee"), raised(prohibited, "fee").with(rulesOf("code-a"))},
		},
		{
			name:   "a deposit paid by the agency is not illegitimate",
			steps:  world(on(10, "fee", fee("f-1", domain.FeeDeposit, "20000.00 NPR", paidBy(domain.PayerAgency)))),
			misses: []string{illegit},
		},
		{
			name:   "a medical fee paid by the worker where no policy applies raises nothing",
			steps:  world(on(10, "fee", fee("f-1", medical, "4000.00 NPR"))),
			misses: []string{illegit, prohibited, capExceeded},
		},
	}
}
