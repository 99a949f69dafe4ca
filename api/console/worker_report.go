package console

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/workerlink"
	"github.com/fairtrail/fairtrail/domain"
)

// report answers POST /w/{secret}/report: the form's token must be the link session's, started when the
// form was shown; a report that passes is recorded, and the worker sent back to their record.
func (c *Console) report(w http.ResponseWriter, r *http.Request, secret string, own *api.OwnRecord) {
	lang := workerLanguage(r, own.Report.Languages)
	s, ok := c.linkSessions.get(r)
	if !ok || !sameSecret(s.secret, secret) || !validCSRF(r, s.csrf) {
		c.renderWorker(w, http.StatusForbidden, "closed", wview{Lang: lang,
			Data: closedPage{Title: "w.report.title", Body: "w.csrf"}})
		return
	}
	if c.cfg.Reports == nil {
		c.reportForm(w, r, secret, own)
		return
	}
	in := reportInput(r.PostForm, lang.Code)
	problems := checkReport(in)
	if len(problems) == 0 {
		err := c.cfg.Reports.RecordReport(r.Context(), secret, in)
		var ve *domain.ValidationError
		switch {
		case errors.As(err, &ve):
			problems = problemsOf(ve)
		case errors.Is(err, api.ErrUnknownLink):
			c.closed(w, r)
			return
		case err != nil:
			c.log.Error("console: record a worker's report", "link_id", own.LinkID, "err", err)
			c.renderWorker(w, http.StatusServiceUnavailable, "closed", wview{Lang: lang,
				Data: closedPage{Title: "w.error.title", Body: "w.error.body"}})
			return
		default:
			c.log.Info("console: a worker's report recorded", "link_id", own.LinkID, "kind", in.Kind)
			http.Redirect(w, r, workerlink.PathPrefix+secret+"?lang="+url.QueryEscape(lang.Code)+"&reported=1",
				http.StatusSeeOther)
			return
		}
	}
	v := c.pageView(w, r, secret, own)
	v.Data = newReportPage(true, in, problems)
	c.renderWorker(w, http.StatusBadRequest, "report", v)
}

// reportInput reads the form.
func reportInput(f url.Values, lang string) api.WorkerReport {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return api.WorkerReport{Kind: get("kind"), Language: lang, FeeCategory: get("category"),
		FeeAmount: strings.ReplaceAll(get("amount"), ",", ""), FeeCurrency: strings.ToUpper(get("currency")),
		FeePaidOn: get("paid_on"), Term: get("term"), Promised: get("promised"), Actual: get("actual"),
		Document: get("document"), Note: get("note")}
}

var (
	amountPattern   = regexp.MustCompile(`^[0-9]{1,15}(\.[0-9]{1,4})?$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// checkReport finds what the worker must correct, as catalogue keys, before the report is recorded: a fee,
// once any of its fields is given, needs its category, amount and currency; any value given must be one the
// vocabulary knows. A fee kind without a fee is a grievance still (spec section 8), so it is not refused.
func checkReport(in api.WorkerReport) []string {
	var out []string
	bad := func(ok bool, key string) {
		if !ok {
			out = append(out, key)
		}
	}
	bad(slices.Contains(domain.ReportKinds, in.Kind), "w.bad.kind")
	if in.HasFee() {
		bad(slices.Contains(domain.FeeCategories, in.FeeCategory), "w.bad.category")
		bad(amountPattern.MatchString(in.FeeAmount), "w.bad.amount")
		bad(currencyPattern.MatchString(in.FeeCurrency), "w.bad.currency")
	}
	if in.FeePaidOn != "" {
		_, err := time.Parse(time.DateOnly, in.FeePaidOn)
		bad(err == nil, "w.bad.date")
	}
	bad(in.Term == "" || slices.Contains(domain.ReportTerms, in.Term), "w.bad.term")
	bad(in.Document == "" || slices.Contains(domain.Documents, in.Document), "w.bad.document")
	bad(utf8.RuneCountInString(in.Promised) <= 200 && utf8.RuneCountInString(in.Actual) <= 200 &&
		utf8.RuneCountInString(in.Note) <= 4000, "w.bad.text")
	return out
}

// problemKeys maps a refused field's path to its catalogue key: the first entry whose part the path contains
// wins, so "currency" comes before "amount" (a fee's currency sits under its amount); any other path is text.
var problemKeys = []struct{ part, key string }{
	{"kind", "w.bad.kind"}, {"category", "w.bad.category"}, {"currency", "w.bad.currency"},
	{"amount", "w.bad.amount"}, {"paid_on", "w.bad.date"}, {"term", "w.bad.term"}, {"document", "w.bad.document"},
}

// problemsOf turns the fields a recorder refused into catalogue keys.
func problemsOf(ve *domain.ValidationError) []string {
	var out []string
	for _, f := range ve.Fields {
		key := "w.bad.text"
		for _, p := range problemKeys {
			if strings.Contains(f.Path, p.part) {
				key = p.key
				break
			}
		}
		if !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}
