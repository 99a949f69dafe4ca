package api

import (
	"errors"
	"slices"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// What auditors and worker organisations may record (spec section 8), and who resolves a report:
//
//   - an auditor records, for a worker of a job order in its granted scope, WorkerReported and
//     WorkerReportResolved, and the facts its interviews establish: FeePaid, DocumentRetained and
//     ContractSigned, stored with recorded_by "interview:<auditor org>" (see recorderFor). Other types: 403;
//   - a worker organisation records WorkerReported and WorkerReportResolved for a worker in its granted scope;
//     other types: 403;
//   - employers and agencies record neither (403): a report is the worker's account of their conduct;
//   - a worker outside the caller's scope, or unknown, is 404, as everywhere;
//   - channel worker_link is refused to every key, an admin's too (403, recordersOnly): a report through the
//     worker's own link is recorded by the link, as "worker";
//   - a report is resolved by the organisation that recorded it, by an auditor in scope, or by an admin; a worker
//     organisation may not resolve another's report (403); a resolution names a report of the worker, stored or
//     earlier in the request (else 404, from the ingest's record-id rule, eventstore.RecordIDs, which applies to
//     every writer and also refuses a report_id its worker already uses: 409 report_id_reused).
var (
	auditorTypes = []string{domain.TypeWorkerReported, domain.TypeWorkerReportResolved, domain.TypeFeePaid,
		domain.TypeDocumentRetained, domain.TypeContractSigned}
	reportTypes = []string{domain.TypeWorkerReported, domain.TypeWorkerReportResolved}
	// interviewTypes are the facts an auditor's interview establishes.
	interviewTypes = []string{domain.TypeFeePaid, domain.TypeDocumentRetained, domain.TypeContractSigned}
)

// recordersOnly refuses (403) the events of a request that its recorders may not record whatever their role
// (domain.CheckRecorder): no key, an admin's included, records a worker_link report, which only the worker's
// own link records, as "worker".
func recordersOnly(sub submission) error {
	out := &problem{kind: errForbidden}
	for i, ev := range sub.events {
		var ve *domain.ValidationError
		if errors.As(domain.CheckRecorder(ev.Envelope.Event, ev.Event.RecordedBy), &ve) {
			for _, f := range ve.Fields {
				out.fields = append(out.fields, domain.FieldError{Path: joinPath(sub.paths[i], f.Path), Problem: f.Problem})
			}
		}
	}
	if len(out.fields) == 0 {
		return nil
	}
	out.message = out.fields[0].Path + ": " + out.fields[0].Problem + "; nothing was stored"
	return out
}

// recorderFor is the recorded_by of an event a key records: its organisation, or "interview:<org>" for the
// facts an auditor records from an interview.
func recorderFor(id keys.Identity) func(domain.Envelope) string {
	return func(env domain.Envelope) string {
		if id.Role == keys.RoleAuditor && slices.Contains(interviewTypes, env.Type) {
			return domain.RecordedByInterview(id.Org)
		}
		return id.Org
	}
}

// voice checks what the caller may record of section 8 and, for auditors and worker organisations, every
// event: handled reports whether it decided (p nil when allowed), else the employer/agency rules apply.
func (w *writeScope) voice(v *projections.View, acc *access, env domain.Envelope, path string) (p *problem, handled bool) {
	role := w.id.Role
	switch {
	case role == keys.RoleAuditor && !slices.Contains(auditorTypes, env.Type):
		return refuse(errForbidden, path, "type", "an auditor records worker reports and what its interviews "+
			"establish (FeePaid, DocumentRetained, ContractSigned), not "+env.Type), true
	case role == keys.RoleWorkerOrganisation && !slices.Contains(reportTypes, env.Type):
		return refuse(errForbidden, path, "type", "a worker organisation records WorkerReported and "+
			"WorkerReportResolved, not "+env.Type), true
	case !keys.Granted(role) && slices.Contains(reportTypes, env.Type):
		return refuse(errForbidden, path, "type", env.Type+" events are recorded by auditors, worker organisations "+
			"and admins: a report is the worker's account of the employer's and the agencies' conduct"), true
	case !keys.Granted(role):
		return nil, false
	}
	we := env.Event.(domain.WorkerEvent)
	r, ok := v.Worker(we.Worker())
	if !ok || r.JobOrderID == "" || !acc.jobOrder(r.JobOrderID) {
		return refuse(errNotFound, path, "data.worker_id", "worker "+we.Worker()+" not found"), true
	}
	switch e := env.Event.(type) {
	case *domain.WorkerReported:
		w.reports[reportKey(e.WorkerID, e.ReportID)] = w.id.Org
	case *domain.WorkerReportResolved:
		return w.resolve(r, e, path), true
	}
	return nil, true
}

// resolve checks a resolution by an auditor or a worker organisation of a worker in its scope. A report the
// worker does not have is the ingest's to refuse (404 data.report_id, eventstore.Reports), for every writer.
func (w *writeScope) resolve(r *projections.WorkerReport, e *domain.WorkerReportResolved, path string) *problem {
	by, known := w.reports[reportKey(e.WorkerID, e.ReportID)]
	for _, rl := range r.Reports {
		if rl.ReportID == e.ReportID && !known {
			by, known = rl.RecordedBy, true
		}
	}
	switch {
	case !known:
		return nil
	case w.id.Role == keys.RoleWorkerOrganisation && by != w.id.Org:
		return refuse(errForbidden, path, "data.report_id", "a worker organisation resolves the reports it recorded; "+
			"report "+e.ReportID+" is resolved by the organisation that recorded it, an auditor or an admin")
	}
	return nil
}

func reportKey(worker, report string) string { return worker + "\x00" + report }
