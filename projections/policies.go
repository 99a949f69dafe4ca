package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Policy is one version of a policy as the facts admitted describe it: an adoption, ended by a retirement that
// follows it, if any, and replaced by a later adoption of the same policy from that one's effective_from.
type Policy struct {
	ID      string
	Adopted *domain.PolicyAdopted
	// AdoptedEvent is the id of this version's adoption.
	AdoptedEvent domain.EventID
	// RetiredTo is the end set by a PolicyRetired, if any.
	RetiredTo *domain.Date
	From      domain.Date
	// To is when the policy stops (zero when open-ended).
	To domain.Date
	// ReplacedAt is the first instant from which a later adoption of the policy is in effect instead (zero when
	// none is).
	ReplacedAt time.Time
}

// InForce reports whether the policy applies to something that happened at t. A date-only end covers its
// whole day.
func (p Policy) InForce(t time.Time) bool {
	if p.Adopted == nil || t.Before(p.From.Time) || !p.ReplacedAt.IsZero() && !t.Before(p.ReplacedAt) {
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

// policyIndex is every version of every policy, in id order, then in business-time order.
type policyIndex []*Policy

func (m *Model) policyIndex() policyIndex {
	idx := make(policyIndex, 0, len(m.policies))
	for _, id := range sortedKeys(m.policies) {
		for _, p := range buildPolicy(m.policies[id]) {
			idx = append(idx, &p)
		}
	}
	return idx
}

// buildPolicy folds a policy's events, in business-time order, into its versions (policyVersions.apply), then
// settles each version's span: a version is replaced from the effective_from of any later adoption (so a fee
// paid before an amended policy takes effect is judged by the rules then in force), and ends at a retirement
// that follows it if that is earlier.
func buildPolicy(pf *policyFacts) []Policy {
	var out policyVersions
	for _, f := range pf.facts {
		out.apply(pf.id, f)
	}
	var replaced time.Time // the earliest effective_from of the adoptions after the one at hand
	for i := len(out) - 1; i >= 0; i-- {
		p := &out[i]
		p.From, p.ReplacedAt = p.Adopted.From(), replaced
		if to, ok := p.Adopted.To(); ok {
			p.To = to
		}
		if p.RetiredTo != nil && (p.To.IsZero() || p.RetiredTo.LastInstant().Before(p.To.LastInstant())) {
			p.To = *p.RetiredTo
		}
		if replaced.IsZero() || p.From.Time.Before(replaced) {
			replaced = p.From.Time
		}
	}
	return out
}

// policyVersions is a policy's versions, one an adoption, in business-time order.
type policyVersions []Policy

// apply is what each of a policy's events changes in it: the policy's fold. An adoption starts a version; a
// retirement ends the versions adopted since the retirement before it.
func (vs *policyVersions) apply(id string, f Fact) {
	switch e := f.Event.(type) {
	case *domain.PolicyAdopted:
		*vs = append(*vs, Policy{ID: id, Adopted: e, AdoptedEvent: f.ID})
	case *domain.PolicyRetired:
		d := e.To()
		vs.retire(&d)
	}
}

// retire ends at d every version adopted since the retirement before it: a PolicyRetired retires the policy
// (spec section 2), so a version waiting for a later one's effective_from ends with it too. A retirement with
// no adoption since the one before replaces that one's date for the same versions; an adoption after a
// retirement starts afresh.
func (vs policyVersions) retire(d *domain.Date) {
	for i := len(vs) - 1; i >= 0; i-- {
		before := vs[i].RetiredTo
		vs[i].RetiredTo = d
		if i == 0 || vs[i-1].RetiredTo != before {
			return
		}
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
