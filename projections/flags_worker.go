package projections

import (
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// loanFlags: debt.recruitment_loan, a loan the worker took to pay for the recruitment.
func loanFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, lf := range ws.loans {
		e := lf.Event.(*domain.LoanTaken)
		if e.Purpose != domain.LoanRecruitment {
			continue
		}
		f := flagFor(domain.FlagRecruitmentLoan, ws.owner(), lf.OccurredAt, lf.ID)
		f.Amounts = []domain.Money{e.Principal}
		f.Details = RecruitmentLoanDetails{AnnualInterestPct: e.AnnualInterestPct, LenderID: e.LenderID,
			LoanID: e.LoanID, Purpose: e.Purpose}
		out = append(out, f)
	}
	return out
}

// documentFlags: document.retained, a passport or id card held by an employer or agency (anyone but the
// worker, a buyer, an auditor or a worker organisation) and not returned: neither a DocumentReturned of it nor a
// DocumentRetained saying the worker, or one who holds it for the worker, holds it now came after (returnOf).
func documentFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, rf := range ws.retained {
		e := rf.Event.(*domain.DocumentRetained)
		if e.Document != domain.DocPassport && e.Document != domain.DocIDCard || ws.holdsForWorker(e.HeldBy, c.orgs) ||
			ws.returnOf(rf, c.orgs) != nil {
			continue
		}
		f := flagFor(domain.FlagDocumentRetained, ws.owner(), rf.OccurredAt, rf.ID)
		f.Details = DocumentRetainedDetails{Document: e.Document, HeldBy: e.HeldBy, Since: rf.OccurredAt}
		out = append(out, f)
	}
	return out
}

// notRetainers are the roles whose holding a worker's document is not document.retained: the spec names the
// employer and the agency; a buyer, an auditor or a worker organisation holds it for the worker.
var notRetainers = []string{domain.RoleBuyer, domain.RoleAuditor, domain.RoleWorkerOrganisation}

// HoldsForWorker reports whether an organisation registered with role holds a worker's document for the worker
// (a buyer, an auditor or a worker organisation), so that its holding one is not document.retained.
func HoldsForWorker(role string) bool { return slices.Contains(notRetainers, role) }

// chainFlags: chain.undisclosed_intermediary, the recruiter is neither the job order's employer nor an agency
// engaged on it. Not judged when the job order is unknown.
func chainFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	jo := ws.jobOrder
	if ws.recruited == nil || jo == nil || !jo.Issued {
		return nil
	}
	by := ws.recruited.RecruitedBy
	if by == jo.EmployerID {
		return nil
	}
	if _, ok := jo.engaged(by); ok {
		return nil
	}
	f := flagFor(domain.FlagUndisclosedIntermediary, ws.owner(), ws.recruitedAt.OccurredAt, ws.recruitedAt.ID)
	engaged := make([]string, len(jo.Chain))
	for i, e := range jo.Chain {
		engaged[i] = e.AgencyID
	}
	f.Details = UndisclosedIntermediaryDetails{EmployerID: jo.EmployerID, EngagedAgencies: engaged, RecruitedBy: by}
	return []domain.Flag{f}
}
