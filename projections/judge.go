package projections

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// RulesVersion names the rules the judgements are made by. A persisted read model records it and is rebuilt
// when it differs, so change it whenever a rule, a flag's details or a money figure changes. The flag codes
// are part of it (see Rules).
const RulesVersion = "2026-12-03.2"

// Rules is RulesVersion with the list of flag codes it judges: a new code changes it by itself.
func Rules() string { return RulesVersion + " " + strings.Join(domain.FlagCodes, ",") }

// Judgement is what a worker's events say with no clock: every flag the worker raises at the end of time,
// where fee.reimbursement_overdue and worker.report_open flags (the flags that depend on the clock, Clocked)
// stand from their raised_at; the parties the worker is counted under; and the worker's money.
type Judgement struct {
	WorkerID   string
	JobOrderID string
	// OtherJobOrders are the job orders the worker was recruited for besides JobOrderID (a recruitment an
	// admin recorded again for another job order), in the order of the worker's events: a job order lists
	// among its workers every worker recruited for it.
	OtherJobOrders []string
	EmployerID     string
	BuyerIDs       []string
	// Agencies are the worker's recruiter and every agency engaged on the job order.
	Agencies []string
	// Flags are sorted by raised_at (stably: the order View.Flags keeps among equal keys).
	Flags                                          []domain.Flag
	WorkerPaid, Reimbursed, Outstanding, Shortfall domain.Sums
	// Ledger is the worker's money with the instant of each amount, for reports in one currency.
	Ledger Ledger
	// Reports counts the worker's reports by kind and channel, sorted, and Unresolved those (by report_id)
	// that no resolution has closed: summed over the workers, Model.ReportCounts.
	Reports    []ReportCount
	Unresolved int
}

// Clocked reports whether a flag is raised only once the clock has passed its raised_at:
// fee.reimbursement_overdue (raised at the deadline) and worker.report_open (raised 30 days after the report
// was recorded).
func Clocked(f domain.Flag) bool {
	return f.Code == domain.FlagReimbursementOverdue || f.Code == domain.FlagWorkerReportOpen
}

// VisibleAt reports whether a flag of a Judgement is raised at clock.
func VisibleAt(f domain.Flag, clock time.Time) bool { return !Clocked(f) || clock.After(f.RaisedAt) }

// Judge returns a worker's judgement, and false for a worker with no admitted event.
func (v *View) Judge(id string) (Judgement, bool) {
	wf := v.m.workers[id]
	if wf == nil {
		return Judgement{}, false
	}
	ws := v.workerState(wf)
	jd := v.judge(ws, true)
	flags := jd.flags // the judgement is this call's own: its flags need no copy
	if clocked := clockedFlags(ws, jd.c); len(clocked) > 0 {
		flags = append(flags, clocked...)
		slices.SortStableFunc(flags, byRaisedAt)
	}
	reports, unresolved := tallyReports(wf.facts)
	return Judgement{WorkerID: id, JobOrderID: ws.jobOrderID(), OtherJobOrders: ws.otherJobOrders(),
		EmployerID: jd.employer, BuyerIDs: ws.buyers(), Agencies: jd.agencies, Flags: flags,
		WorkerPaid: jd.workerPaid, Reimbursed: jd.reimbursed, Outstanding: jd.outstanding, Shortfall: jd.shortfall,
		Ledger: jd.ledger, Reports: reports, Unresolved: unresolved}, true
}

// JobOrderFlags returns a job order's own flags (chain.reverse_fee), none for an unknown job order.
func (v *View) JobOrderFlags(id string) []domain.Flag {
	jo := v.jobOrder(id)
	if jo == nil {
		return nil
	}
	return jobOrderFlags(jo)
}

// JobOrderAgencies are the organisations a job order's flags are listed under by an agency filter: the
// agencies engaged on it and every payer of its payments.
func (jo *JobOrder) JobOrderAgencies() []string {
	var out []string
	for _, e := range jo.Chain {
		out = append(out, e.AgencyID)
	}
	for _, p := range jo.Payments {
		out = append(out, p.PayerID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Decode decodes a stored event into a fact.
func Decode(rec eventstore.Recorded) (Fact, error) {
	ev, err := decodeStored(rec.Type, rec.Data)
	if err != nil {
		return Fact{}, fmt.Errorf("event %s at position %s: %w", rec.ID, rec.Position, err)
	}
	return Fact{Meta: Meta{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt, RecordedAt: rec.RecordedAt,
		RecordedBy: rec.RecordedBy, Position: rec.Position}, Event: ev}, nil
}

// WorkerStreamID returns the worker a stream holds the events of ("worker-<id>"), and false for another
// stream.
func WorkerStreamID(stream string) (string, bool) { return strings.CutPrefix(stream, "worker-") }

// OrganisationName is the name an organisation registered with ("" when unknown).
func (v *View) OrganisationName(id string) string {
	if o := v.m.orgs.org(id); o != nil {
		return o.Name
	}
	return ""
}
