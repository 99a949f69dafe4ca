package projections

import (
	"runtime"
	"sync"
	"time"
)

// View judges the model at a clock: the time overdue reimbursements are judged against. A View is a snapshot
// for one query; it is not safe for concurrent use, and the model must not change while it is used.
type View struct {
	m         *Model
	clock     time.Time
	policies  policyIndex
	jobOrders map[string]*JobOrder
	workers   map[string]*WorkerReport
}

// View returns a view of the model judged at clock.
func (m *Model) View(clock time.Time) *View {
	return &View{m: m, clock: clock, policies: m.policyIndex(), jobOrders: make(map[string]*JobOrder),
		workers: make(map[string]*WorkerReport)}
}

// Clock is the time the view judges at.
func (v *View) Clock() time.Time { return v.clock }

// jobOrder returns the job order, or nil when no event about it was admitted.
func (v *View) jobOrder(id string) *JobOrder {
	if jo, ok := v.jobOrders[id]; ok {
		return jo
	}
	jf := v.m.jobOrders[id]
	var jo *JobOrder
	if jf != nil {
		jo = v.m.buildJobOrder(jf)
	}
	v.jobOrders[id] = jo
	return jo
}

// JobOrder returns a job order and whether it is known.
func (v *View) JobOrder(id string) (*JobOrder, bool) {
	jo := v.jobOrder(id)
	return jo, jo != nil
}

// Worker returns a worker's report and whether the worker is known.
func (v *View) Worker(id string) (*WorkerReport, bool) {
	if r, ok := v.workers[id]; ok {
		return r, r != nil
	}
	wf := v.m.workers[id]
	if wf == nil {
		v.workers[id] = nil
		return nil, false
	}
	ws := v.workerState(wf)
	r, jd := v.buildReport(ws)
	r.Flags = visibleAt(r.Flags, clockedFlags(ws, jd.c), v.clock)
	v.workers[id] = r
	return r, true
}

// History returns a worker's report with its timeline: every admitted event in business-time order, with its
// data and metadata.
func (v *View) History(id string) (*WorkerReport, bool) {
	r, ok := v.Worker(id)
	if !ok {
		return nil, false
	}
	h := *r
	h.Timeline = timeline(v.m.workers[id].facts)
	return &h, true
}

// warm judges, on every core, the workers whose judgement is not cached, so that a query over many workers
// does not judge them one by one.
func (v *View) warm(ids []string) {
	if v.m.cache.holdsAll(len(v.m.workers)) {
		return
	}
	cold := v.m.cache.missing(ids)
	if len(cold) < 64 {
		return
	}
	for id := range v.m.jobOrders {
		v.jobOrder(id) // built up front: judging only reads them
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(cold); i += workers {
				v.m.judgement(v, cold[i])
			}
		})
	}
	wg.Wait()
}

// Reporting converts money into currency with the model's rates, judging overdue money at the view's clock.
func (v *View) Reporting(currency string) Reporting {
	return Reporting{Currency: currency, Rates: v.m.rates, Clock: v.clock}
}
