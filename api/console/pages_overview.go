package console

import (
	"net/http"
	"net/url"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
)

// overviewPage is the data of the overview.
type overviewPage struct {
	Query            url.Values
	Buyers           []string // an auditor's granting buyers, to pick from
	Open             int
	Workers, Flagged int
	WorkerPaid       []domain.Money
	Outstanding      []domain.Money
	Reimbursed       []domain.Money
	ByCode, ByMonth  chart
	Overview         api.Overview
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, overviewParams)
	o, err := c.cfg.Reader.Overview(r.Context(), s.who, q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := overviewPage{Query: q, ByCode: byCode(o.Months), ByMonth: byMonth(o.Months), Overview: o,
		Workers: o.Total.Workers, Flagged: o.Total.FlaggedWorkers, WorkerPaid: o.Total.WorkerPaid,
		Outstanding: o.Total.Outstanding, Reimbursed: o.Total.Reimbursed}
	for _, m := range o.Months {
		d.Open += m.Flags
	}
	if len(s.who.Buyers) > 1 {
		d.Buyers = s.who.Buyers
	}
	c.render(w, r, http.StatusOK, "overview", s, d)
}
