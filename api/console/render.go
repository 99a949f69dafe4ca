package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/message"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/narrate"
)

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"signin", "error", "overview", "flags", "worker", "joborder", "audit", "linkmade", "agencies"}

// pages holds the parsed templates, by page name.
type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"money":  moneyText,
	"monies": moniesText,
	"date":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"when":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") },
	"join":   strings.Join,
	"link":   link,
	"linkTo": func(path string, q url.Values, name string, v any) template.URL {
		return link(path, withParam(q, name, v))
	},
	"add":   func(a, b int) int { return a + b },
	"terms": narrate.Terms,
	"dict2": func(v view, q url.Values) timeView { return timeView{view: v, Q: q} },
	"picker": func(v view, q url.Values, choices []string) currencyView {
		return currencyView{view: v, Q: q, Choices: choices}
	},
	"percent": sharePercent,
	"chartOf": func(v view, c chart) chartView {
		return chartView{Chart: c, Caption: v.T(c.Title), Label: v.T(c.Title + ".label"), Count: v.T("chart.count"),
			Empty: v.T("chart.empty")}
	},
	"nodeOf":  func(v view, n chainNode) nodeView { return nodeView{V: v, N: n} },
	"pair":    func(a, b []projections.AuditRow) [][]projections.AuditRow { return [][]projections.AuditRow{a, b} },
	"licence": licenceText,
	"pagerOf": func(v view, path string, q url.Values, p pager) pagerView {
		return pagerView{view: v, Path: path, Q: q, P: p}
	},
}

// pagerView is the data of the "pager" template: the view, the table's page and query, and where it is.
type pagerView struct {
	view
	Path string
	Q    url.Values
	P    pager
}

// licenceText says a licence status in the visitor's language.
func licenceText(v view, l projections.Licence) string {
	if l.ValidUntil == "" {
		return v.T("licence." + l.Status)
	}
	return v.T("licence."+l.Status, l.ValidUntil)
}

// timeView is the data of the "timefilter" template: the view and the page's query.
type timeView struct {
	view
	Q url.Values
}

// currencyView is the data of the "currencyfilter" template: the view, the page's query and the currencies to
// pick from.
type currencyView struct {
	view
	Q       url.Values
	Choices []string
}

// sharePercent shows a share (0 to 1 with 4 decimals, projections.Converted.ShareRepaid) as a percentage;
// "—" for none.
func sharePercent(share string) string {
	d, err := decimal.NewFromString(share)
	if err != nil {
		return "—"
	}
	return d.Shift(2).StringFixed(2) + "%"
}

// chartView is the data of the "bars" template.
type chartView struct {
	Chart                        chart
	Caption, Label, Count, Empty string
}

// nodeView is the data of the job order's "node" template.
type nodeView struct {
	V view
	N chainNode
}

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: parse template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every template receives: the page's data and what the layout needs.
type view struct {
	Page string
	Who  *keys.Identity
	CSRF string
	Data any
	p    *message.Printer
}

// T translates a catalogue key through the visitor's language.
func (v view) T(key string, args ...any) string { return v.p.Sprintf(key, args...) }

// render writes a page; it is rendered to a buffer first, so a template error answers 500 rather than half a
// page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, s *session, data any) {
	v := view{Page: name, Data: data, p: printer(r)}
	if s != nil {
		v.Who, v.CSRF = &s.who, s.csrf
	}
	var buf bytes.Buffer
	if err := c.pages.byName[name].Execute(&buf, v); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// link is a link to a console path with a query. The query is encoded here, as a whole: html/template would
// escape its = and & if it were interpolated into an href.
func link(path string, q url.Values) template.URL {
	if len(q) == 0 {
		return template.URL(path)
	}
	return template.URL(path + "?" + q.Encode())
}

// withParam returns the query with one parameter set (removed when empty).
func withParam(q url.Values, name string, v any) url.Values {
	value := fmt.Sprint(v)
	out := url.Values{}
	for k, vs := range q {
		out[k] = vs
	}
	if value == "" {
		out.Del(name)
	} else {
		out.Set(name, value)
	}
	return out
}

func moneyText(m domain.Money) string { return strings.TrimSpace(string(m.Amount) + " " + m.Currency) }

func moniesText(ms []domain.Money) string {
	if len(ms) == 0 {
		return "—"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = moneyText(m)
	}
	return strings.Join(parts, ", ")
}
