package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// agenciesKind is the kind of GET /v1/agencies' page tokens.
const agenciesKind = "agencies"

// agencyReportPage answers GET /v1/agencies as JSON: the report of `fairtrail agencies --format json`, every
// field as before, with its scorecards cut to a page and the token of the next page (none on the last); the
// clean list is whole on every page, as the console's agencies page shows it.
type agencyReportPage struct {
	projections.AgencyReport
	NextPageToken string `json:"next_page_token,omitempty"`
}

// badAgencyToken is the answer to a page token that does not continue this listing.
var badAgencyToken = invalidField("page_token", "not a page token of this listing (tokens continue the query they came from)")

// agencyPage answers a page of GET /v1/agencies (page_size scorecards, after page_token's). A buyer's or every
// supply chain's scorecards without a time filter are read by seeking in the rollups' index of the query's
// order (readmodel.PagedAgencies), so a page costs the same wherever it is; the others (an employer's, an
// agency's own, the risk order in a currency, a time filter) are judged whole and cut at the token's offset.
// Every page is judged at the first page's clock.
func (s *Server) agencyPage(c *gin.Context, q url.Values) error {
	aq, filter, err := agencyQuery(q, identity(c))
	if err != nil {
		return err
	}
	l, err := s.startListing(q, agenciesKind, s.now())
	if err != nil {
		return err
	}
	var p agencyReportPage
	if filter == (projections.Filter{}) && readmodel.PagedAgencies(aq) {
		p, err = s.seekAgencies(c.Request.Context(), aq, l)
	} else {
		p, err = s.cutAgencies(c.Request.Context(), aq, filter, l)
	}
	if err != nil {
		return err
	}
	out, err := encodeJSON(p)
	if err != nil {
		return err
	}
	writeWhole(c, http.StatusOK, gin.MIMEJSON, out)
	return nil
}

// seekAgencies reads a page of scorecards from the rollups, after the position its token carries.
func (s *Server) seekAgencies(ctx context.Context, aq projections.AgencyQuery, l listing) (agencyReportPage, error) {
	var from readmodel.Position
	if l.after != nil && json.Unmarshal(l.after, &from) != nil {
		return agencyReportPage{}, badAgencyToken
	}
	if err := s.fresh(ctx); err != nil {
		return agencyReportPage{}, err
	}
	pg, err := s.cfg.Model.AgencyPage(ctx, aq, readmodel.Window{From: from, Size: l.size}, l.clock)
	switch {
	case errors.Is(err, readmodel.ErrPosition):
		return agencyReportPage{}, badAgencyToken
	case err != nil:
		return agencyReportPage{}, seekError(err)
	}
	p := agencyReportPage{AgencyReport: pg.Report}
	if pg.More && len(pg.Positions) > 0 {
		after, err := json.Marshal(pg.Positions[len(pg.Positions)-1])
		if err != nil {
			return agencyReportPage{}, err
		}
		p.NextPageToken = s.nextPage(l, after, 0)
	}
	return p, nil
}

// cutAgencies judges the whole report and cuts its scorecards at the offset its token carries.
func (s *Server) cutAgencies(ctx context.Context, aq projections.AgencyQuery, filter projections.Filter,
	l listing) (agencyReportPage, error) {
	from := 0
	if l.after != nil && (json.Unmarshal(l.after, &from) != nil || from < 0) {
		return agencyReportPage{}, badAgencyToken
	}
	report, err := s.Reader().agencies(ctx, aq, filter, l.clock)
	if err != nil {
		return agencyReportPage{}, err
	}
	n := len(report.Agencies)
	from = min(from, n)
	to := min(from+l.size, n)
	report.Agencies = report.Agencies[from:to]
	p := agencyReportPage{AgencyReport: report}
	if to < n {
		after, _ := json.Marshal(to) // an int: cannot fail
		p.NextPageToken = s.nextPage(l, after, 0)
	}
	return p, nil
}
