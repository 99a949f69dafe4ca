package console

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
)

// Parameters each page reads from its query; others are ignored.
var (
	flagParams     = []string{"code", "buyer", "employer", "agency", "job_order", "as_of", "known_at", "currency"}
	auditParams    = []string{"buyer", "by", "as_of", "known_at", "currency"}
	overviewParams = []string{"buyer", "as_of", "known_at", "currency"}
	workerParams   = []string{"as_of", "known_at", "currency"}
)

// pick keeps the named parameters of the request's query that are not empty.
func pick(r *http.Request, names []string) url.Values {
	in, out := r.URL.Query(), url.Values{}
	for _, n := range names {
		if v := in.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// flagsPage is the data of the flag listing.
type flagsPage struct {
	Query      url.Values
	Currencies []string
	Flags      []projections.ConvertedFlag
	Total      int
	Page       int
	First      int
	Prev, Next int // 0: none
}

// convertedFlags reads the flags of the query with their money in its reporting currency, if it names one.
func (c *Console) convertedFlags(r *http.Request, s *session, q url.Values) ([]projections.ConvertedFlag, error) {
	flags, err := c.cfg.Reader.Flags(r.Context(), s.who, q)
	if err != nil {
		return nil, err
	}
	return c.cfg.Reader.ConvertFlags(r.Context(), q, flags)
}

func (c *Console) flags(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, flagParams)
	flags, err := c.convertedFlags(r, s, q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	page := pageNumber(r.URL.Query().Get("page"))
	size := c.cfg.PageSize
	last := max(1, (len(flags)+size-1)/size)
	page = min(page, last)
	from := (page - 1) * size
	d := flagsPage{Query: q, Currencies: currencyChoices(q), Flags: flags[from:min(from+size, len(flags))],
		Total: len(flags), Page: page, First: from + 1}
	if page > 1 {
		d.Prev = page - 1
	}
	if page < last {
		d.Next = page + 1
	}
	c.render(w, r, http.StatusOK, "flags", s, d)
}

// pageNumber reads a page number, 1 for anything that is not a positive number.
func pageNumber(s string) int {
	n := 0
	for _, ch := range s {
		if ch < '0' || ch > '9' || n > 1e6 {
			return 1
		}
		n = n*10 + int(ch-'0')
	}
	return max(n, 1)
}

func (c *Console) flagsCSV(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, flagParams)
	flags, err := c.convertedFlags(r, s, q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	var recs [][]string
	if q.Get("currency") != "" {
		recs, err = export.ConvertedFlags(flags)
	} else {
		recs, err = export.Flags(plainFlags(flags))
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.download(w, r, s, "flags.csv", recs)
}

func (c *Console) flagsJSON(w http.ResponseWriter, r *http.Request, s *session) {
	flags, err := c.convertedFlags(r, s, pick(r, flagParams))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if flags == nil {
		flags = []projections.ConvertedFlag{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		Flags []projections.ConvertedFlag `json:"flags"`
	}{flags}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="flags.json"`)
	_, _ = w.Write(buf.Bytes())
}

// download sends CSV records as an attachment.
func (c *Console) download(w http.ResponseWriter, r *http.Request, s *session, name string, recs [][]string) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.WriteAll(recs); err != nil {
		c.fail(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(buf.Bytes())
}

// plainFlags are the flags without their converted money.
func plainFlags(flags []projections.ConvertedFlag) []domain.Flag {
	out := make([]domain.Flag, len(flags))
	for i, f := range flags {
		out[i] = f.Flag
	}
	return out
}

// auditPage is the data of the audit page.
type auditPage struct {
	Query      url.Values
	Currencies []string
	Buyer      string
	By         string
	Sort       string
	Rows       []projections.AuditRow
	Groups     []string
}

// auditSorts are the audit table's orders: by key, or by a count, largest first.
var auditSorts = map[string]func(a, b projections.AuditRow) int{
	"key":       func(a, b projections.AuditRow) int { return cmp.Compare(a.Key, b.Key) },
	"workers":   func(a, b projections.AuditRow) int { return cmp.Compare(b.Workers, a.Workers) },
	"flagged":   func(a, b projections.AuditRow) int { return cmp.Compare(b.FlaggedWorkers, a.FlaggedWorkers) },
	"joborders": func(a, b projections.AuditRow) int { return cmp.Compare(b.JobOrders, a.JobOrders) },
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, auditParams)
	rows, buyer, err := c.cfg.Reader.Audit(r.Context(), s.who, q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	sort := r.URL.Query().Get("sort")
	if auditSorts[sort] == nil {
		sort = "key"
	}
	slices.SortStableFunc(rows, func(a, b projections.AuditRow) int {
		return cmp.Or(auditSorts[sort](a, b), cmp.Compare(a.Key, b.Key))
	})
	by := cmp.Or(q.Get("by"), projections.ByBuyer)
	c.render(w, r, http.StatusOK, "audit", s, auditPage{Query: q, Currencies: currencyChoices(q), Buyer: buyer, By: by,
		Sort: sort, Rows: rows, Groups: projections.Groupings})
}

func (c *Console) auditCSV(w http.ResponseWriter, r *http.Request, s *session) {
	rows, _, err := c.cfg.Reader.Audit(r.Context(), s.who, pick(r, auditParams))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.download(w, r, s, "audit.csv", export.Audit(rows))
}

// reportingCurrencies are offered by the currency pickers: the currencies brands report in and those of the
// corridors fairtrail tracks. Any other ISO 4217 code can be asked in the address (currency=CHF).
var reportingCurrencies = []string{"USD", "EUR", "GBP", "JPY", "AUD", "MYR", "SGD", "TWD", "SAR", "QAR", "AED",
	"NPR", "BDT", "PHP", "INR", "IDR"}

// currencyChoices are the picker's currencies, with the one the query asks for if it is another.
func currencyChoices(q url.Values) []string {
	cur := q.Get("currency")
	if cur == "" || slices.Contains(reportingCurrencies, cur) {
		return reportingCurrencies
	}
	return append(slices.Clone(reportingCurrencies), cur)
}
