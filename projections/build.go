package projections

import (
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// buildReport derives a worker's report and the flags that do not depend on the clock from its state, with
// the context the rules read (clockedFlags raises the flags that depend on the clock from it).
func (v *View) buildReport(ws *workerState) (*WorkerReport, *ruleContext) {
	r := &WorkerReport{WorkerID: ws.id, JobOrderID: ws.jobOrderID(), BuyerIDs: ws.buyers(), OriginCountry: ws.origin(),
		Languages: []string{}, Chain: []Engagement{}, Status: status(ws),
		Reimbursed: []Reimbursement{}, Loans: []Loan{}, Documents: documentsHeld(ws), Flags: []domain.Flag{}}
	r.Totals = Totals{workerPaid: domain.Sums{}, reimbursed: domain.Sums{}, outstanding: domain.Sums{}, shortfall: domain.Sums{}}
	if ws.recruited != nil {
		r.Languages, r.RecruitedBy = ws.recruited.Languages, ws.recruited.RecruitedBy
		r.Agencies = append(r.Agencies, ws.recruited.RecruitedBy)
	}
	if jo := ws.jobOrder; jo != nil {
		r.EmployerID, r.Chain = jo.EmployerID, jo.Chain
		for _, e := range jo.Chain {
			if !slices.Contains(r.Agencies, e.AgencyID) {
				r.Agencies = append(r.Agencies, e.AgencyID)
			}
		}
	}
	fees := v.judgeFees(ws)
	fees.allocateRefunds(ws.refunds)
	r.Fees = orEmpty(fees.lines)
	for _, rf := range ws.refunds {
		e := rf.refund
		r.Reimbursed = append(r.Reimbursed, Reimbursement{EventID: rf.ID.String(), ReimbursementID: e.ReimbursementID,
			FeeID: e.FeeID, Amount: e.Amount, PaidBy: e.PaidBy, At: rf.OccurredAt})
		r.Totals.reimbursed.Add(e.Amount.Currency, e.Amount.Amount.Decimal())
	}
	for _, l := range fees.lines {
		if l.Payer == domain.PayerWorker {
			r.Totals.workerPaid.Add(l.Amount.Currency, l.amount)
		}
		if l.owed.IsPositive() {
			r.Totals.outstanding.Add(l.Amount.Currency, l.outstanding())
		}
	}
	for _, f := range ws.loans {
		e := f.Event.(*domain.LoanTaken)
		r.Loans = append(r.Loans, Loan{EventID: f.ID.String(), LoanID: e.LoanID, LenderID: e.LenderID,
			Principal: e.Principal, Purpose: e.Purpose, AnnualInterestPct: string(e.AnnualInterestPct), At: f.OccurredAt})
	}
	r.Contracts = v.contractReports(ws)
	for _, c := range r.Contracts {
		if c.WageShortfall != nil && !c.Baseline {
			r.Totals.shortfall.Add(c.WageShortfall.Currency, c.WageShortfall.Amount.Decimal())
		}
	}
	r.Reports = reportLines(ws)
	c := &ruleContext{orgs: v.m.orgs, regs: v.m.regs, fees: fees}
	r.Flags = workerFlags(ws, c)
	r.Totals.WorkerPaid, r.Totals.Reimbursed = r.Totals.workerPaid.Money(), r.Totals.reimbursed.Money()
	r.Totals.Outstanding, r.Totals.WageShortfall = r.Totals.outstanding.Money(), r.Totals.shortfall.Money()
	return r, c
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

// documentsHeld pairs each retention with the first return of that document after it.
func documentsHeld(ws *workerState) []DocumentHeld {
	out := []DocumentHeld{}
	for _, f := range ws.retained {
		e := f.Event.(*domain.DocumentRetained)
		d := DocumentHeld{EventID: f.ID.String(), Document: e.Document, HeldBy: e.HeldBy, Since: f.OccurredAt}
		if rf := ws.returnOf(f); rf != nil {
			at := rf.OccurredAt
			d.ReturnedAt = &at
		}
		out = append(out, d)
	}
	return out
}
