package projections_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

func TestAsOfAndKnownAtFilters(t *testing.T) { runFlagCases(t, filterCases()) }

// filterCases replay "as of" a time (events that had happened by then) and "known at" a time (events the
// tracker had recorded by then), judging at that time (spec section 5).
func filterCases() []flagCase {
	asOf := func(n int) projections.Filter { return projections.Filter{AsOf: day(n)} }
	knownAt := func(n int) projections.Filter { return projections.Filter{KnownAt: day(n)} }
	paidOn30 := world(zeroRecruitmentFee(), on(30, "fee", fee("f-1", recruitmentFee, "50000.00 NPR")))
	learnedOn40 := world(zeroRecruitmentFee(), on(10, "fee", fee("f-1", recruitmentFee, "50000.00 NPR")).recordedOn(40))
	engagedLate := replace(world(), on(3, "engage-np", engaged(originAgency, domain.AgencyOrigin, destAgency)).recordedOn(30))
	codeLearnedOn20 := world(zeroRecruitmentFee().recordedOn(20), on(10, "fee", fee("f-1", recruitmentFee, "50000.00 NPR")))
	repaidLate := world(on(0, "code", repayIn(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), 30)),
		on(10, "fee", fee("f-1", recruitmentFee, "50000.00 NPR")).recordedOn(15),
		on(35, "refund", reimbursed("r-1", "f-1", "50000.00 NPR")).recordedOn(60))
	return []flagCase{
		{
			name:   "as of a day before the prohibited fee was paid, it is not flagged",
			steps:  paidOn30,
			filter: asOf(29), clock: day(29),
			misses: []string{prohibited},
		},
		{
			name:   "as of the moment the fee was paid, it is flagged",
			steps:  paidOn30,
			filter: asOf(30), clock: day(30),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			name: "as of a day before the passport was returned, it is still retained",
			steps: world(on(22, "kept", retainedDoc(passport, originAgency)),
				on(40, "returned", returnedDoc(passport))),
			filter: asOf(30), clock: day(30),
			want: []flagWant{raised(retained, "kept")},
		},
		{
			name:   "as of a day before the lower contract was signed, there is no substitution yet",
			steps:  journey(terms(), terms(paying("1200.00 MYR/month"))),
			filter: asOf(34), clock: day(34),
			misses: []string{substitution},
		},
		{
			name:   "as of a day before the worker left, no contract is missing yet",
			steps:  world(on(30, "departed", departed())),
			filter: asOf(25), clock: day(25),
			misses: []string{missingBefore},
		},
		{
			name:   "known at a day before the fee was recorded, the tracker did not know of it",
			steps:  learnedOn40,
			filter: knownAt(39), clock: day(39),
			misses: []string{prohibited},
		},
		{
			name:   "known at the day the fee was recorded, it is flagged as raised when it was paid",
			steps:  learnedOn40,
			filter: knownAt(40), clock: day(40),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			name:   "known at a day before the buyer's code was recorded, the fee broke no rule the tracker knew",
			steps:  codeLearnedOn20,
			filter: knownAt(15), clock: day(15),
			misses: []string{prohibited},
		},
		{
			name:   "known at the day the buyer's code was recorded, the earlier fee breaks it",
			steps:  codeLearnedOn20,
			filter: knownAt(20), clock: day(20),
			want: []flagWant{raised(prohibited, "fee")},
		},
		{
			name:   "known at a day before the agency's engagement was recorded, its recruit came through an undisclosed intermediary",
			steps:  engagedLate,
			filter: knownAt(10), clock: day(10),
			want: []flagWant{raised(undisclosed, "recruit")},
		},
		{
			name:   "known at the day the agency's engagement was recorded, the chain is disclosed",
			steps:  engagedLate,
			filter: knownAt(30), clock: day(30),
			misses: []string{undisclosed},
		},
		{
			name:   "known at a day before a timely reimbursement was recorded, the fee looked overdue",
			steps:  repaidLate,
			filter: knownAt(50), clock: day(50),
			want: []flagWant{raised(prohibited, "fee"), raised(overdue, "fee").dueDays(30)},
		},
		{
			name:   "known at the day the timely reimbursement was recorded, the fee was repaid in time",
			steps:  repaidLate,
			filter: knownAt(60), clock: day(60),
			want:   []flagWant{raised(prohibited, "fee")},
			misses: []string{overdue},
		},
	}
}
