package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// workerState is a worker's events sorted into what the judgements need.
type workerState struct {
	id          string
	facts       []Fact
	recruited   *domain.WorkerRecruited
	recruitedAt Fact
	jobOrder    *JobOrder // nil when the job order is unknown
	fees        []feeFact
	refunds     []refundFact
	loans       []Fact
	contracts   []contractFact
	departed    *Fact
	deployed    *Fact
	arrived     *Fact
	retained    []Fact
	returned    []Fact
	exited      *Fact
	reports     []reportFact // each with its last resolution
	resolutions []resolutionFact
	base        baseline // what later contracts are compared with
	hasBase     bool
	compared    []*Comparison // each contract compared with the baseline (nil when it is not compared)
}

type feeFact struct {
	Fact
	fee *domain.FeePaid
}

type refundFact struct {
	Fact
	refund *domain.FeeReimbursed
}

type contractFact struct {
	Fact
	contract *domain.ContractSigned
}

// workerState folds a worker's events, in business-time order, into its state, then sets what the state
// derives from other aggregates (the job order) and from itself (the baseline and the contracts compared
// with it).
func (v *View) workerState(wf *workerFacts) *workerState {
	ws := &workerState{id: wf.id, facts: wf.facts}
	ws.reserve(wf.facts)
	for i := range wf.facts {
		ws.apply(&wf.facts[i])
	}
	pairResolutions(ws.reports, ws.resolutions)
	if ws.recruited != nil {
		ws.jobOrder = v.jobOrder(ws.recruited.JobOrderID)
	}
	ws.base, ws.hasBase = baselineOf(ws)
	ws.compared = compareContracts(ws)
	return ws
}

// reserve sizes the lists of fees, reimbursements and contracts the fold appends to, the longest (each
// element a Fact), once: a rebuild folds every worker.
func (ws *workerState) reserve(facts []Fact) {
	var fees, refunds, contracts int
	for i := range facts {
		switch facts[i].Event.(type) {
		case *domain.FeePaid:
			fees++
		case *domain.FeeReimbursed:
			refunds++
		case *domain.ContractSigned:
			contracts++
		}
	}
	ws.fees = make([]feeFact, 0, fees)
	ws.refunds = make([]refundFact, 0, refunds)
	ws.contracts = make([]contractFact, 0, contracts)
}

// apply is what each of a worker's events changes in its state: the worker's fold.
func (ws *workerState) apply(f *Fact) {
	switch e := f.Event.(type) {
	case *domain.WorkerRecruited:
		if ws.recruited == nil {
			ws.recruited, ws.recruitedAt = e, *f
		}
	case *domain.FeePaid:
		ws.fees = append(ws.fees, feeFact{*f, e})
	case *domain.FeeReimbursed:
		ws.refunds = append(ws.refunds, refundFact{*f, e})
	case *domain.LoanTaken:
		ws.loans = append(ws.loans, *f)
	case *domain.ContractSigned:
		ws.contracts = append(ws.contracts, contractFact{*f, e})
	case *domain.WorkerDeparted:
		ws.departed = firstFact(ws.departed, f)
	case *domain.WorkerArrived:
		ws.arrived = firstFact(ws.arrived, f)
	case *domain.WorkerDeployed:
		ws.deployed = firstFact(ws.deployed, f)
	case *domain.DocumentRetained:
		ws.retained = append(ws.retained, *f)
	case *domain.DocumentReturned:
		ws.returned = append(ws.returned, *f)
	case *domain.WorkerExited:
		ws.exited = f
	case *domain.WorkerReported:
		ws.reports = append(ws.reports, reportFact{Fact: *f, report: e})
	case *domain.WorkerReportResolved:
		ws.resolutions = append(ws.resolutions, resolutionFact{*f, e})
	}
}

func firstFact(cur, f *Fact) *Fact {
	if cur != nil {
		return cur
	}
	return f
}

// buyers are the buyer ids of the worker's job order.
func (ws *workerState) buyers() []string {
	if ws.jobOrder == nil {
		return []string{}
	}
	return ws.jobOrder.BuyerIDs
}

func (ws *workerState) jobOrderID() string {
	if ws.recruited == nil {
		return ""
	}
	return ws.recruited.JobOrderID
}

// otherJobOrders are the job orders the worker's recruitments name other than the one it was first recruited
// for, each once, in the order of its events.
func (ws *workerState) otherJobOrders() []string {
	var others []string
	for _, f := range ws.facts {
		r, ok := f.Event.(*domain.WorkerRecruited)
		if ok && r.JobOrderID != ws.jobOrderID() && !slices.Contains(others, r.JobOrderID) {
			others = append(others, r.JobOrderID)
		}
	}
	return others
}

func (ws *workerState) origin() string {
	if ws.recruited == nil {
		return ""
	}
	return ws.recruited.OriginCountry
}

// promisedTerms are the job order's terms the worker was recruited on: those in force when recruited.
func (ws *workerState) promisedTerms() (TermsVersion, bool) {
	if ws.jobOrder == nil {
		return TermsVersion{}, false
	}
	at := time.Time{}
	if ws.recruited != nil {
		at = ws.recruitedAt.OccurredAt
	}
	return ws.jobOrder.TermsAt(at)
}

// departure is when the worker left: the first departure or the first deployment, whichever came first (a
// worker deployed abroad has left home, whatever a departure recorded later says); nil when neither happened.
// Of the two at one instant, the departure.
func (ws *workerState) departure() *Fact {
	if ws.departed == nil || ws.deployed != nil && ws.deployed.OccurredAt.Before(ws.departed.OccurredAt) {
		return ws.deployed
	}
	return ws.departed
}

// returnOf is what ends a retention of a document, nil while it is held: the first return of the document at or
// after it, or the first retention of it after it by the worker or by one who holds it for the worker (a later
// holder says where the document is now), whichever comes first.
func (ws *workerState) returnOf(retained Fact, orgs *orgBook) *Fact {
	doc := retained.Event.(*domain.DocumentRetained).Document
	var end *Fact
	for i, rf := range ws.returned {
		if rf.Event.(*domain.DocumentReturned).Document == doc && !rf.OccurredAt.Before(retained.OccurredAt) {
			end = &ws.returned[i]
			break
		}
	}
	for i, later := range ws.retained {
		e := later.Event.(*domain.DocumentRetained)
		if end != nil && !later.OccurredAt.Before(end.OccurredAt) {
			break
		}
		if later.ID != retained.ID && e.Document == doc && !later.OccurredAt.Before(retained.OccurredAt) &&
			ws.holdsForWorker(e.HeldBy, orgs) {
			return &ws.retained[i]
		}
	}
	return end
}

// holdsForWorker reports whether a document held by heldBy is in the worker's hands: the worker's own, or one
// who holds it for the worker (a buyer, an auditor or a worker organisation).
func (ws *workerState) holdsForWorker(heldBy string, orgs *orgBook) bool {
	o := orgs.org(heldBy)
	return heldBy == ws.id || o != nil && slices.Contains(notRetainers, o.Role)
}

// languages are the languages the worker reads, as recruited (none when the recruitment is unknown).
func (ws *workerState) languages() []string {
	if ws.recruited == nil {
		return nil
	}
	return ws.recruited.Languages
}
