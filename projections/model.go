package projections

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// Meta is what the store knows about an event besides its data.
type Meta struct {
	ID         domain.EventID
	Type       string
	OccurredAt time.Time
	RecordedAt time.Time
	RecordedBy string
	Position   eventstore.Position
}

// Fact is an event with its metadata.
type Fact struct {
	Meta
	Event domain.Event
}

// before orders facts by business time, then by global position.
func before(a, b Fact) int {
	if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
		return c
	}
	if a.Position.Less(b.Position) {
		return -1
	}
	if b.Position.Less(a.Position) {
		return 1
	}
	return 0
}

// Filter restricts a replay. Zero times mean no restriction.
type Filter struct {
	// AsOf keeps events that had happened by then (occurred_at <= AsOf).
	AsOf time.Time
	// KnownAt keeps events the tracker had recorded by then (recorded_at <= KnownAt).
	KnownAt time.Time
}

// Admits reports whether an event passes the filter.
func (f Filter) Admits(m Meta) bool {
	if !f.AsOf.IsZero() && m.OccurredAt.After(f.AsOf) {
		return false
	}
	return f.KnownAt.IsZero() || !m.RecordedAt.After(f.KnownAt)
}

// Clock is the time judgements are made at: AsOf, else KnownAt, else now.
func (f Filter) Clock(now time.Time) time.Time {
	switch {
	case !f.AsOf.IsZero():
		return f.AsOf
	case !f.KnownAt.IsZero():
		return f.KnownAt
	}
	return now
}

// Model is the read model: events indexed by worker, job order, policy and organisation.
type Model struct {
	filter     Filter
	workers    map[string]*workerFacts
	jobOrders  map[string]*jobOrderFacts
	policies   map[string]*policyFacts
	orgs       map[string]*domain.OrganisationRegistered
	regs       map[string][]Fact // every registration of each organisation, in business-time order
	rates      *domain.RateBook
	reports    reportTally
	checkpoint eventstore.Position
	applied    int
	version    uint64

	// Judgements are cached per worker and dropped by the events that change them: the worker's own, its job
	// order's, and (through generation) any policy, organisation or rates table.
	cacheMu    sync.Mutex
	cache      map[string]*judgement
	generation uint64
	fresh      int      // judgements in cache of the current generation
	workerIDs  []string // sorted; nil when a worker was added since
	strs       map[string]string
	// shared is set on a fork: its organisations, policies and rates are its base's until an event changes them.
	shared bool
}

// intern returns one shared copy of a string that many events repeat (recorded_by).
func (m *Model) intern(s string) string {
	if v, ok := m.strs[s]; ok {
		return v
	}
	if len(m.strs) > 10000 {
		return strings.Clone(s)
	}
	v := strings.Clone(s)
	m.strs[v] = v
	return v
}

// judgement is what queries over many workers need of a worker, judged without a clock. It is kept small
// (no timeline, fee lines or contract reports, only its dated money: View.Worker rebuilds those on demand), so that a model with every
// worker judged stays within memory.
type judgement struct {
	generation uint64
	owner
	employer string
	agencies []string
	// flags are the worker's flags that do not depend on the clock, sorted by raised_at; counts counts them
	// by code (in domain.FlagCodes order).
	flags  []domain.Flag
	counts flagCounts
	// owed are the breaching fees, from which the overdue flags are judged at a clock; nothing is overdue
	// before firstDeadline.
	owed          []*FeeLine
	firstDeadline time.Time
	// opened are the worker.report_open flags, sorted by raised_at: each stands once the clock has passed it.
	opened []domain.Flag
	// The worker's money, prepared for rollups.
	workerPaid, reimbursed, outstanding, shortfall tally
	// ledger is the worker's dated money, for audits in one currency.
	ledger Ledger
}

// judgement returns the worker's cached judgement, computing it when missing or stale; nil for an unknown
// worker. Safe for concurrent readers of an unchanging model.
func (m *Model) judgement(v *View, id string) *judgement {
	m.cacheMu.Lock()
	j, gen := m.cache[id], m.generation
	m.cacheMu.Unlock()
	if j != nil && j.generation == gen {
		return j
	}
	wf := m.workers[id]
	if wf == nil {
		return nil
	}
	ws := v.workerState(wf)
	r, fees := v.buildReport(ws)
	j = &judgement{generation: gen, owner: ws.owner(), employer: r.EmployerID, agencies: r.Agencies, flags: r.Flags,
		workerPaid: tallyOf(r.Totals.workerPaid), reimbursed: tallyOf(r.Totals.reimbursed),
		outstanding: tallyOf(r.Totals.outstanding), shortfall: tallyOf(r.Totals.shortfall), ledger: v.ledgerOf(ws, r, fees)}
	j.counts.add(j.flags)
	j.opened = reportOpenFlags(ws)
	for _, l := range fees.lines {
		if l.owed.IsPositive() && l.Deadline != nil {
			j.owed = append(j.owed, l)
			if j.firstDeadline.IsZero() || l.Deadline.Before(j.firstDeadline) {
				j.firstDeadline = *l.Deadline
			}
		}
	}
	m.cacheMu.Lock()
	if old := m.cache[id]; gen == m.generation && (old == nil || old.generation != gen) {
		m.fresh++
	}
	m.cache[id] = j
	m.cacheMu.Unlock()
	return j
}

// drop forgets a worker's judgement; the caller holds cacheMu.
func (m *Model) drop(worker string) {
	if old := m.cache[worker]; old != nil && old.generation == m.generation {
		m.fresh--
	}
	delete(m.cache, worker)
}

// allJudged reports whether every worker's judgement is cached and current.
func (m *Model) allJudged() bool {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	return m.fresh == len(m.workers)
}

// clockedAt reports whether a flag that depends on the clock may stand at clock: an overdue reimbursement or an
// open report.
func (j *judgement) clockedAt(clock time.Time) bool {
	return len(j.owed) > 0 && clock.After(j.firstDeadline) || len(j.opened) > 0 && VisibleAt(j.opened[0], clock)
}

// flagsAt are the judgement's flags with the overdue reimbursements and the open reports at clock, sorted by
// raised_at.
func (j *judgement) flagsAt(clock time.Time) []domain.Flag {
	if !j.clockedAt(clock) {
		return j.flags
	}
	var clocked []domain.Flag
	if len(j.owed) > 0 && clock.After(j.firstDeadline) {
		clocked = overdueFlags(clock, j.owner, j.owed)
	}
	for _, f := range j.opened {
		if VisibleAt(f, clock) {
			clocked = append(clocked, f)
		}
	}
	if len(clocked) == 0 {
		return j.flags
	}
	flags := append(slices.Clone(j.flags), clocked...)
	slices.SortStableFunc(flags, byRaisedAt)
	return flags
}

// invalidate drops the cached judgements an event changes.
func (m *Model) invalidate(f Fact) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	switch e := f.Event.(type) {
	case *domain.OrganisationRegistered, *domain.PolicyAdopted, *domain.PolicyRetired, *domain.ExchangeRatesPublished:
		m.generation++
		m.fresh = 0
	case domain.WorkerEvent:
		m.drop(e.Worker())
	default:
		if jf := m.jobOrders[jobOrderID(f.Event)]; jf != nil {
			for _, w := range jf.workers {
				m.drop(w)
			}
		}
	}
}

type workerFacts struct {
	id    string
	facts []Fact
}

type jobOrderFacts struct {
	id      string
	facts   []Fact
	workers []string
}

type policyFacts struct {
	id    string
	facts []Fact
}

// New returns an empty model that admits the events passing filter.
func New(filter Filter) *Model {
	return &Model{
		filter:    filter,
		workers:   make(map[string]*workerFacts),
		jobOrders: make(map[string]*jobOrderFacts),
		policies:  make(map[string]*policyFacts),
		orgs:      make(map[string]*domain.OrganisationRegistered),
		regs:      make(map[string][]Fact),
		rates:     &domain.RateBook{},
		reports:   newReportTally(),
		cache:     make(map[string]*judgement),
		strs:      make(map[string]string),
	}
}

// Fork returns a model admitting what m admits that starts with m's organisations, policies and exchange
// rates, without applying their events again: a partial model of a few workers forks a model of the context
// kept for the queries that follow. The fork shares them until an event changes them in it (it then copies
// its own); m must not change afterwards. Forks of one model may be made and used concurrently.
func (m *Model) Fork() *Model {
	f := New(m.filter)
	f.orgs, f.regs, f.policies, f.rates, f.shared = m.orgs, m.regs, m.policies, m.rates, true
	return f
}

// unshare gives a fork its own organisations, policies and rates before an event changes them.
func (m *Model) unshare() {
	if !m.shared {
		return
	}
	m.shared = false
	m.orgs = maps.Clone(m.orgs)
	regs := make(map[string][]Fact, len(m.regs))
	for id, fs := range m.regs {
		regs[id] = slices.Clip(fs)
	}
	m.regs = regs
	policies := make(map[string]*policyFacts, len(m.policies))
	for id, p := range m.policies {
		policies[id] = &policyFacts{id: p.id, facts: slices.Clip(p.facts)}
	}
	m.policies = policies
	m.rates = m.rates.Clone()
}

// Checkpoint is the position of the last event applied (admitted or not).
func (m *Model) Checkpoint() eventstore.Position { return m.checkpoint }

// Len is the number of events admitted.
func (m *Model) Len() int { return m.applied }

// Version changes whenever an admitted event changes the model.
func (m *Model) Version() uint64 { return m.version }

// Apply decodes a stored event and indexes it. Events must come in global order; one at or before the
// checkpoint is ignored, so a replay may overlap. An undecodable event is an error naming it.
func (m *Model) Apply(rec eventstore.Recorded) error {
	if !m.checkpoint.Less(rec.Position) {
		return nil
	}
	ev, err := decodeStored(rec.Type, rec.Data)
	if err != nil {
		return fmt.Errorf("event %s at position %s: %w", rec.ID, rec.Position, err)
	}
	m.ApplyFact(Fact{Meta: Meta{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt, RecordedAt: rec.RecordedAt,
		RecordedBy: rec.RecordedBy, Position: rec.Position}, Event: ev})
	return nil
}

// ApplyFact indexes an already decoded event.
func (m *Model) ApplyFact(f Fact) {
	// Kept strings are shared: a store may hand over strings that pin a larger buffer.
	f.Type = f.Event.EventType()
	f.RecordedBy = m.intern(f.RecordedBy)
	m.checkpoint = f.Position
	if !m.filter.Admits(f.Meta) {
		return
	}
	m.applied++
	m.version++
	defer m.invalidate(f)
	switch f.Event.(type) {
	case *domain.OrganisationRegistered, *domain.ExchangeRatesPublished, *domain.PolicyAdopted, *domain.PolicyRetired:
		m.unshare()
	}
	switch e := f.Event.(type) {
	case *domain.OrganisationRegistered:
		m.orgs[e.OrgID] = e
		m.regs[e.OrgID] = insertFact(m.regs[e.OrgID], f)
	case *domain.ExchangeRatesPublished:
		m.rates.Add(f.ID, e)
	case *domain.PolicyAdopted:
		m.policy(e.PolicyID).facts = insertFact(m.policy(e.PolicyID).facts, f)
	case *domain.PolicyRetired:
		m.policy(e.PolicyID).facts = insertFact(m.policy(e.PolicyID).facts, f)
	case domain.WorkerEvent:
		m.reports.apply(e)
		w := m.worker(e.Worker())
		w.facts = insertFact(w.facts, f)
		if len(w.facts) == 1 {
			m.workerIDs = nil
		}
		if r, ok := e.(*domain.WorkerRecruited); ok {
			jo := m.jobOrder(r.JobOrderID)
			if !slices.Contains(jo.workers, r.WorkerID) {
				jo.workers = append(jo.workers, r.WorkerID)
			}
		}
	default:
		if id := jobOrderID(f.Event); id != "" {
			jo := m.jobOrder(id)
			jo.facts = insertFact(jo.facts, f)
		}
	}
}

func jobOrderID(e domain.Event) string {
	if je, ok := e.(domain.JobOrderEvent); ok {
		return je.JobOrder()
	}
	return ""
}

// insertFact keeps facts sorted by business time; events mostly arrive in order, so it searches from the end.
func insertFact(facts []Fact, f Fact) []Fact {
	i := len(facts)
	for i > 0 && before(facts[i-1], f) > 0 {
		i--
	}
	return slices.Insert(facts, i, f)
}

func (m *Model) worker(id string) *workerFacts {
	w := m.workers[id]
	if w == nil {
		w = &workerFacts{id: id, facts: make([]Fact, 0, 16)} // a worker's history is ~15 events
		m.workers[id] = w
	}
	return w
}

func (m *Model) jobOrder(id string) *jobOrderFacts {
	j := m.jobOrders[id]
	if j == nil {
		j = &jobOrderFacts{id: id}
		m.jobOrders[id] = j
	}
	return j
}

func (m *Model) policy(id string) *policyFacts {
	p := m.policies[id]
	if p == nil {
		p = &policyFacts{id: id}
		m.policies[id] = p
	}
	return p
}

// WorkerIDs lists the workers, sorted. The caller must not change the slice.
func (m *Model) WorkerIDs() []string {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	if m.workerIDs == nil {
		m.workerIDs = sortedKeys(m.workers)
	}
	return m.workerIDs
}

// JobOrderIDs lists the job orders, sorted.
func (m *Model) JobOrderIDs() []string { return sortedKeys(m.jobOrders) }

func sortedKeys[V any](mp map[string]V) []string {
	keys := make([]string, 0, len(mp))
	for k := range mp {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	return keys
}
