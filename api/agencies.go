package api

import (
	"context"
	"io"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

var agencyParams = []string{"buyer", "currency", "as_of", "known_at", "min_workers", "sort", "page_size", "page_token"}

// getAgencies answers GET /v1/agencies: the agencies' scorecards and the clean list, as `fairtrail agencies
// --format json` prints them, a page of the scorecards at a time (agencyPage), or with Accept: text/csv the
// whole CSV table. What a caller sees is scoped as agencyQuery says.
func (s *Server) getAgencies(c *gin.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	q, err := query(c, agencyParams...)
	if err != nil {
		return err
	}
	if format != mimeCSV {
		return s.agencyPage(c, q)
	}
	report, err := s.Reader().Agencies(c.Request.Context(), identity(c), q)
	if err != nil {
		return err
	}
	return s.stream(c, contentType(format), func(w io.Writer) error { return writeCSV(w, export.Agencies(report)) })
}

// Agencies returns the scorecards of GET /v1/agencies for the query (buyer, currency, min_workers, sort, as_of,
// known_at), scoped to the caller: from the persisted model's rollups without a time filter, else from the
// agencies replayed worker by worker under the filter, as GET /v1/audit answers.
func (r *Reader) Agencies(ctx context.Context, who keys.Identity, q url.Values) (projections.AgencyReport, error) {
	aq, filter, err := agencyQuery(q, who)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	return r.agencies(ctx, aq, filter, r.s.now())
}

// agencies answers a scoped agency query judged at now (or the filter's clock).
func (r *Reader) agencies(ctx context.Context, aq projections.AgencyQuery, filter projections.Filter,
	now time.Time) (projections.AgencyReport, error) {
	if err := r.s.fresh(ctx); err != nil {
		return projections.AgencyReport{}, err
	}
	if aq.EmployerID != "" {
		return r.employerAgencies(ctx, aq, filter, now)
	}
	var out projections.AgencyReport
	var err error
	read := func() error {
		out, err = r.s.query().Agencies(ctx, aq, filter, now)
		return err
	}
	if filter == (projections.Filter{}) {
		err = read()
	} else {
		err = r.s.replay(ctx, read)
	}
	return out, err // out read after read ran: in `return out, read()` the order is unspecified
}

// employerAgencies answers an employer's scorecards, which the rollups (kept per buyer) do not hold: from a
// view of the employer's job orders and their workers under the filter.
func (r *Reader) employerAgencies(ctx context.Context, aq projections.AgencyQuery, filter projections.Filter,
	now time.Time) (projections.AgencyReport, error) {
	ids, err := r.s.cfg.Model.EmployerJobOrders(ctx, aq.EmployerID)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	v, err := r.s.query().View(ctx, readmodel.Scope{JobOrders: ids}, filter, now)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	return v.Agencies(aq), nil
}

// agencyQuery reads the query and scopes it to the caller. A buyer or an auditor sees the agencies of one
// buyer's job orders, counting only the workers recruited for them (buyer defaults as for GET /v1/audit); an
// employer those of its own job orders, counting their workers; an agency its own scorecard; an admin every
// agency, or one buyer's.
func agencyQuery(q url.Values, who keys.Identity) (projections.AgencyQuery, projections.Filter, error) {
	aq := projections.AgencyQuery{BuyerID: q.Get("buyer"), Currency: q.Get("currency"), Sort: q.Get("sort"),
		MinWorkers: projections.DefaultMinWorkers}
	filter, fields := timeFilter(q)
	if text := q.Get("min_workers"); text != "" {
		n, err := strconv.Atoi(text)
		if err != nil {
			n = -1 // reported by Check
		}
		aq.MinWorkers = n
	}
	fields = append(fields, aq.Check("sort", "currency", "min_workers")...)
	if aq.BuyerID != "" {
		if f := checkID("buyer", aq.BuyerID); f != nil {
			fields = append(fields, *f)
		}
	}
	if len(fields) > 0 {
		return aq, filter, invalidQuery(fields)
	}
	switch who.Role {
	case keys.RoleBuyer, keys.RoleAuditor:
		buyer, err := scopedBuyer(aq.BuyerID, who, "name the buyer whose agencies you want (one that granted you access)")
		aq.BuyerID = buyer
		return aq, filter, err
	case keys.RoleEmployer:
		aq.EmployerID = who.Org
	case keys.RoleAgency:
		aq.AgencyID = who.Org
	case keys.RoleAdmin:
	default:
		return aq, filter, fail(errForbidden, "the %s role reads no agencies", who.Role)
	}
	return aq, filter, nil
}

// scopedBuyer is the buyer a buyer's or auditor's query is scoped to: the one named, which must be one of
// theirs (else 404), or their only one; a caller with several must name one (required says how).
func scopedBuyer(buyer string, who keys.Identity, required string) (string, error) {
	switch {
	case buyer == "" && len(who.Buyers) == 1:
		return who.Buyers[0], nil
	case buyer == "":
		return "", invalidField("buyer", "required: "+required)
	case !slices.Contains(who.Buyers, buyer):
		return "", fail(errNotFound, "buyer %s not found", buyer)
	}
	return buyer, nil
}
