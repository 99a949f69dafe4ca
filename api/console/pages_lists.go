package console

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Parameters each page reads from its query; others are ignored.
var (
	flagParams     = []string{"code", "buyer", "employer", "agency", "job_order", "as_of", "known_at", "currency"}
	auditParams    = []string{"buyer", "by", "as_of", "known_at", "currency", "sort"}
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
	Prev, Next string // cursors; "" for none
}

// convertedFlags reads every flag of the query with its money in the query's reporting currency: the
// downloads in a currency, which convert the listing whole rather than stream it.
func (c *Console) convertedFlags(r *http.Request, s *session, q url.Values) ([]projections.ConvertedFlag, error) {
	var flags []domain.Flag
	err := c.cfg.Reader.EachFlag(r.Context(), s.who, q, func(f domain.Flag) error {
		flags = append(flags, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.cfg.Reader.ConvertFlags(r.Context(), q, flags)
}

func (c *Console) flags(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, flagParams)
	size := c.cfg.PageSize
	p, err := c.cfg.Reader.FlagPage(r.Context(), s.who, q, r.URL.Query().Get("cursor"), size)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	flags, err := c.cfg.Reader.ConvertFlags(r.Context(), q, p.Flags) // only the page's flags
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "flags", s, flagsPage{Query: q, Currencies: currencyChoices(q), Flags: flags,
		Total: p.Total, Page: (p.First-1)/size + 1, First: p.First, Prev: p.Prev, Next: p.Next})
}

// stream sends a download as it is read: the headers with the first bytes, so that a refused query (read
// before any flag) still gets its error page. begin writes what comes before the first flag, each a flag,
// end what follows the last.
func (c *Console) stream(w http.ResponseWriter, r *http.Request, s *session, name, mime string,
	begin func(io.Writer) error, each func(io.Writer, domain.Flag) error, end func(io.Writer) error) {
	started := false
	start := func() error {
		if started {
			return nil
		}
		started = true
		w.Header().Set("Content-Type", mime)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		return begin(w)
	}
	err := c.cfg.Reader.EachFlag(r.Context(), s.who, pick(r, flagParams), func(f domain.Flag) error {
		if err := start(); err != nil {
			return err
		}
		return each(w, f)
	})
	if err == nil {
		if err = start(); err == nil {
			err = end(w)
		}
	}
	switch {
	case err != nil && !started:
		c.fail(w, r, s, err)
	case err != nil:
		c.log.Warn("download cut short", "download", name, "error", err)
	}
}

func (c *Console) flagsCSV(w http.ResponseWriter, r *http.Request, s *session) {
	if q := pick(r, flagParams); q.Get("currency") != "" {
		c.flagsCSVIn(w, r, s, q)
		return
	}
	var fw *export.FlagWriter
	c.stream(w, r, s, "flags.csv", "text/csv; charset=utf-8", func(w io.Writer) error {
		fw = export.NewFlagWriter(w, nil)
		return nil
	}, func(_ io.Writer, f domain.Flag) error {
		return fw.Write(f)
	}, func(io.Writer) error {
		return fw.Close()
	})
}

// flagsCSVIn sends the flags of q as CSV with their money in q's reporting currency.
func (c *Console) flagsCSVIn(w http.ResponseWriter, r *http.Request, s *session, q url.Values) {
	flags, err := c.convertedFlags(r, s, q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	recs, err := export.ConvertedFlags(flags)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.download(w, r, s, "flags.csv", recs)
}

func (c *Console) flagsJSON(w http.ResponseWriter, r *http.Request, s *session) {
	if q := pick(r, flagParams); q.Get("currency") != "" {
		c.flagsJSONIn(w, r, s, q)
		return
	}
	n := 0
	c.stream(w, r, s, "flags.json", "application/json", func(w io.Writer) error {
		_, err := io.WriteString(w, `{"flags":[`)
		return err
	}, func(w io.Writer, f domain.Flag) error {
		text, err := readmodel.EncodeFlag(f)
		if err != nil {
			return err
		}
		if n++; n > 1 {
			text = "," + text
		}
		_, err = io.WriteString(w, text)
		return err
	}, func(w io.Writer) error {
		_, err := io.WriteString(w, "]}\n")
		return err
	})
}

// flagsJSONIn sends the flags of q as JSON with their money in q's reporting currency.
func (c *Console) flagsJSONIn(w http.ResponseWriter, r *http.Request, s *session, q url.Values) {
	flags, err := c.convertedFlags(r, s, q)
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

// download sends CSV records as an attachment, written as they are encoded (an encoding error can only be
// the connection's, once the answer has begun).
func (c *Console) download(w http.ResponseWriter, _ *http.Request, _ *session, name string, recs [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(recs); err != nil {
		c.log.Warn("download cut short", "download", name, "error", err)
	}
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
	Pager      pager
}

// pager places a page of the audit or agencies table: its number, its rows' places and the links around it.
type pager struct {
	Page, First, Last, Total int
	Prev, Next               string // cursors; "" for none
}

func newPager(p api.TablePage, rows, size int) pager {
	out := pager{Page: (p.First-1)/size + 1, Total: p.Total, Prev: p.Prev, Next: p.Next}
	if rows > 0 {
		out.First, out.Last = p.First, p.First+rows-1
	}
	return out
}

// audit shows a page of the audit's table in the order the query's sort names (by key when it names none
// of readmodel.AuditSorts), which the column headers link to and the page links keep.
func (c *Console) audit(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, auditParams)
	if !slices.Contains(readmodel.AuditSorts, q.Get("sort")) {
		q.Del("sort")
	}
	rows, buyer, page, err := c.cfg.Reader.AuditPage(r.Context(), s.who, q, r.URL.Query().Get("cursor"), c.cfg.PageSize)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	by := cmp.Or(q.Get("by"), projections.ByBuyer)
	c.render(w, r, http.StatusOK, "audit", s, auditPage{Query: q, Currencies: currencyChoices(q), Buyer: buyer, By: by,
		Sort: cmp.Or(q.Get("sort"), readmodel.AuditByKey), Rows: rows, Groups: projections.Groupings,
		Pager: newPager(page, len(rows), c.cfg.PageSize)})
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
