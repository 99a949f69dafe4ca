package console

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"golang.org/x/text/message"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/workerlink"
	"github.com/fairtrail/fairtrail/domain"
)

// WorkerReader opens a worker's access link; *api.Reader implements it.
type WorkerReader interface {
	// Own returns the worker's own record, or api.ErrUnknownLink for a link that does not open.
	Own(ctx context.Context, secret string) (*api.OwnRecord, error)
}

// ReportRecorder records a report made on a worker's page; *api.Reader implements it.
type ReportRecorder interface {
	// RecordReport records the report for the link's worker. Errors: api.ErrUnknownLink, domain.ErrInvalid
	// (a *domain.ValidationError naming the fields) and store errors.
	RecordReport(ctx context.Context, secret string, in api.WorkerReport) error
}

// workerPageNames are the worker's pages, each rendered inside templates/worker/layout.html.
var workerPageNames = []string{"record", "report", "closed"}

// wview is what every worker page's template receives.
type wview struct {
	Lang  workerLang
	Langs []workerLang // the switcher; empty on pages that do not know the link
	Here  string       // this page's path, for the switcher's links
	Base  string       // /w/{secret}
	CSRF  string
	Data  any
	p     *message.Printer
}

// T translates a catalogue key in the page's language.
func (v wview) T(key string, args ...any) string { return v.p.Sprintf(key, args...) }

// receiptView is the data of the "receipt" template.
type receiptView struct {
	V wview
	R *api.Receipt
}

var workerFuncs = template.FuncMap{
	"receiptOf": func(v wview, r *api.Receipt) receiptView { return receiptView{V: v, R: r} },
	// leaf writes a log leaf index in ASCII digits in every language, as `fairtrail log` and auditors read it.
	"leaf": func(n int64) string { return strconv.FormatInt(n, 10) },
}

func parseWorkerPages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range workerPageNames {
		t, err := template.New("layout.html").Funcs(workerFuncs).ParseFS(assets, "templates/worker/layout.html",
			"templates/worker/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// maxFormBytes bounds a worker page's request body: the report form, with a note of up to 4,000 characters.
const maxFormBytes = 64 << 10

// closedPage is the data of the closed page: catalogue keys.
type closedPage struct{ Title, Body string }

// renderWorker writes a worker page in the language l; like render, it renders to a buffer first.
func (c *Console) renderWorker(w http.ResponseWriter, status int, name string, v wview) {
	if v.p == nil {
		v.p = c.printerFor(v.Lang)
	}
	var buf bytes.Buffer
	if err := c.workerPages[name].Execute(&buf, v); err != nil {
		c.log.Error("console: render a worker page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", v.Lang.Code)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// closed is the one answer to every link that does not open (malformed, guessed, revoked, expired, or a path
// under a link that names nothing): the same page and status, whatever the reason.
func (c *Console) closed(w http.ResponseWriter, r *http.Request) {
	c.renderWorker(w, http.StatusNotFound, "closed", wview{Lang: workerLanguage(r, nil),
		Data: closedPage{Title: "w.closed.title", Body: "w.closed.body"}})
}

// linkRoute wraps a worker page: the client's attempts are rate-limited, then the link is opened; a link that
// does not open gets the closed page.
func (c *Console) linkRoute(h func(http.ResponseWriter, *http.Request, string, *api.OwnRecord)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes) // the language is read from the form, even of a refusal
		if !c.attempts.allow(r) {
			w.Header().Set("Retry-After", "60")
			c.renderWorker(w, http.StatusTooManyRequests, "closed", wview{Lang: workerLanguage(r, nil),
				Data: closedPage{Title: "w.busy.title", Body: "w.busy.body"}})
			return
		}
		secret := r.PathValue("secret")
		if c.cfg.Workers == nil {
			c.closed(w, r)
			return
		}
		own, err := c.cfg.Workers.Own(r.Context(), secret)
		switch {
		case errors.Is(err, api.ErrUnknownLink):
			c.log.Info("console: a worker link did not open", "remote", r.RemoteAddr)
			c.closed(w, r)
			return
		case err != nil:
			c.log.Error("console: open a worker link", "err", err)
			c.renderWorker(w, http.StatusServiceUnavailable, "closed", wview{Lang: workerLanguage(r, nil),
				Data: closedPage{Title: "w.error.title", Body: "w.error.body"}})
			return
		}
		h(w, r, secret, own)
	}
}

// pageView is the view of a page of the link's worker, in the worker's language, with the link session's
// CSRF token (a session is started on the first page).
func (c *Console) pageView(w http.ResponseWriter, r *http.Request, secret string, own *api.OwnRecord) wview {
	lang := workerLanguage(r, own.Report.Languages)
	base := workerlink.PathPrefix + secret
	s, ok := c.linkSessions.get(r)
	if !ok || !sameSecret(s.secret, secret) {
		s = c.linkSessions.start(w, r, secret)
	}
	return wview{Lang: lang, Langs: workerLanguages, Here: r.URL.Path, Base: base, CSRF: s.csrf, p: c.printerFor(lang)}
}

// record answers GET /w/{secret}: the worker's own record.
func (c *Console) record(w http.ResponseWriter, r *http.Request, secret string, own *api.OwnRecord) {
	v := c.pageView(w, r, secret, own)
	d := wordsOf(v.p, own)
	d.Reported = r.FormValue("reported") == "1"
	v.Data = d
	c.renderWorker(w, http.StatusOK, "record", v)
}

// reportPage is the data of the report form.
type reportPage struct {
	Enabled                             bool
	Form                                api.WorkerReport
	Problems                            []string // catalogue keys
	Kinds, Categories, Terms, Documents []string
}

func newReportPage(enabled bool, form api.WorkerReport, problems []string) reportPage {
	return reportPage{Enabled: enabled, Form: form, Problems: problems, Kinds: domain.ReportKinds,
		Categories: domain.FeeCategories, Terms: domain.ReportTerms, Documents: domain.Documents}
}

// reportForm answers GET /w/{secret}/report.
func (c *Console) reportForm(w http.ResponseWriter, r *http.Request, secret string, own *api.OwnRecord) {
	v := c.pageView(w, r, secret, own)
	v.Data = newReportPage(c.cfg.Reports != nil, api.WorkerReport{}, nil)
	c.renderWorker(w, http.StatusOK, "report", v)
}

// sameSecret compares a session's link secret with the URL's, in constant time.
func sameSecret(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
