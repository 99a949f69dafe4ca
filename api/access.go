package api

import (
	"slices"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// access decides what a caller may read in one view of the model. Everything is scoped by job order: a
// caller reads a job order, the workers recruited for it and the flags about them when it is party to it:
//
//   - admin: everything;
//   - buyer: the job orders that name it among their buyer_ids;
//   - auditor and worker organisation: the job orders that name a buyer that granted it access;
//   - employer: the job orders it issued (employer_id);
//   - agency: the job orders it is engaged on (AgencyEngaged).
//
// A worker belongs to the job order its recruitment names (the first, by occurred_at); a worker with no
// recruitment is read by admin keys only. An agency also reads the workers it recruited itself, and their
// flags, on a job order it is not engaged on (an undisclosed intermediary sees its own recruits, not the job
// order). Decisions are made on the view being read, so an as-of query is scoped by who was party to the job
// order at that time.
type access struct {
	id   keys.Identity
	v    *projections.View
	jobs map[string]bool // decisions made so far
}

func newAccess(id keys.Identity, v *projections.View) *access {
	return &access{id: id, v: v, jobs: map[string]bool{}}
}

// all reports whether the caller reads everything.
func (a *access) all() bool { return a.id.Role == keys.RoleAdmin }

// jobOrder reports whether the caller may read the job order and what hangs from it.
func (a *access) jobOrder(id string) bool {
	if a.all() {
		return true
	}
	if id == "" {
		return false
	}
	if ok, decided := a.jobs[id]; decided {
		return ok
	}
	ok := a.decide(id)
	a.jobs[id] = ok
	return ok
}

func (a *access) decide(id string) bool {
	jo, ok := a.v.JobOrder(id)
	if !ok {
		return false
	}
	engaged := make([]string, len(jo.Chain))
	for i, e := range jo.Chain {
		engaged[i] = e.AgencyID
	}
	return a.party(jo.BuyerIDs, jo.EmployerID, engaged)
}

// party reports whether a caller other than an admin is party to a job order of these buyers, employer and
// agencies: a buyer's (or an auditor's or worker organisation's) buyer among the buyers, an employer that is
// the employer, an agency among the agencies.
func (a *access) party(buyers []string, employer string, agencies []string) bool {
	switch a.id.Role {
	case keys.RoleBuyer, keys.RoleAuditor, keys.RoleWorkerOrganisation:
		return slices.ContainsFunc(buyers, func(b string) bool { return slices.Contains(a.id.Buyers, b) })
	case keys.RoleEmployer:
		return employer != "" && employer == a.id.Org
	case keys.RoleAgency:
		return slices.Contains(agencies, a.id.Org)
	}
	return false
}

// worker reports whether the caller may read the worker.
func (a *access) worker(r *projections.WorkerReport) bool {
	return a.all() || a.jobOrder(r.JobOrderID) || a.id.Role == keys.RoleAgency && r.RecruitedBy == a.id.Org
}

// recorded reports whether the caller may read a worker of the parties the persisted model records (without a
// time filter): what worker decides on a view of it, as the parties of its job order are those of the row and
// its recruiter is among the row's agencies.
func (a *access) recorded(p readmodel.WorkerParties) bool {
	return a.all() || a.party(p.BuyerIDs, p.EmployerID, p.Agencies)
}

// flag reports whether the caller may read the flag: a worker's flag as the worker, a job order's as the job
// order.
func (a *access) flag(f domain.Flag) bool {
	if a.all() {
		return true
	}
	if f.WorkerID != "" {
		r, ok := a.v.Worker(f.WorkerID)
		return ok && a.worker(r)
	}
	return a.jobOrder(f.JobOrderID)
}

// buyer reports whether the caller may name the buyer in a query: any buyer for those who are not scoped by
// buyer (admin, employers and agencies, whose results are scoped by job order anyway), and only their own
// buyers for buyers, auditors and worker organisations.
func (a *access) buyer(b string) bool {
	switch a.id.Role {
	case keys.RoleBuyer, keys.RoleAuditor, keys.RoleWorkerOrganisation:
		return slices.Contains(a.id.Buyers, b)
	}
	return true
}
