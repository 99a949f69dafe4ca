package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// A flag rule reads state and returns findings. Each flag code of domain.FlagCodes is raised by exactly one
// entry of one of the tables below (TestEveryCodeHasOneRule), so a new code is one constant in domain, one
// details type and one entry here. Flags of equal raised_at keep the order of their table.

// rule is an entry of a worker's rule table: the code it raises and how the worker's state raises it.
type rule struct {
	code  string
	judge func(ws *workerState, c *ruleContext) []domain.Flag
}

// ruleContext is what a worker's rules read besides the worker's own state: the organisations as registered,
// and the worker's fees judged against the policies in force (and the rates) at each fee.
type ruleContext struct {
	orgs *orgBook
	fees *feeJudgement
}

// workerRules raise the flags about a worker that do not depend on the clock.
var workerRules = []rule{
	{domain.FlagFeeIllegitimate, illegitimateFlags},
	{domain.FlagFeeProhibited, prohibitedFlags},
	{domain.FlagFeeCapExceeded, capFlags},
	{domain.FlagContractSubstitution, substitutionFlags},
	{domain.FlagContractLanguage, languageFlags},
	{domain.FlagContractNoWorkerCopy, noWorkerCopyFlags},
	{domain.FlagContractBelowJobOrder, belowJobOrderFlags},
	{domain.FlagContractMissingBefore, missingBeforeFlags},
	{domain.FlagContractSignedAfter, signedAfterFlags},
	{domain.FlagDocumentRetained, documentFlags},
	{domain.FlagUndisclosedIntermediary, chainFlags},
	{domain.FlagUnlicensedAgency, licenceFlags},
	{domain.FlagRecruitmentLoan, loanFlags},
	{domain.FlagFeeReportedUnrecorded, reportedFeeFlags},
}

// clockedRules raise the flags about a worker that stand only once the clock has passed their raised_at
// (Clocked). They are judged with no clock; a query at a clock shows those VisibleAt it.
var clockedRules = []rule{
	{domain.FlagReimbursementOverdue, overdueFlags},
	{domain.FlagWorkerReportOpen, reportOpenFlags},
}

// jobOrderRule is an entry of a job order's rule table.
type jobOrderRule struct {
	code  string
	judge func(jo *JobOrder) []domain.Flag
}

// jobOrderRules raise a job order's own flags.
var jobOrderRules = []jobOrderRule{
	{domain.FlagReverseFee, reverseFeeFlags},
}

// raise runs a worker rule table, in its order.
func raise(rules []rule, ws *workerState, c *ruleContext) []domain.Flag {
	var flags []domain.Flag
	for _, r := range rules {
		switch found := r.judge(ws, c); {
		case len(found) == 0:
		case flags == nil:
			flags = found // each rule's findings are its own: the first are kept, not copied
		default:
			flags = append(flags, found...)
		}
	}
	return flags
}

// workerFlags raises every flag of the worker that does not depend on the clock, sorted by raised_at.
func workerFlags(ws *workerState, c *ruleContext) []domain.Flag {
	flags := raise(workerRules, ws, c)
	if flags == nil {
		return []domain.Flag{}
	}
	slices.SortStableFunc(flags, byRaisedAt)
	return flags
}

// clockedFlags raises every flag of the worker that depends on the clock, as at the end of time: the overdue
// reimbursements, then the open reports sorted by raised_at.
func clockedFlags(ws *workerState, c *ruleContext) []domain.Flag { return raise(clockedRules, ws, c) }

// jobOrderFlags raises a job order's own flags.
func jobOrderFlags(jo *JobOrder) []domain.Flag {
	out := []domain.Flag{}
	for _, r := range jobOrderRules {
		out = append(out, r.judge(jo)...)
	}
	return out
}

// visibleAt adds to flags, sorted by raised_at, the clocked flags standing at clock, keeping the result sorted
// (stably: flags first among equal raised_at). flags is not changed.
func visibleAt(flags, clocked []domain.Flag, clock time.Time) []domain.Flag {
	var shown []domain.Flag
	for _, f := range clocked {
		if VisibleAt(f, clock) {
			shown = append(shown, f)
		}
	}
	if len(shown) == 0 {
		return flags
	}
	out := append(slices.Clone(flags), shown...)
	slices.SortStableFunc(out, byRaisedAt)
	return out
}

func byRaisedAt(a, b domain.Flag) int { return a.RaisedAt.Compare(b.RaisedAt) }

// flagFor starts a flag about the worker; the rule sets its details.
func flagFor(code string, o owner, at time.Time, evidence ...domain.EventID) domain.Flag {
	ids := make([]string, len(evidence))
	for i, id := range evidence {
		ids[i] = id.String()
	}
	return domain.Flag{Code: code, WorkerID: o.id, JobOrderID: o.jobOrder, BuyerIDs: o.buyers,
		EventIDs: ids, RaisedAt: at}
}

// owner is whom a worker's flags are about.
type owner struct {
	id, jobOrder string
	buyers       []string
}

func (ws *workerState) owner() owner {
	return owner{id: ws.id, jobOrder: ws.jobOrderID(), buyers: ws.buyers()}
}
