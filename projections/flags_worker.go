package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// flagFor starts a flag about the worker.
func flagFor(code string, o owner, at time.Time, evidence ...domain.EventID) domain.Flag {
	ids := make([]string, len(evidence))
	for i, id := range evidence {
		ids[i] = id.String()
	}
	return domain.Flag{Code: code, WorkerID: o.id, JobOrderID: o.jobOrder, BuyerIDs: o.buyers,
		EventIDs: ids, RaisedAt: at, Details: map[string]any{}}
}

// owner is whom a worker's flags are about.
type owner struct {
	id, jobOrder string
	buyers       []string
}

func (ws *workerState) owner() owner {
	return owner{id: ws.id, jobOrder: ws.jobOrderID(), buyers: ws.buyers()}
}

// judging is what a worker rule reads: the worker's state, the fees judged against the policies, and the
// contracts compared with the baseline.
type judging struct {
	v      *View
	ws     *workerState
	report *WorkerReport
	fees   *feeJudgement
}

// rule is an entry of a rule table: the codes it raises and how it judges them. Flags of equal raised_at keep
// the order of the table.
type rule struct {
	codes []string
	judge func(judging) []domain.Flag
}

// workerRules raise the flags about a worker that do not depend on the clock; fee.reimbursement_overdue and
// worker.report_open are judged at a clock (overdueFlags, reportOpenFlags) and chain.reverse_fee about a job order (JobOrder.flags). A new code is a
// rule here, or a code of one (TestEveryCodeHasOneRule checks the table against domain.FlagCodes).
var workerRules = []rule{
	{[]string{domain.FlagFeeIllegitimate, domain.FlagFeeProhibited}, func(in judging) []domain.Flag { return feeFlags(in.ws, in.fees) }},
	{[]string{domain.FlagFeeCapExceeded}, func(in judging) []domain.Flag { return capFlags(in.ws, in.fees) }},
	{[]string{domain.FlagContractSubstitution, domain.FlagContractLanguage, domain.FlagContractNoWorkerCopy,
		domain.FlagContractBelowJobOrder, domain.FlagContractMissingBefore, domain.FlagContractSignedAfter},
		func(in judging) []domain.Flag { return in.v.contractFlags(in.ws, in.report) }},
	{[]string{domain.FlagDocumentRetained}, func(in judging) []domain.Flag { return documentFlags(in.ws, in.v.m.orgs) }},
	{[]string{domain.FlagUndisclosedIntermediary}, func(in judging) []domain.Flag { return chainFlags(in.ws) }},
	{[]string{domain.FlagUnlicensedAgency}, func(in judging) []domain.Flag { return licenceFlags(in.ws, in.v.m.regs) }},
	{[]string{domain.FlagRecruitmentLoan}, func(in judging) []domain.Flag { return loanFlags(in.ws) }},
	{[]string{domain.FlagFeeReportedUnrecorded}, func(in judging) []domain.Flag { return reportedFeeFlags(in.ws) }},
}

// otherRules are the rules judged outside the worker table: the clock's (overdueFlags, reportOpenFlags) and the
// job order's.
var otherRules = []string{domain.FlagReimbursementOverdue, domain.FlagWorkerReportOpen, domain.FlagReverseFee}

// workerFlags raises every flag of the worker that does not depend on the clock (all but
// fee.reimbursement_overdue), sorted by raised_at.
func (v *View) workerFlags(ws *workerState, r *WorkerReport, fees *feeJudgement) []domain.Flag {
	var flags []domain.Flag
	in := judging{v: v, ws: ws, report: r, fees: fees}
	for _, rule := range workerRules {
		flags = append(flags, rule.judge(in)...)
	}
	slices.SortStableFunc(flags, byRaisedAt)
	if flags == nil {
		return []domain.Flag{}
	}
	return flags
}

func feeDetails(l *FeeLine) map[string]any {
	d := map[string]any{"fee_id": l.FeeID, "category": l.Category, "payer": l.Payer, "payee_id": l.PayeeID,
		"method": l.Method}
	if l.Label != "" {
		d["label"] = l.Label
	}
	return d
}

// feeFlags: fee.prohibited (one per fee, listing every rule that caps its category at 0) and
// fee.illegitimate (a deposit or bribe paid by the worker).
func feeFlags(ws *workerState, fees *feeJudgement) []domain.Flag {
	var out []domain.Flag
	for _, l := range fees.lines {
		var rules []Breach
		for _, b := range l.Breaches {
			switch b.Code {
			case domain.FlagFeeProhibited:
				rules = append(rules, b)
			case domain.FlagFeeIllegitimate:
				f := flagFor(domain.FlagFeeIllegitimate, ws.owner(), l.At, l.id)
				f.Amounts, f.Details = []domain.Money{l.Amount}, feeDetails(l)
				f.Details["reason"] = "a worker paid a " + l.Category
				out = append(out, f)
			}
		}
		if len(rules) > 0 {
			f := flagFor(domain.FlagFeeProhibited, ws.owner(), l.At, l.id)
			f.Amounts, f.Details = []domain.Money{l.Amount}, feeDetails(l)
			f.Details["rules"] = rules
			out = append(out, f)
		}
	}
	return out
}

// capFlags: fee.cap_exceeded, one per breached cap rule, with the amount over the cap.
func capFlags(ws *workerState, fees *feeJudgement) []domain.Flag {
	var out []domain.Flag
	for _, cs := range fees.caps {
		if cs.raisedBy == nil {
			continue
		}
		ids := make([]domain.EventID, len(cs.fees))
		feeIDs := make([]string, len(cs.fees))
		for i, l := range cs.fees {
			ids[i], feeIDs[i] = l.id, l.FeeID
		}
		over := domain.Money{Amount: domain.Amount(domain.FormatAmount(cs.total.Sub(cs.max))), Currency: cs.rule.Max.Currency}
		f := flagFor(domain.FlagFeeCapExceeded, ws.owner(), cs.raisedBy.At, ids...)
		f.Amounts = []domain.Money{over}
		f.Details = map[string]any{
			"rule":        breachOf(domain.FlagFeeCapExceeded, cs.policy, cs.rule),
			"category":    cs.rule.Category,
			"fee_ids":     feeIDs,
			"worker_paid": domain.Money{Amount: domain.Amount(domain.FormatAmount(cs.total)), Currency: cs.rule.Max.Currency},
			"cap":         cs.rule.Max,
			"over_cap":    over,
		}
		if len(cs.converted) > 0 {
			f.Details["conversions"] = cs.converted
			f.EventIDs = appendRateEvidence(f.EventIDs, cs.converted)
		}
		if len(cs.notJudged) > 0 {
			f.Details["not_judged"] = notJudged(cs)
		}
		out = append(out, f)
	}
	return out
}

// notJudged lists the fees a cap could not judge: in another currency, with no rate to convert them.
func notJudged(cs *capState) []map[string]any {
	nj := make([]map[string]any, len(cs.notJudged))
	for i, l := range cs.notJudged {
		reason := "currency differs from the cap's and no rates table is loaded"
		if cs.rates.Len() > 0 {
			reason = "currency differs from the cap's and no published rate converts " + l.Amount.Currency + " to " +
				cs.rule.Max.Currency + " on or before " + l.At.UTC().Format(time.DateOnly)
		}
		nj[i] = map[string]any{"fee_id": l.FeeID, "event_id": l.EventID, "amount": l.Amount, "reason": reason}
	}
	return nj
}

// appendRateEvidence adds the rates tables that conversions used to a flag's evidence, once each.
func appendRateEvidence(ids []string, conversions []domain.Conversion) []string {
	for _, c := range conversions {
		if !slices.Contains(ids, c.Rate.EventID) {
			ids = append(ids, c.Rate.EventID)
		}
	}
	return ids
}

func byRaisedAt(a, b domain.Flag) int { return a.RaisedAt.Compare(b.RaisedAt) }

// overdueFlags: fee.reimbursement_overdue, for each breaching fee not fully reimbursed (same currency) within
// its repayment window from recorded_at, judged at the clock.
func overdueFlags(clock time.Time, o owner, lines []*FeeLine) []domain.Flag {
	var out []domain.Flag
	for _, l := range lines {
		if !l.owed.IsPositive() || l.Deadline == nil || !clock.After(*l.Deadline) {
			continue
		}
		byDeadline := l.refunded(*l.Deadline)
		if !byDeadline.LessThan(l.owed) {
			continue
		}
		ids := []domain.EventID{l.id}
		for _, a := range l.refunds {
			ids = append(ids, a.refund.ID)
		}
		short := domain.Money{Amount: domain.Amount(domain.FormatAmount(l.owed.Sub(byDeadline))), Currency: l.Amount.Currency}
		f := flagFor(domain.FlagReimbursementOverdue, o, *l.Deadline, ids...)
		f.Amounts, f.Details = []domain.Money{short}, feeDetails(l)
		f.Details["owed"] = l.Owed
		f.Details["reimbursed_by_deadline"] = domain.Money{Amount: domain.Amount(domain.FormatAmount(byDeadline)), Currency: l.Amount.Currency}
		f.Details["outstanding_now"] = domain.Money{Amount: domain.Amount(domain.FormatAmount(l.outstanding())), Currency: l.Amount.Currency}
		f.Details["recorded_at"] = l.RecordedAt
		f.Details["repayment_days"] = l.repayDays
		f.Details["deadline"] = *l.Deadline
		out = append(out, f)
	}
	return out
}

func loanFlags(ws *workerState) []domain.Flag {
	var out []domain.Flag
	for _, lf := range ws.loans {
		e := lf.Event.(*domain.LoanTaken)
		if e.Purpose != domain.LoanRecruitment {
			continue
		}
		f := flagFor(domain.FlagRecruitmentLoan, ws.owner(), lf.OccurredAt, lf.ID)
		f.Amounts = []domain.Money{e.Principal}
		f.Details = map[string]any{"loan_id": e.LoanID, "purpose": e.Purpose}
		if e.LenderID != "" {
			f.Details["lender_id"] = e.LenderID
		}
		if e.AnnualInterestPct != "" {
			f.Details["annual_interest_pct"] = e.AnnualInterestPct
		}
		out = append(out, f)
	}
	return out
}

// documentFlags: document.retained, a passport or id card held by an employer or agency (anyone but the
// worker, a buyer, an auditor or a worker organisation) and not returned.
func documentFlags(ws *workerState, orgs map[string]*domain.OrganisationRegistered) []domain.Flag {
	var out []domain.Flag
	for _, d := range documentsHeld(ws) {
		if d.ReturnedAt != nil || d.Document != domain.DocPassport && d.Document != domain.DocIDCard || d.HeldBy == ws.id {
			continue
		}
		if o := orgs[d.HeldBy]; o != nil && slices.Contains(notRetainers, o.Role) {
			continue
		}
		id, _ := domain.ParseEventID(d.EventID)
		f := flagFor(domain.FlagDocumentRetained, ws.owner(), d.Since, id)
		f.Details = map[string]any{"document": d.Document, "held_by": d.HeldBy, "since": d.Since}
		out = append(out, f)
	}
	return out
}

// notRetainers are the roles whose holding a worker's document is not document.retained: the spec names the
// employer and the agency; a buyer, an auditor or a worker organisation holds it for the worker.
var notRetainers = []string{domain.RoleBuyer, domain.RoleAuditor, domain.RoleWorkerOrganisation}

// chainFlags: chain.undisclosed_intermediary, the recruiter is neither the job order's employer nor an agency
// engaged on it. Not judged when the job order is unknown.
func chainFlags(ws *workerState) []domain.Flag {
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
	f.Details = map[string]any{"recruited_by": by, "employer_id": jo.EmployerID, "engaged_agencies": engaged}
	return []domain.Flag{f}
}
