package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
)

// agencyParams are the parameters the agencies page reads, as GET /v1/agencies names them.
var agencyParams = []string{"buyer", "currency", "min_workers", "sort", "as_of", "known_at"}

// agenciesPage is the data of the agencies page.
type agenciesPage struct {
	Query      url.Values
	Currencies []string
	Report     projections.AgencyReport
	Pager      pager
}

// agencies shows the clean list and a page of the agencies' scorecards, ordered as the query's sort says (the
// column headers link to each order, the page links keep it).
func (c *Console) agencies(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, agencyParams)
	report, page, err := c.cfg.Reader.AgencyPage(r.Context(), s.who, q, r.URL.Query().Get("cursor"), c.cfg.PageSize)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "agencies", s, agenciesPage{Query: q, Currencies: currencyChoices(q), Report: report,
		Pager: newPager(page, len(report.Agencies), c.cfg.PageSize)})
}

func (c *Console) agenciesCSV(w http.ResponseWriter, r *http.Request, s *session) {
	report, err := c.cfg.Reader.Agencies(r.Context(), s.who, pick(r, agencyParams))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.download(w, r, s, "agencies.csv", export.Agencies(report))
}

func (c *Console) agenciesJSON(w http.ResponseWriter, r *http.Request, s *session) {
	report, err := c.cfg.Reader.Agencies(r.Context(), s.who, pick(r, agencyParams))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(report); err != nil {
		c.fail(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="agencies.json"`)
	_, _ = w.Write(buf.Bytes())
}
