package projections

import (
	"cmp"
	"fmt"
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
	orgs       *orgBook
	rates      *domain.RateBook
	reports    reportTally
	checkpoint eventstore.Position
	applied    int
	version    uint64

	// cache holds the workers' judgements; ApplyFact drops those an event changes.
	cache     *judgementCache
	idsMu     sync.Mutex
	workerIDs []string // sorted; nil when a worker was added since
	strs      map[string]string
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
		orgs:      newOrgBook(),
		rates:     &domain.RateBook{},
		reports:   newReportTally(),
		cache:     newJudgementCache(),
		strs:      make(map[string]string),
	}
}

// Fork returns a model admitting what m admits that starts with m's organisations, policies and exchange
// rates, without applying their events again: a partial model of a few workers forks a model of the context
// kept for the queries that follow. The fork shares them until an event changes them in it (it then copies
// its own); m must not change afterwards. Forks of one model may be made and used concurrently.
func (m *Model) Fork() *Model {
	f := New(m.filter)
	f.orgs, f.policies, f.rates, f.shared = m.orgs, m.policies, m.rates, true
	return f
}

// ForkWithJobOrders is Fork that starts the fork with m's job orders as well (their events, and the workers
// m recruited on them): a rebuild judges the workers a shard at a time, each shard's events applied on a fork
// of one model of every event that is not a worker's. The fork's events change its own copies.
func (m *Model) ForkWithJobOrders() *Model {
	f := m.Fork()
	for id, jo := range m.jobOrders {
		f.jobOrders[id] = &jobOrderFacts{id: id, facts: slices.Clip(jo.facts), workers: slices.Clip(jo.workers)}
	}
	return f
}

// unshare gives a fork its own organisations, policies and rates before an event changes them.
func (m *Model) unshare() {
	if !m.shared {
		return
	}
	m.shared = false
	m.orgs = m.orgs.clone()
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

// ApplyFact admits an already decoded event. What an event changes is decided here, in one switch: the
// aggregate whose events it joins (an organisation, the rates, a policy, a worker or a job order) and the
// cached judgements it makes stale. How an aggregate's events fold into its state is that aggregate's own
// apply function: workerState.apply, JobOrder.apply and policyVersions.apply.
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
	switch f.Event.(type) {
	case *domain.OrganisationRegistered, *domain.ExchangeRatesPublished, *domain.PolicyAdopted, *domain.PolicyRetired:
		m.unshare()
	}
	switch e := f.Event.(type) {
	case *domain.OrganisationRegistered: // any worker's rules may read any organisation
		m.orgs.apply(e, f)
		m.cache.dropAll()
	case *domain.ExchangeRatesPublished: // any fee may convert at it
		m.rates.Add(f.ID, e)
		m.cache.dropAll()
	case *domain.PolicyAdopted: // a policy may cover any worker
		m.policy(e.PolicyID).facts = insertFact(m.policy(e.PolicyID).facts, f)
		m.cache.dropAll()
	case *domain.PolicyRetired:
		m.policy(e.PolicyID).facts = insertFact(m.policy(e.PolicyID).facts, f)
		m.cache.dropAll()
	case domain.WorkerEvent: // the worker's own judgement, and the reports' tally
		m.reports.apply(e)
		m.addWorkerFact(e, f)
		m.cache.drop(e.Worker())
	default: // a job order's: the judgements of the workers recruited on it
		if id := jobOrderID(f.Event); id != "" {
			jo := m.jobOrder(id)
			jo.facts = insertFact(jo.facts, f)
			m.cache.drop(jo.workers...)
		}
	}
}

// addWorkerFact files a worker's event under the worker, and a recruitment's worker under its job order too.
func (m *Model) addWorkerFact(e domain.WorkerEvent, f Fact) {
	w := m.worker(e.Worker())
	w.facts = insertFact(w.facts, f)
	if len(w.facts) == 1 {
		m.idsMu.Lock()
		m.workerIDs = nil
		m.idsMu.Unlock()
	}
	if r, ok := e.(*domain.WorkerRecruited); ok {
		jo := m.jobOrder(r.JobOrderID)
		if !slices.Contains(jo.workers, r.WorkerID) {
			jo.workers = append(jo.workers, r.WorkerID)
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
	m.idsMu.Lock()
	defer m.idsMu.Unlock()
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
