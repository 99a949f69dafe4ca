package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Policy is a policy as the facts admitted describe it: the latest adoption, ended by a retirement if any.
type Policy struct {
	ID      string
	Adopted *domain.PolicyAdopted
	// AdoptedEvent is the id of the adoption that is in effect.
	AdoptedEvent domain.EventID
	// RetiredTo is the end set by a PolicyRetired, if any.
	RetiredTo *domain.Date
	From      domain.Date
	// To is when the policy stops (zero when open-ended).
	To domain.Date
}

// InForce reports whether the policy applies to something that happened at t. A date-only end covers its
// whole day.
func (p Policy) InForce(t time.Time) bool {
	if p.Adopted == nil || t.Before(p.From.Time) {
		return false
	}
	return p.To.IsZero() || !t.After(p.To.LastInstant())
}

// matches reports whether the policy's scope covers a worker: each present scope key must match.
func (p Policy) matches(buyers []string, origin, destination string) bool {
	s := p.Adopted.Scope
	if s.BuyerID != "" && !slices.Contains(buyers, s.BuyerID) {
		return false
	}
	if s.Origin != "" && s.Origin != origin {
		return false
	}
	return s.Destination == "" || s.Destination == destination
}

// policyIndex is every policy, in id order.
type policyIndex []*Policy

func (m *Model) policyIndex() policyIndex {
	idx := make(policyIndex, 0, len(m.policies))
	for _, id := range sortedKeys(m.policies) {
		if p, ok := buildPolicy(m.policies[id]); ok {
			idx = append(idx, &p)
		}
	}
	return idx
}

func buildPolicy(pf *policyFacts) (Policy, bool) {
	p := Policy{ID: pf.id}
	for _, f := range pf.facts {
		p.apply(f)
	}
	if p.Adopted == nil {
		return p, false
	}
	p.From = p.Adopted.From()
	if to, ok := p.Adopted.To(); ok {
		p.To = to
	}
	if p.RetiredTo != nil && (p.To.IsZero() || p.RetiredTo.LastInstant().Before(p.To.LastInstant())) {
		p.To = *p.RetiredTo
	}
	return p, true
}

// apply is what each of a policy's events changes in it: the policy's fold. The latest adoption replaces the
// policy and clears a retirement before it.
func (p *Policy) apply(f Fact) {
	switch e := f.Event.(type) {
	case *domain.PolicyAdopted:
		p.Adopted, p.AdoptedEvent, p.RetiredTo = e, f.ID, nil
	case *domain.PolicyRetired:
		d := e.To()
		p.RetiredTo = &d
	}
}

// appendApplicable appends to out the policies in force at t whose scope covers the worker.
func (idx policyIndex) appendApplicable(out []*Policy, t time.Time, buyers []string, origin, destination string) []*Policy {
	for _, p := range idx {
		if p.InForce(t) && p.matches(buyers, origin, destination) {
			out = append(out, p)
		}
	}
	return out
}

// PolicyScopes returns the scope of every adoption of the policy id admitted so far, in business-time order:
// the workers a later adoption or a retirement of it may change the judgement of are among those they cover.
func (m *Model) PolicyScopes(id string) []domain.Scope {
	pf := m.policies[id]
	if pf == nil {
		return nil
	}
	var out []domain.Scope
	for _, f := range pf.facts {
		if e, ok := f.Event.(*domain.PolicyAdopted); ok {
			out = append(out, e.Scope)
		}
	}
	return out
}
