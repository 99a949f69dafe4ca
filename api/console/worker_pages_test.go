package console

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// goodSecret opens fakeWorkers' worker; revokedSecret is well formed and refused, as any other secret.
const (
	goodSecret    = "AAECAwQFBgcICQoLDA0ODxAREhM"
	revokedSecret = "ExIREA8ODQwLCgkIBwYFBAMCAQA"
)

// fakeWorkers opens one link, of worker w-1, and records reports.
type fakeWorkers struct {
	languages []string
	reports   []api.WorkerReport
}

func (f *fakeWorkers) Own(_ context.Context, secret string) (*api.OwnRecord, error) {
	if secret != goodSecret {
		return nil, api.ErrUnknownLink
	}
	return ownRecord(f.languages), nil
}

func (f *fakeWorkers) RecordReport(_ context.Context, secret string, in api.WorkerReport) error {
	if secret != goodSecret {
		return api.ErrUnknownLink
	}
	f.reports = append(f.reports, in)
	return nil
}

func intp(n int) *int { return &n }

// ownRecord is a worker's record with a bit of everything the page shows.
func ownRecord(languages []string) *api.OwnRecord {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	promised := domain.Terms{Position: "Welder", EmployerID: "emp-1", HoursPerWeek: intp(48), RestDaysPerWeek: intp(1),
		DurationMonths: intp(24), Wage: domain.Wage{Amount: "1500.00", Currency: "MYR", Per: "month"},
		Worksite: domain.Worksite{Country: "MY", City: "Penang"}}
	actual := promised
	actual.Wage.Amount, actual.HoursPerWeek = "1200.00", intp(60)
	deadline := day("2024-06-30")
	owed := domain.Money{Amount: "25000.00", Currency: "NPR"}
	rep := &projections.WorkerReport{WorkerID: "w-1", JobOrderID: "jo-1", EmployerID: "emp-1", Languages: languages,
		Contracts: []projections.ContractReport{
			{EventID: "e-c1", ContractID: "c-1", Stage: "pre_departure", SignedAt: day("2024-01-10"), Terms: promised,
				ComparedWith: "job order jo-1"},
			{EventID: "e-c2", ContractID: "c-2", Stage: "post_arrival", SignedAt: day("2024-03-01"), Terms: actual,
				ComparedWith: "job order jo-1", Changes: []projections.Change{
					{Term: "wage", Before: projections.WageView{MonthlyEquivalent: "1500.00", Currency: "MYR"},
						After: projections.WageView{MonthlyEquivalent: "1200.00", Currency: "MYR"}},
					{Term: "hours_per_week", Before: 48, After: 60},
					{Term: "deductions.housing", After: []domain.Deduction{{Kind: "housing", Amount: "50", Currency: "MYR", Per: "month"}}},
				}, WageShortfall: &domain.Money{Amount: "7200.00", Currency: "MYR"}},
		},
		Fees: []*projections.FeeLine{
			{EventID: "e-f1", Category: "recruitment_fee", Amount: owed, Payer: "worker", PayeeID: "ag-1", At: day("2024-01-05"),
				Owed: &owed, Deadline: &deadline},
			{EventID: "e-f2", Category: "visa", Amount: domain.Money{Amount: "900", Currency: "MYR"}, Payer: "employer", PayeeID: "gov"},
		},
		Documents: []projections.DocumentHeld{{EventID: "e-d1", Document: "passport", HeldBy: "emp-1", Since: day("2024-03-02")}},
		Reports: []projections.ReportLine{
			{EventID: "e-w1", Kind: "fee_not_recorded", At: day("2024-04-02")},
			{EventID: "e-w2", Kind: "threat", At: day("2024-04-03"), Resolution: &projections.ReportResolution{Outcome: "remediated"}},
		},
		Totals: projections.Totals{WorkerPaid: []domain.Money{owed}, Outstanding: []domain.Money{owed}},
		Timeline: []projections.TimelineEntry{
			{EventID: "e-r1", Type: "WorkerRecruited", OccurredAt: day("2024-01-01")},
			{EventID: "e-f1", Type: "FeePaid", OccurredAt: day("2024-01-05")},
			{EventID: "e-c2", Type: "ContractSigned", OccurredAt: day("2024-03-01")},
			{EventID: "e-x", Type: "SomethingNew", OccurredAt: day("2024-04-01")},
		},
	}
	return &api.OwnRecord{LinkID: "link_1", WorkerID: "w-1", Report: rep, Promised: &promised,
		Receipts: map[string]api.Receipt{"e-f1": {Hash: strings.Repeat("ab", 32), Leaf: 17}}}
}

func newWorkerConsole(t *testing.T, fw *fakeWorkers) *Console {
	t.Helper()
	con, err := New(Config{Reader: fakeReader{}, Keys: &fakeKeys{}, Logger: slog.New(slog.DiscardHandler),
		Workers: fw, Reports: fw})
	if err != nil {
		t.Fatal(err)
	}
	return con
}

func newWorkerConsoleF(f *testing.F) *Console {
	con, err := New(Config{Reader: fakeReader{}, Keys: &fakeKeys{}, Logger: slog.New(slog.DiscardHandler),
		Workers: &fakeWorkers{}, Reports: &fakeWorkers{}, LinkBurst: 1 << 30})
	if err != nil {
		f.Fatal(err)
	}
	return con
}

func TestWorkerPageShowsTheRecordInPlainWords(t *testing.T) {
	t.Parallel()
	con := newWorkerConsole(t, &fakeWorkers{languages: []string{"en"}})
	w := get(con, "/w/"+goodSecret, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("%d\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{
		"Your monthly wage is 1,200 MYR; you were promised 1,500 MYR.",
		"You work 60 hours a week; you were promised 48.",
		"A deduction from your wage for housing is 50 MYR a month; you were promised none.",
		"You paid 25,000 NPR for recruitment fee to ag-1 on 2024-01-05.",
		"25,000 NPR must be paid back to you by 2024-06-30.",
		"Your passport has been held by emp-1 since 2024-03-02.",
		"Receipt: log entry 17, code " + strings.Repeat("ab", 32),
		"A record, on 2024-04-01",
		"On 2024-04-02 you reported: “I paid a fee that is not recorded”",
		"Not answered yet.",
		"Answered: it was put right.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if strings.Contains(body, "for visa") {
		t.Error("a fee the employer paid is shown as the worker's")
	}
	if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", w.Header())
	}
}

func TestEveryLinkThatDoesNotOpenGetsTheSamePage(t *testing.T) {
	t.Parallel()
	con := newWorkerConsole(t, &fakeWorkers{})
	want := get(con, "/w/"+revokedSecret, nil)
	if want.Code != http.StatusNotFound {
		t.Fatalf("a revoked link: %d", want.Code)
	}
	for _, path := range []string{
		"/w/guessed", "/w/", "/w/" + goodSecret + "/workers/w-2", "/w/w-2", "/w/" + goodSecret + "x",
		"/w/" + revokedSecret + "/report",
	} {
		got := get(con, path, nil)
		if got.Code != want.Code || got.Body.String() != want.Body.String() {
			t.Errorf("%s: %d, a different page from a revoked link's", path, got.Code)
		}
	}
}

func TestWorkerPageLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		recorded []string
		query    string
		want     string
	}{
		{"the first recorded language the pages have", []string{"xx", "ne", "en"}, "", "ne"},
		{"the visitor's choice", []string{"ne"}, "?lang=en", "en"},
		{"Filipino read as Tagalog", []string{"fil"}, "", "tl"},
		{"English when none is known", []string{"xx"}, "", "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			con := newWorkerConsole(t, &fakeWorkers{languages: tc.recorded})
			w := get(con, "/w/"+goodSecret+tc.query, nil)
			if got := w.Header().Get("Content-Language"); got != tc.want || !strings.Contains(w.Body.String(), `<html lang="`+tc.want+`">`) {
				t.Errorf("Content-Language %q, want %q", got, tc.want)
			}
		})
	}
}

// linkSession opens the report form and returns its session cookie and CSRF token.
func linkSession(t *testing.T, con *Console) (*http.Cookie, string) {
	t.Helper()
	w := get(con, "/w/"+goodSecret+"/report", nil)
	m := csrfField.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		t.Fatalf("report form: %d\n%s", w.Code, w.Body)
	}
	for _, ck := range w.Result().Cookies() {
		if ck.Name == "ft_link" {
			if ck.Path != "/w/" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("link cookie %+v", ck)
			}
			return ck, m[1]
		}
	}
	t.Fatal("no link session cookie")
	return nil, ""
}

func postReport(con *Console, secret string, ck *http.Cookie, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/w/"+secret+"/report", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if ck != nil {
		req.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	con.ServeHTTP(w, req)
	return w
}

func TestWorkerReportForm(t *testing.T) {
	t.Parallel()
	fw := &fakeWorkers{languages: []string{"ne"}}
	con := newWorkerConsole(t, fw)
	ck, csrf := linkSession(t, con)
	fee := url.Values{"csrf": {csrf}, "kind": {"fee_not_recorded"}, "category": {"medical"}, "amount": {"12,000"},
		"currency": {"npr"}, "paid_on": {"2024-01-03"}, "note": {"paid in cash at the office"}}
	for _, tc := range []struct {
		name   string
		ck     *http.Cookie
		form   url.Values
		status int
	}{
		{"no session", nil, fee, http.StatusForbidden},
		{"a forged token", ck, with(fee, "csrf", "forged"), http.StatusForbidden},
		{"no kind", ck, with(fee, "kind", ""), http.StatusBadRequest},
		{"a fee without an amount", ck, with(fee, "amount", "a lot"), http.StatusBadRequest},
		{"a fee with a bad date", ck, with(fee, "paid_on", "03/01/2024"), http.StatusBadRequest},
		{"a fee report", ck, fee, http.StatusSeeOther},
	} {
		w := postReport(con, goodSecret, tc.ck, tc.form)
		if w.Code != tc.status {
			t.Errorf("%s: %d, want %d\n%s", tc.name, w.Code, tc.status, w.Body)
		}
	}
	if len(fw.reports) != 1 {
		t.Fatalf("%d reports recorded, want 1", len(fw.reports))
	}
	got := fw.reports[0]
	if got.Kind != "fee_not_recorded" || got.Language != "ne" || got.FeeAmount != "12000" || got.FeeCurrency != "NPR" ||
		got.Note != "paid in cash at the office" {
		b, _ := json.Marshal(got)
		t.Errorf("recorded %s", b)
	}
	if w := postReport(con, revokedSecret, ck, fee); w.Code != http.StatusNotFound {
		t.Errorf("a report through another link with this session: %d, want the closed page", w.Code)
	}
}

func with(v url.Values, k, value string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = vs
	}
	out.Set(k, value)
	return out
}

func TestLinkAttemptsAreRateLimited(t *testing.T) {
	t.Parallel()
	con, err := New(Config{Reader: fakeReader{}, Keys: &fakeKeys{}, Logger: slog.New(slog.DiscardHandler),
		Workers: &fakeWorkers{}, LinkBurst: 3, LinkInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	codes := []int{}
	for _, s := range []string{"a", "b", goodSecret, goodSecret} {
		codes = append(codes, get(con, "/w/"+s, nil).Code)
	}
	if codes[2] != http.StatusOK || codes[3] != http.StatusTooManyRequests {
		t.Errorf("statuses %v: want the third to open and the fourth refused", codes)
	}
}

func TestWorkerCatalogueIsComplete(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%(\[\d+\])?[a-z]`)
	for _, l := range workerLanguages[1:] {
		for k, en := range workerEnglish {
			tr, ok := l.Text[k]
			if !ok {
				t.Errorf("%s: no %q", l.Code, k)
				continue
			}
			if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(tr, -1); strings.Join(a, "") != strings.Join(b, "") {
				t.Errorf("%s %q: verbs %v, English has %v", l.Code, k, b, a)
			}
		}
		for k := range l.Text {
			if _, ok := workerEnglish[k]; !ok {
				t.Errorf("%s: %q is not an English key", l.Code, k)
			}
		}
	}
	keyRef := regexp.MustCompile(`T "([a-zA-Z_.\-]+)"`)
	entries, _ := assets.ReadDir("templates/worker")
	for _, e := range entries {
		b, _ := assets.ReadFile("templates/worker/" + e.Name())
		for _, m := range keyRef.FindAllStringSubmatch(string(b), -1) {
			if _, ok := workerEnglish[m[1]]; !ok {
				t.Errorf("%s: key %q is not in the worker catalogue", e.Name(), m[1])
			}
		}
	}
}

// FuzzWorkerLinkPath: whatever follows /w/, a link that does not open answers the one closed page, never an
// error or another page.
func FuzzWorkerLinkPath(f *testing.F) {
	for _, s := range []string{"", "x", revokedSecret, goodSecret + "/workers/w-2", "../sign-in", "%2e%2e", goodSecret + "/report/x"} {
		f.Add(s)
	}
	con := newWorkerConsoleF(f)
	want := get(con, "/w/"+revokedSecret, nil).Body.String()
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse("/w/" + s)
		if err != nil || u.Path != "/w/"+s || strings.ContainsAny(s, "?#") || s == goodSecret || s == goodSecret+"/report" ||
			!strings.HasPrefix(path.Clean(u.Path)+"/", "/w/") || path.Clean(u.Path) != strings.TrimSuffix(u.Path, "/") {
			return // not a path under /w/ once cleaned: net/http redirects it to the clean path
		}
		w := get(con, u.String(), nil)
		if w.Code == http.StatusTooManyRequests {
			return
		}
		if w.Code != http.StatusNotFound || w.Body.String() != want {
			t.Errorf("/w/%q: %d, not the closed page", s, w.Code)
		}
	})
}

func FuzzCheckReport(f *testing.F) {
	f.Add("fee_not_recorded", "medical", "12,000.50", "npr", "2024-01-03", "wage", "passport", "note")
	f.Add("other", "", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, kind, category, amount, currency, paidOn, term, document, note string) {
		form := url.Values{"kind": {kind}, "category": {category}, "amount": {amount}, "currency": {currency},
			"paid_on": {paidOn}, "term": {term}, "document": {document}, "note": {note}}
		in := reportInput(form, "en")
		if len(checkReport(in)) > 0 {
			return
		}
		if !slices.Contains(domain.ReportKinds, in.Kind) || in.FeeAmount != "" && !amountPattern.MatchString(in.FeeAmount) {
			t.Errorf("accepted %+v", in)
		}
	})
}
