package projections

import (
	"cmp"
	"maps"
	"slices"
	"sync"

	"github.com/fairtrail/fairtrail/domain"
)

// orgBook is what a model knows of the organisations: each one's last registration (in global order) and
// every registration of it, in business-time order. A book made by LoadOrgs starts empty and reads an
// organisation's registrations through its loader the first time a rule or a report names it, so that a
// model of one worker holds the few organisations that worker's judgement reads rather than every one of the
// store's; it answers as a book given every registration would (see LoadOrgs).
type orgBook struct {
	latest map[string]*domain.OrganisationRegistered
	regs   map[string][]Fact
	lazy   *orgLoader // nil: the book holds every organisation it was given
}

// orgLoader reads the organisations a lazy book has not been asked for before.
type orgLoader struct {
	mu     sync.Mutex // held while a lookup reads or fills the book
	load   OrgLoader
	filter Filter
	asked  map[string]bool // the organisations loaded, or found to have no registration
	err    error           // the loader's first error
}

// OrgLoader returns an organisation's registrations as stored, in global order (none for an organisation
// never registered).
type OrgLoader func(id string) ([]Fact, error)

func newOrgBook() *orgBook {
	return &orgBook{latest: make(map[string]*domain.OrganisationRegistered), regs: make(map[string][]Fact)}
}

// org is an organisation's last registration, nil when it has none.
func (b *orgBook) org(id string) *domain.OrganisationRegistered {
	defer b.filled(id)()
	return b.latest[id]
}

// registrations are an organisation's registrations, in business-time order. The caller must not change them.
func (b *orgBook) registrations(id string) []Fact {
	defer b.filled(id)()
	return b.regs[id]
}

// filled makes a lazy book hold an organisation (fill) and returns what ends the lookup: the book is locked
// until then. A full book needs neither.
func (b *orgBook) filled(id string) (unlock func()) {
	if b.lazy == nil {
		return func() {}
	}
	b.lazy.mu.Lock()
	b.fill(id)
	return b.lazy.mu.Unlock
}

// fill loads an organisation into a lazy book the first time it is asked for (b.lazy.mu held): its
// registrations that the model's filter admits, added as Model.ApplyFact adds them.
func (b *orgBook) fill(id string) {
	l := b.lazy
	if l.asked[id] {
		return
	}
	l.asked[id] = true
	facts, err := l.load(id)
	if err != nil {
		l.err = cmp.Or(l.err, err)
		return
	}
	for _, f := range facts {
		if e, ok := f.Event.(*domain.OrganisationRegistered); ok && e.OrgID == id && l.filter.Admits(f.Meta) {
			f.Type = f.Event.EventType()
			b.add(e, f)
		}
	}
}

// add files a registration: what an OrganisationRegistered changes in a model.
func (b *orgBook) add(e *domain.OrganisationRegistered, f Fact) {
	b.latest[e.OrgID] = e
	b.regs[e.OrgID] = insertFact(b.regs[e.OrgID], f)
}

// apply adds a registration applied to the model. A lazy book loads the organisation first, so that its
// registrations stay in order and the loader's copy of this one is not added twice.
func (b *orgBook) apply(e *domain.OrganisationRegistered, f Fact) {
	if b.lazy != nil {
		b.lazy.mu.Lock()
		defer b.lazy.mu.Unlock()
		b.fill(e.OrgID)
		if slices.ContainsFunc(b.regs[e.OrgID], func(r Fact) bool { return r.ID == f.ID }) {
			return
		}
	}
	b.add(e, f)
}

// clone returns a book of the same organisations that registrations added to either do not change the other.
// A lazy book's clone loads through the same loader, with the organisations asked for so far.
func (b *orgBook) clone() *orgBook {
	c := &orgBook{latest: maps.Clone(b.latest), regs: make(map[string][]Fact, len(b.regs))}
	for id, fs := range b.regs {
		c.regs[id] = slices.Clip(fs)
	}
	if b.lazy != nil {
		c.lazy = &orgLoader{load: b.lazy.load, filter: b.lazy.filter, asked: maps.Clone(b.lazy.asked), err: b.lazy.err}
	}
	return c
}

// LoadOrgs gives the model a book of organisations that starts empty and reads each organisation through load
// the first time a judgement, a job order or a report asks for it; the registrations m was given so far are
// dropped. load must return every registration the store holds of the organisation asked for (the model
// admits those its filter does), as a model given every organisation's events would hold it: the answers are
// then a full model's. Lookups are safe for concurrent use. An error of load leaves that organisation unknown:
// OrgLoadErr returns the first.
func (m *Model) LoadOrgs(load OrgLoader) {
	m.orgs = newOrgBook()
	m.orgs.lazy = &orgLoader{load: load, filter: m.filter, asked: map[string]bool{}}
}

// OrgLoadErr is the first error of the loader given to LoadOrgs (nil without one): a judgement made after it
// read an organisation as unknown.
func (m *Model) OrgLoadErr() error {
	if m.orgs.lazy == nil {
		return nil
	}
	m.orgs.lazy.mu.Lock()
	defer m.orgs.lazy.mu.Unlock()
	return m.orgs.lazy.err
}
