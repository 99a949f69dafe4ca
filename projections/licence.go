package projections

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Licence statuses of an organisation at a time (AgencyScorecard.Licence).
const (
	// LicenceValid: one of its registrations carries a licence whose valid_until is on or after that day.
	LicenceValid = "licensed"
	// LicenceExpired: it has licences, and the latest expired before that day.
	LicenceExpired = "expired"
	// LicenceNone: it is registered, and no registration carries a licence.
	LicenceNone = "none"
	// LicenceNotRegistered: no registration of it had occurred by then.
	LicenceNotRegistered = "not_registered"
)

// Licence is an organisation's licence status at a time, judged as chain.unlicensed_agency judges a
// recruitment's day: from every registration that had occurred by then, a licence is valid through the whole
// of its valid_until day (UTC).
type Licence struct {
	// Status is one of LicenceValid, LicenceExpired, LicenceNone and LicenceNotRegistered.
	Status string `json:"status"`
	// ValidUntil is the expiry of the licence that decides the status: the valid licence that runs longest,
	// or the licence that expired last.
	ValidUntil string `json:"valid_until,omitempty"`
	Authority  string `json:"authority,omitempty"`
	Number     string `json:"number,omitempty"`
}

// String says the status in words: "licensed to 2026-03-31", "expired on 2024-05-01", "no licence" or "not
// registered".
func (l Licence) String() string {
	switch l.Status {
	case LicenceValid:
		return "licensed to " + l.ValidUntil
	case LicenceExpired:
		return "expired on " + l.ValidUntil
	case LicenceNone:
		return "no licence"
	}
	return "not registered"
}

// Licence returns an organisation's licence status at instant at, from its registrations that occurred on or
// before it.
func (v *View) Licence(orgID string, at time.Time) Licence {
	day := dayOf(at)
	out := Licence{Status: LicenceNotRegistered}
	var latest time.Time
	for _, r := range v.m.orgs.registrations(orgID) {
		if r.OccurredAt.After(at) {
			continue
		}
		if out.Status == LicenceNotRegistered {
			out.Status = LicenceNone
		}
		e := r.Event.(*domain.OrganisationRegistered)
		if e.Licence == nil {
			continue
		}
		d, err := domain.ParseDate(e.Licence.ValidUntil)
		if err != nil { // validated when recorded
			continue
		}
		until := dayOf(d.Time)
		if out.Status != LicenceNone && !until.After(latest) {
			continue
		}
		latest = until
		out = Licence{Status: LicenceExpired, ValidUntil: until.Format(time.DateOnly), Authority: e.Licence.Authority,
			Number: e.Licence.Number}
	}
	if out.Status == LicenceExpired && !latest.Before(day) {
		out.Status = LicenceValid
	}
	return out
}

// OrganisationRole is the role an organisation registered with last ("" when unknown).
func (v *View) OrganisationRole(id string) string {
	if o := v.m.orgs.org(id); o != nil {
		return o.Role
	}
	return ""
}
