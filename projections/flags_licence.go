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
	history := c.regs[by]
	if len(history) == 0 {
		return nil
	}
	latest := history[len(history)-1].Event.(*domain.OrganisationRegistered)
	if latest.Role != domain.RoleAgency && latest.Role != domain.RoleSubAgent {
		return nil
	}
	day := dayOf(ws.recruitedAt.OccurredAt)
	ids := []domain.EventID{ws.recruitedAt.ID}
	licences := []map[string]any{}
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
		licences = append(licences, map[string]any{"authority": e.Licence.Authority, "number": e.Licence.Number,
			"valid_until": e.Licence.ValidUntil, "event_id": r.ID.String()})
	}
	reason := "no registration of the recruiter carries a licence"
	if len(licences) > 0 {
		reason = "every licence of the recruiter expired before the day of the recruitment"
	}
	f := flagFor(domain.FlagUnlicensedAgency, ws.owner(), ws.recruitedAt.OccurredAt, ids...)
	f.Details = map[string]any{"recruited_by": by, "role": latest.Role, "recruited_on": day.Format(time.DateOnly),
		"licences": licences, "reason": reason}
	return []domain.Flag{f}
}

// dayOf is midnight UTC at the start of t's UTC day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
