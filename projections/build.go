package projections

import (
	"github.com/fairtrail/fairtrail/domain"
)

// buildReport makes a worker's report, with the flags that do not depend on the clock, around its judgement
// (judge), which it returns too: clockedFlags raises the flags that depend on the clock from its context.
func (v *View) buildReport(ws *workerState) (*WorkerReport, *judged) {
	jd := v.judge(ws, false)
	r := &WorkerReport{WorkerID: ws.id, JobOrderID: ws.jobOrderID(), BuyerIDs: ws.buyers(), OriginCountry: ws.origin(),
		Languages: []string{}, Chain: []Engagement{}, Status: status(ws), EmployerID: jd.employer,
		Agencies: jd.agencies, Reimbursed: []Reimbursement{}, Loans: []Loan{}, Documents: documentsHeld(ws, v.m.orgs),
		Fees: orEmpty(jd.fees.lines), Flags: jd.flags}
	if ws.recruited != nil {
		r.Languages, r.RecruitedBy = ws.recruited.Languages, ws.recruited.RecruitedBy
	}
	if jo := ws.jobOrder; jo != nil {
		r.Chain = jo.Chain
	}
	for _, rf := range ws.refunds {
		e := rf.refund
		r.Reimbursed = append(r.Reimbursed, Reimbursement{EventID: rf.ID.String(), ReimbursementID: e.ReimbursementID,
			FeeID: e.FeeID, Amount: e.Amount, PaidBy: e.PaidBy, At: rf.OccurredAt})
	}
	for _, f := range ws.loans {
		e := f.Event.(*domain.LoanTaken)
		r.Loans = append(r.Loans, Loan{EventID: f.ID.String(), LoanID: e.LoanID, LenderID: e.LenderID,
			Principal: e.Principal, Purpose: e.Purpose, AnnualInterestPct: string(e.AnnualInterestPct), At: f.OccurredAt})
	}
	r.Contracts = v.contractReports(ws)
	r.Reports = reportLines(ws)
	r.Totals = Totals{WorkerPaid: jd.workerPaid.Money(), Reimbursed: jd.reimbursed.Money(),
		Outstanding: jd.outstanding.Money(), WageShortfall: jd.shortfall.Money(), workerPaid: jd.workerPaid,
		reimbursed: jd.reimbursed, outstanding: jd.outstanding, shortfall: jd.shortfall}
	return r, jd
}

func status(ws *workerState) string {
	switch {
	case ws.exited != nil:
		return "exited"
	case ws.deployed != nil:
		return "deployed"
	case ws.arrived != nil:
		return "arrived"
	case ws.departed != nil:
		return "departed"
	case ws.recruited != nil:
		return "recruited"
	}
	return "unknown"
}

func timeline(facts []Fact) []TimelineEntry {
	out := make([]TimelineEntry, len(facts))
	for i, f := range facts {
		data, _ := domain.EncodeData(f.Event)
		out[i] = TimelineEntry{EventID: f.ID.String(), Type: f.Type, OccurredAt: f.OccurredAt, RecordedAt: f.RecordedAt,
			RecordedBy: f.RecordedBy, Position: f.Position.String(), Data: data}
	}
	return out
}

// documentsHeld pairs each retention with what ended it (returnOf): a return of that document after it, or a
// later holder who holds it for the worker.
func documentsHeld(ws *workerState, orgs *orgBook) []DocumentHeld {
	out := []DocumentHeld{}
	for _, f := range ws.retained {
		e := f.Event.(*domain.DocumentRetained)
		d := DocumentHeld{EventID: f.ID.String(), Document: e.Document, HeldBy: e.HeldBy, Since: f.OccurredAt}
		if rf := ws.returnOf(f, orgs); rf != nil {
			at := rf.OccurredAt
			d.ReturnedAt = &at
		}
		out = append(out, d)
	}
	return out
}
