package projections

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// licenceFlags: chain.unlicensed_agency (spec section 7), the organisation that recruited the worker is
// registered (latest registration) as an agency or sub-agent and none of its registrations carries a licence
// valid on the recruitment's day (valid_until on or after it, UTC). A recruiter never registered is not judged.
// Evidence: the recruitment and every registration of the recruiter.
func licenceFlags(ws *workerState, c *ruleContext) []domain.Flag {
	if ws.recruited == nil {
		return nil
	}
	by := ws.recruited.RecruitedBy
	history := c.orgs.registrations(by)
	if len(history) == 0 {
		return nil
	}
	latest := history[len(history)-1].Event.(*domain.OrganisationRegistered)
	if latest.Role != domain.RoleAgency && latest.Role != domain.RoleSubAgent {
		return nil
	}
	day := dayOf(ws.recruitedAt.OccurredAt)
	ids := []domain.EventID{ws.recruitedAt.ID}
	licences := []LicenceHeld{}
	for _, r := range history {
		e := r.Event.(*domain.OrganisationRegistered)
		ids = append(ids, r.ID)
		if e.Licence == nil {
			continue
		}
		until, err := domain.ParseDate(e.Licence.ValidUntil)
		if err == nil && !dayOf(until.Time).Before(day) {
			return nil
		}
		licences = append(licences, LicenceHeld{Authority: e.Licence.Authority, EventID: r.ID.String(),
			Number: e.Licence.Number, ValidUntil: e.Licence.ValidUntil})
	}
	reason := "no registration of the recruiter carries a licence"
	if len(licences) > 0 {
		reason = "every licence of the recruiter expired before the day of the recruitment"
	}
	f := flagFor(domain.FlagUnlicensedAgency, ws.owner(), ws.recruitedAt.OccurredAt, ids...)
	f.Details = UnlicensedAgencyDetails{Licences: licences, Reason: reason, RecruitedBy: by,
		RecruitedOn: day.Format(time.DateOnly), Role: latest.Role}
	return []domain.Flag{f}
}

// dayOf is midnight UTC at the start of t's UTC day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
