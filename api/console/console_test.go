package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// fakeReader answers every read with a small, fixed world; a worker other than "w-1" is not found.
type fakeReader struct{}

var fakeFlag = domain.Flag{Code: "fee.worker_paid", WorkerID: "w-1", JobOrderID: "jo-1", BuyerIDs: []string{"b-1"},
	EventIDs: []string{"e-1"}, RaisedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}

func (fakeReader) FlagPage(context.Context, keys.Identity, url.Values, string, int) (api.FlagPage, error) {
	return api.FlagPage{Flags: []domain.Flag{fakeFlag}, Total: 1, First: 1}, nil
}

func (fakeReader) EachFlag(_ context.Context, _ keys.Identity, _ url.Values, fn func(domain.Flag) error) error {
	return fn(fakeFlag)
}

func (fakeReader) ConvertFlags(_ context.Context, q url.Values, flags []domain.Flag) ([]projections.ConvertedFlag, error) {
	out := make([]projections.ConvertedFlag, len(flags))
	for i, f := range flags {
		out[i].Flag = f
	}
	return out, nil
}

func (fakeReader) Worker(_ context.Context, _ keys.Identity, id string, _ url.Values) (*projections.WorkerReport, error) {
	if id != "w-1" {
		return nil, api.ErrNotFound
	}
	at := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	return &projections.WorkerReport{WorkerID: "w-1", JobOrderID: "jo-1", Reports: []projections.ReportLine{
		{EventID: "e-2", ReportID: "rep-1", Kind: domain.ReportFeeNotRecorded, Channel: domain.ChannelInterview,
			Language: "ne", Fee: &domain.ReportedFee{Category: domain.FeeMedical, Amount: domain.Money{Amount: "12000.00",
				Currency: "NPR"}}, At: at, RecordedAt: at, RecordedBy: "aud-1"},
		{EventID: "e-3", ReportID: "rep-2", Kind: domain.ReportThreat, Channel: domain.ChannelHotline, Language: "ne",
			At: at, RecordedAt: at, RecordedBy: "union-1", Resolution: &projections.ReportResolution{EventID: "e-4",
				Outcome: domain.OutcomeWithdrawn, At: at.AddDate(0, 1, 0), RecordedBy: "union-1"}},
	}}, nil
}

func (fakeReader) JobOrder(context.Context, keys.Identity, string) (*projections.JobOrder, []api.Recruit, error) {
	return nil, nil, api.ErrNotFound
}

func (fakeReader) Audit(context.Context, keys.Identity, url.Values) ([]projections.AuditRow, string, error) {
	return nil, "", nil
}

func (fakeReader) Agencies(context.Context, keys.Identity, url.Values) (projections.AgencyReport, error) {
	return projections.AgencyReport{Sort: projections.SortRisk, MinWorkers: projections.DefaultMinWorkers,
		Agencies: []projections.AgencyScorecard{}, CleanAgencies: []projections.CleanAgency{}}, nil
}

// AuditPage returns one row, placed 51st of 120, between pages whose cursors name the order it was asked in.
func (fakeReader) AuditPage(_ context.Context, _ keys.Identity, q url.Values, _ string, _ int) ([]projections.AuditRow, string, api.TablePage, error) {
	return []projections.AuditRow{{Key: "ag-1"}}, "b-1", fakeTable(q), nil
}

// AgencyPage returns one scorecard, placed as AuditPage places its row.
func (f fakeReader) AgencyPage(ctx context.Context, who keys.Identity, q url.Values, _ string, _ int) (projections.AgencyReport, api.TablePage, error) {
	r, err := f.Agencies(ctx, who, q)
	r.Agencies = []projections.AgencyScorecard{{AgencyID: "ag-1", Flags: map[string]int{}, MonthsOfWages: &projections.MonthsSummary{}}}
	return r, fakeTable(q), err
}

func fakeTable(q url.Values) api.TablePage {
	return api.TablePage{Total: 120, First: 51, Prev: "p-" + q.Get("sort"), Next: "n-" + q.Get("sort")}
}

func (fakeReader) Overview(context.Context, keys.Identity, url.Values) (api.Overview, error) {
	return api.Overview{Months: readmodel.CountByMonth([]domain.Flag{fakeFlag})}, nil
}

func (fakeReader) Receipts(context.Context, keys.Identity, string) (map[string]api.Receipt, error) {
	return nil, nil
}

// fakeKeys knows one key, "good", of a buyer, and one metrics key.
type fakeKeys struct{ revoked bool }

func (k *fakeKeys) Authenticate(secret string) (keys.Identity, error) {
	switch {
	case secret == "good" && !k.revoked:
		return keys.Identity{KeyID: "key_1", Org: "b-1", Role: keys.RoleBuyer, Buyers: []string{"b-1"}}, nil
	case secret == "metrics":
		return keys.Identity{KeyID: "key_2", Org: "ops", Role: keys.RoleMetrics}, nil
	}
	return keys.Identity{}, keys.ErrUnknownKey
}

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestConsole(t *testing.T, k *fakeKeys, c *clock) *Console {
	t.Helper()
	con, err := New(Config{Reader: fakeReader{}, Keys: k, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: c.now, IdleTimeout: time.Minute, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return con
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in with key through the form and returns the session cookie ("" when refused) and the status.
func signIn(t *testing.T, con *Console, key string) (*http.Cookie, int) {
	t.Helper()
	w := httptest.NewRecorder()
	con.ServeHTTP(w, httptest.NewRequest("GET", "/sign-in", nil))
	m := csrfField.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in form:\n%s", w.Body)
	}
	form := url.Values{"csrf": {m[1]}, "key": {key}}
	req := httptest.NewRequest("POST", "/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, ck := range w.Result().Cookies() {
		req.AddCookie(ck)
	}
	w = httptest.NewRecorder()
	con.ServeHTTP(w, req)
	for _, ck := range w.Result().Cookies() {
		if ck.Name == cookieName && ck.Value != "" {
			return ck, w.Code
		}
	}
	return nil, w.Code
}

func get(con *Console, path string, ck *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if ck != nil {
		req.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	con.ServeHTTP(w, req)
	return w
}

func TestSignInSetsAStrictHttpOnlyCookie(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	ck, code := signIn(t, con, "good")
	if code != http.StatusSeeOther || ck == nil {
		t.Fatalf("sign-in: %d, cookie %v", code, ck)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/", ck)
	}
	if w := get(con, "/overview", ck); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "fee.worker_paid") {
		t.Errorf("overview: %d\n%s", w.Code, w.Body)
	}
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key string
		want      int
	}{
		{"an unknown key", "nope", http.StatusUnauthorized},
		{"no key", "", http.StatusBadRequest},
		{"a metrics key", "metrics", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
			ck, code := signIn(t, con, tc.key)
			if code != tc.want || ck != nil {
				t.Errorf("status %d, cookie %v; want %d and no cookie", code, ck, tc.want)
			}
		})
	}
}

func TestSignInWithoutTheFormsTokenIsRefused(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	req := httptest.NewRequest("POST", "/sign-in", strings.NewReader("key=good&csrf=forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	con.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden || con.sessions.len() != 0 {
		t.Errorf("status %d with %d sessions; want 403 and none", w.Code, con.sessions.len())
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	ck, _ := signIn(t, con, "good")
	req := httptest.NewRequest("POST", "/sign-out", strings.NewReader("csrf=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(ck)
	w := httptest.NewRecorder()
	con.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden || con.sessions.len() != 1 {
		t.Errorf("status %d, %d sessions; want 403 and the session kept", w.Code, con.sessions.len())
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		uses  int           // uses after sign-in
		every time.Duration // time between uses
		alive bool
	}{
		{"used within the idle timeout", 2, 50 * time.Second, true},
		{"idle too long", 1, 61 * time.Second, false},
		{"past the absolute expiry though active", 62, 59 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			con := newTestConsole(t, &fakeKeys{}, c)
			ck, _ := signIn(t, con, "good")
			code := 0
			for range tc.uses {
				c.t = c.t.Add(tc.every)
				code = get(con, "/overview", ck).Code
			}
			if alive := code == http.StatusOK; alive != tc.alive {
				t.Errorf("last answer %d; alive %v, want %v", code, alive, tc.alive)
			}
		})
	}
}

func TestRevokedKeyEndsTheSession(t *testing.T) {
	t.Parallel()
	k := &fakeKeys{}
	con := newTestConsole(t, k, &clock{t: time.Now()})
	ck, _ := signIn(t, con, "good")
	k.revoked = true
	if w := get(con, "/overview", ck); w.Code != http.StatusSeeOther || con.sessions.len() != 0 {
		t.Errorf("after revocation: %d with %d sessions; want a redirect to sign in and none", w.Code, con.sessions.len())
	}
}

func TestSignOutEndsTheSessionServerSide(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	ck, _ := signIn(t, con, "good")
	page := get(con, "/overview", ck).Body.String()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no sign-out form with a CSRF token on the overview")
	}
	for _, tc := range []struct {
		name, csrf string
		want       int
	}{{"a wrong token", "forged", http.StatusForbidden}, {"the session's token", m[1], http.StatusSeeOther}} {
		req := httptest.NewRequest("POST", "/sign-out", strings.NewReader("csrf="+url.QueryEscape(tc.csrf)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(ck)
		w := httptest.NewRecorder()
		con.ServeHTTP(w, req)
		if w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.want)
		}
	}
	if w := get(con, "/overview", ck); w.Code != http.StatusSeeOther {
		t.Errorf("the old cookie after sign-out: %d, want a redirect to sign in", w.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	h := get(con, "/sign-in", nil).Header()
	for name, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if !strings.Contains(h.Get(name), want) {
			t.Errorf("%s: %q, want it to contain %q", name, h.Get(name), want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q allows script", csp)
	}
}

func TestMissingAndOutOfScopeLookTheSame(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	ck, _ := signIn(t, con, "good")
	a := get(con, "/workers/w-404", ck)
	b := get(con, "/job-orders/jo-1", ck)
	c := get(con, "/no-such-page", ck)
	if a.Code != http.StatusNotFound || b.Code != http.StatusNotFound || c.Code != http.StatusNotFound {
		t.Fatalf("statuses %d %d %d, want 404", a.Code, b.Code, c.Code)
	}
	if a.Body.String() != b.Body.String() || a.Body.String() != c.Body.String() {
		t.Errorf("not-found pages differ")
	}
}

// TestWorkerPageShowsReports: the worker's page lists each report in plain words with who recorded it, and
// whether it is open or how it was resolved.
func TestWorkerPageShowsReports(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	ck, _ := signIn(t, con, "good")
	w := get(con, "/workers/w-1", ck)
	if w.Code != http.StatusOK {
		t.Fatalf("worker page: %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{`id="reports"`, "a fee they paid is not recorded: medical 12000.00 NPR paid",
		"aud-1", "open since 2024-05-01", "withdrawn on 2024-06-01, by union-1", `href="#ev-e-3"`} {
		if !strings.Contains(body, want) {
			t.Errorf("worker page lacks %q", want)
		}
	}
}

func TestEveryTemplateKeyIsInTheCatalogue(t *testing.T) {
	t.Parallel()
	keyRef := regexp.MustCompile(`T "([a-z.\-]+)"`)
	entries, err := assets.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := assets.ReadFile("templates/" + e.Name())
		for _, m := range keyRef.FindAllStringSubmatch(string(b), -1) {
			if _, ok := english[m[1]]; !ok {
				t.Errorf("%s: key %q is not in the catalogue", e.Name(), m[1])
			}
		}
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"/flags?code=fee.", "/flags?code=fee."},
		{"", "/overview"},
		{"https://evil.example/", "/overview"},
		{"//evil.example/", "/overview"},
		{"/\\evil.example", "/overview"},
		{"/sign-out", "/overview"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "/a?b=c", "http://x", "/\r\nx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeNext(s)
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") {
			t.Errorf("safeNext(%q) = %q leaves the site", s, got)
		}
	})
}

// TestTablePagesLinkOnInTheirOrder: the audit and agencies pages say which rows they show of how many, and
// their previous and next links carry the cursor with the page's query and order (an unknown audit order is
// dropped for the default).
func TestTablePagesLinkOnInTheirOrder(t *testing.T) {
	t.Parallel()
	con := newTestConsole(t, &fakeKeys{}, &clock{t: time.Now()})
	ck, _ := signIn(t, con, "good")
	for _, tc := range []struct{ path, caption, next, prev string }{
		{"/audit?by=agency&sort=workers", "Groups 51 to 51 of 120",
			`href="/audit?by=agency&amp;cursor=n-workers&amp;sort=workers"`, `href="/audit?by=agency&amp;cursor=p-workers&amp;sort=workers"`},
		{"/audit?sort=colour", "Groups 51 to 51 of 120", `href="/audit?cursor=n-"`, `href="/audit?cursor=p-"`},
		{"/agencies?sort=name&min_workers=3", "Agencies 51 to 51 of 120",
			`href="/agencies?cursor=n-name&amp;min_workers=3&amp;sort=name"`, `href="/agencies?cursor=p-name&amp;min_workers=3&amp;sort=name"`},
	} {
		w := get(con, tc.path, ck)
		body := w.Body.String()
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", tc.path, w.Code)
		}
		for _, want := range []string{tc.caption, "Page 2", `rel="next" ` + tc.next, `rel="prev" ` + tc.prev} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %s in\n%s", tc.path, want, body)
			}
		}
	}
}
