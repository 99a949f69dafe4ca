package api

import (
	"slices"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// writeScope decides whether an employer, agency, auditor or worker organisation may record each event of one
// request, against the live model and the events earlier in the same request (auditors and worker
// organisations: see voice). A party to a job order is its employer, or an agency
// engaged on it; an agency that only recruited workers for it is not (it reads its own recruits, see access,
// but records nothing for a job order it is not engaged on).
//
//   - organisations, policies and exchange rates are recorded by admin keys only (403);
//   - JobOrderIssued by an employer key, for itself (employer_id is its organisation; else 403), and for a job
//     order id that is new or already its own (else 404). A job order known from what hangs from it but never
//     issued (workers recruited for it, engagements made on it, by an admin) is issued only by the employer that
//     all of them name (each worker's recruited_by, each engagement's engaged_by), else 404: an employer may not
//     take over workers it did not recruit. A re-issue keeps every buyer of the job order (else 403): a supplier
//     never hides a job order and its workers from a buyer it named; changing buyers is an admin act;
//   - JobOrderAmended and JobOrderClosed by the job order's employer (an agency key, 403): the terms are the
//     employer's offer, the baseline that contracts are judged against, so no agency may rewrite them;
//   - AgencyEngaged and JobOrderPaymentMade by a party to the job order, else 404;
//   - WorkerRecruited by a party to the job order it names and, for a worker already known, to the worker's
//     job order, else 404; a known worker is not moved to another job order (403, an admin act), which would
//     take it out of its buyers' view;
//   - the other worker events by a party to the worker's job order; an unknown worker is 404 (record its
//     WorkerRecruited first, or earlier in the same request).
//
// It also notes the streams the request creates: they are appended with expected revision "no stream", so two
// tenants racing to create the same job order or worker cannot both succeed.
type writeScope struct {
	id keys.Identity
	// What earlier events of this request establish.
	issued     map[string]string   // job order -> employer
	buyers     map[string][]string // job order -> buyers of its last issue in this request
	recruited  map[string]string   // worker -> job order
	reports    map[string]string   // reportKey -> organisation that records it in this request
	newStreams map[string]bool
}

func newWriteScope(id keys.Identity) *writeScope {
	return &writeScope{id: id, issued: map[string]string{}, buyers: map[string][]string{}, recruited: map[string]string{},
		reports: map[string]string{}, newStreams: map[string]bool{}}
}

// check returns nil when the caller may record the event, else a *problem naming the field at path (the
// envelope's JSON path in the request): first its scope, then what it claims of other organisations (see
// claims). v is a view of the live model.
func (w *writeScope) check(v *projections.View, acc *access, env domain.Envelope, path string) *problem {
	if p := w.scope(v, acc, env, path); p != nil {
		return p
	}
	return claims(w.id.Org, env.Event, path)
}

// scope checks that the caller may record the event on its job order or worker.
func (w *writeScope) scope(v *projections.View, acc *access, env domain.Envelope, path string) *problem {
	if p, handled := w.voice(v, acc, env, path); handled {
		return p
	}
	switch e := env.Event.(type) {
	case *domain.OrganisationRegistered, *domain.PolicyAdopted, *domain.PolicyRetired, *domain.ExchangeRatesPublished:
		return refuse(errForbidden, path, "type", env.Type+" events are recorded with an admin key")
	case *domain.JobOrderIssued:
		return w.issue(v, e, path)
	case *domain.WorkerRecruited:
		return w.recruit(v, acc, e, path)
	case *domain.JobOrderAmended, *domain.JobOrderClosed:
		if w.id.Role != keys.RoleEmployer {
			return refuse(errForbidden, path, "type", env.Type+" events are recorded with the employer's key")
		}
	case domain.WorkerEvent:
		jo := w.workerJobOrder(v, e.Worker())
		if jo == "" || !w.party(acc, jo) {
			return refuse(errNotFound, path, "data.worker_id", "worker "+e.Worker()+" not found")
		}
		return nil
	}
	jo := jobOrderOf(env.Event)
	if !w.party(acc, jo) {
		return refuse(errNotFound, path, "data.job_order_id", "job order "+jo+" not found")
	}
	return nil
}

func (w *writeScope) issue(v *projections.View, e *domain.JobOrderIssued, path string) *problem {
	if w.id.Role != keys.RoleEmployer {
		return refuse(errForbidden, path, "type", "job orders are issued with an employer key")
	}
	if e.EmployerID != w.id.Org {
		return refuse(errForbidden, path, "data.employer_id", "must be your organisation, "+w.id.Org)
	}
	notFound := refuse(errNotFound, path, "data.job_order_id", "job order "+e.JobOrderID+" not found")
	if emp, ok := w.issued[e.JobOrderID]; ok && emp != w.id.Org {
		return notFound
	}
	jo, known := v.JobOrder(e.JobOrderID)
	switch {
	case known && jo.Issued && jo.EmployerID != w.id.Org:
		return notFound
	case known && !jo.Issued && !w.namedByAll(v, jo):
		return notFound
	}
	var had []string
	if known {
		had = jo.BuyerIDs
	}
	if prev, ok := w.buyers[e.JobOrderID]; ok {
		had = prev
	}
	for _, b := range had {
		if !slices.Contains(e.BuyerIDs, b) {
			return refuse(errForbidden, path, "data.buyer_ids", "must keep buyer "+b+
				": a re-issue may not drop a buyer the job order names (changing buyers is done with an admin key)")
		}
	}
	if !known || !hasStream(jo) {
		w.newStreams[e.Stream()] = true
	}
	w.issued[e.JobOrderID], w.buyers[e.JobOrderID] = w.id.Org, e.BuyerIDs
	return nil
}

// namedByAll reports whether everything recorded on a job order never issued names the caller: each worker's
// recruitment as recruited_by and each engagement as engaged_by.
func (w *writeScope) namedByAll(v *projections.View, jo *projections.JobOrder) bool {
	for _, id := range jo.Workers {
		if r, ok := v.Worker(id); !ok || r.RecruitedBy != w.id.Org {
			return false
		}
	}
	for _, e := range jo.Chain {
		if e.EngagedBy != w.id.Org {
			return false
		}
	}
	return true
}

func (w *writeScope) recruit(v *projections.View, acc *access, e *domain.WorkerRecruited, path string) *problem {
	if !w.party(acc, e.JobOrderID) {
		return refuse(errNotFound, path, "data.job_order_id", "job order "+e.JobOrderID+" not found")
	}
	if prev := w.workerJobOrder(v, e.WorkerID); prev != "" {
		if !w.party(acc, prev) {
			return refuse(errNotFound, path, "data.worker_id", "worker "+e.WorkerID+" not found")
		}
		if prev != e.JobOrderID {
			return refuse(errForbidden, path, "data.job_order_id", "worker "+e.WorkerID+" was recruited for job order "+
				prev+"; moving a worker to another job order is done with an admin key")
		}
	} else if _, known := v.Worker(e.WorkerID); known {
		// A worker with events but no recruitment belongs to nobody but admin keys.
		return refuse(errNotFound, path, "data.worker_id", "worker "+e.WorkerID+" not found")
	} else {
		w.newStreams[e.Stream()] = true
		w.recruited[e.WorkerID] = e.JobOrderID
	}
	return nil
}

// workerJobOrder is the job order of a worker known to the model or recruited earlier in the request.
func (w *writeScope) workerJobOrder(v *projections.View, worker string) string {
	if r, ok := v.Worker(worker); ok && r.JobOrderID != "" {
		return r.JobOrderID
	}
	return w.recruited[worker]
}

// party reports whether the caller is party to the job order: in the model, or as the employer that issues it
// earlier in this request. (An agency becomes party only through events that a party records, so within one
// request it is party to what it was party to before.)
func (w *writeScope) party(acc *access, jo string) bool {
	if w.id.Role != keys.RoleEmployer && w.id.Role != keys.RoleAgency || jo == "" {
		return false
	}
	return w.issued[jo] == w.id.Org || acc.jobOrder(jo)
}

// hasStream reports whether any event of the job order's own stream is known (a job order can be known only
// from the workers recruited for it).
func hasStream(jo *projections.JobOrder) bool {
	return jo.Issued || len(jo.Versions) > 0 || len(jo.Chain) > 0 || len(jo.Payments) > 0 || jo.Closed != nil
}

// jobOrderOf is the job order of a job-order event.
func jobOrderOf(e domain.Event) string {
	if je, ok := e.(domain.JobOrderEvent); ok {
		return je.JobOrder()
	}
	return ""
}

// refuse is a scope failure naming the field of the envelope at path.
func refuse(kind error, path, field, issue string) *problem {
	p := joinPath(path, field)
	return &problem{kind: kind, message: p + ": " + issue, fields: []domain.FieldError{{Path: p, Problem: issue}}}
}

// joinPath joins JSON path segments: "[3]" and "data.x" give "[3].data.x".
func joinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}
