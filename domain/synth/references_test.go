package synth_test

import (
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// references checks one envelope against what came before it in the file; it returns a problem or "".
type references struct {
	orgs, buyers, jobOrders, workerFees map[string]bool
	workerSeen                          bool
	currentWorker                       string
	doneWorkers                         map[string]bool
	last                                map[string]time.Time // per stream: the last occurred_at
}

func newReferences() *references {
	return &references{orgs: map[string]bool{}, buyers: map[string]bool{}, jobOrders: map[string]bool{},
		workerFees: map[string]bool{}, doneWorkers: map[string]bool{}, last: map[string]time.Time{}}
}

func (r *references) check(env domain.Envelope) string {
	if prev, ok := r.last[env.Stream()]; ok && env.OccurredAt.Before(prev) {
		return "occurred before the previous event of " + env.Stream()
	}
	r.last[env.Stream()] = env.OccurredAt
	if we, ok := env.Event.(domain.WorkerEvent); ok {
		return r.worker(we)
	}
	// Closures and exchange rates come last; nothing refers to them.
	if r.workerSeen && env.Type != domain.TypeJobOrderClosed && env.Type != domain.TypeExchangeRatesPublished {
		return "comes after the first worker's events"
	}
	return r.setup(env.Event)
}

// setup checks an organisation, policy or job order event.
func (r *references) setup(ev domain.Event) string {
	switch e := ev.(type) {
	case *domain.OrganisationRegistered:
		r.orgs[e.OrgID] = true
		r.buyers[e.OrgID] = e.Role == domain.RoleBuyer
	case *domain.PolicyAdopted:
		if e.Scope.BuyerID != "" && !r.buyers[e.Scope.BuyerID] {
			return "scope buyer " + e.Scope.BuyerID + " is not a registered buyer"
		}
	case *domain.JobOrderIssued:
		if !r.orgs[e.EmployerID] {
			return "employer " + e.EmployerID + " is not registered"
		}
		for _, b := range e.BuyerIDs {
			if !r.buyers[b] {
				return "buyer " + b + " is not a registered buyer"
			}
		}
		r.jobOrders[e.JobOrderID] = true
	case *domain.AgencyEngaged:
		if !r.jobOrders[e.JobOrderID] || !r.orgs[e.AgencyID] || !r.orgs[e.EngagedBy] {
			return "refers to an unknown job order or organisation"
		}
	case *domain.JobOrderAmended, *domain.JobOrderPaymentMade, *domain.JobOrderClosed:
		if id := jobOrderOf(e); !r.jobOrders[id] {
			return "job order " + id + " was not issued earlier"
		}
	}
	return ""
}

func jobOrderOf(ev domain.Event) string {
	switch e := ev.(type) {
	case *domain.JobOrderAmended:
		return e.JobOrderID
	case *domain.JobOrderPaymentMade:
		return e.JobOrderID
	case *domain.JobOrderClosed:
		return e.JobOrderID
	}
	return ""
}

// worker checks a worker event: each worker's events are contiguous and start with WorkerRecruited for a job
// order issued earlier, recruited by a registered organisation; reimbursed fees were paid earlier.
func (r *references) worker(we domain.WorkerEvent) string {
	r.workerSeen = true
	id := we.Worker()
	switch e := we.(type) {
	case *domain.WorkerRecruited:
		if r.doneWorkers[id] || id == r.currentWorker {
			return "worker " + id + " recruited twice"
		}
		r.doneWorkers[r.currentWorker], r.currentWorker = true, id
		if !r.jobOrders[e.JobOrderID] {
			return "job order " + e.JobOrderID + " was not issued earlier"
		}
		if !r.orgs[e.RecruitedBy] {
			return "recruiter " + e.RecruitedBy + " is not registered"
		}
		return ""
	case *domain.FeePaid:
		r.workerFees[e.FeeID] = true
	case *domain.FeeReimbursed:
		if e.FeeID != "" && !r.workerFees[e.FeeID] {
			return "fee " + e.FeeID + " was not paid earlier"
		}
	case *domain.WorkerDeployed:
		if !r.orgs[e.EmployerID] {
			return "employer " + e.EmployerID + " is not registered"
		}
	}
	if id != r.currentWorker {
		return "worker " + id + " has events outside its own block, or before WorkerRecruited"
	}
	return ""
}

func TestGenerateReferencesAreSound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts synth.Options
	}{
		{"one worker", synth.Options{Workers: 1, Seed: 1}},
		{"2,000 workers", synth.Options{Workers: 2000, Seed: 42}},
		{"2,000 workers, another seed", synth.Options{Workers: 2000, Seed: -9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newReferences()
			for i, env := range events(t, tt.opts) {
				if problem := r.check(env); problem != "" {
					t.Fatalf("event %d (%s %s): %s", i+1, env.Type, env.Stream(), problem)
				}
			}
		})
	}
}
