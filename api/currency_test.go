package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/console"
)

// ratesOn publishes a rates table against the US dollar giving NPR, on the day the scenario's fees are paid.
func ratesOn(n int) map[string]any {
	return ev(uuid(n), "ExchangeRatesPublished", "2024-03-01T16:00:00Z", map[string]any{"rates_id": "fed-2024-03-01",
		"source": "FED", "base": "USD", "date": "2024-03-01", "rates": map[string]string{"NPR": "133.00", "MYR": "4.70"}})
}

// TestReadsInAReportingCurrency: currency=USD adds the converted money beside the originals on the flags, the
// audit and a worker's report, and a code that is not ISO 4217 upper case answers 400 naming the parameter.
func TestReadsInAReportingCurrency(t *testing.T) {
	t.Parallel()
	readInCurrency(t, newFixture(t, true))
}

// withCurrency sets the reporting currency of the money metrics.
func withCurrency(code string) fixtureOption { return func(c *api.Config) { c.Currency = code } }

func readInCurrency(t *testing.T, f *fixture) {
	f.mustPost("admin", ratesOn(900))
	cases := []struct {
		name, path, key string
		want            []string
	}{
		{"flags", "/v1/flags?currency=USD", "admin", []string{`"converted":{"currency":"USD","total":{"amount":`,
			`"from_per_base":"133"`}},
		{"audit", "/v1/audit?by=agency&currency=USD", "buyerA", []string{`"converted":{"currency":"USD","worker_paid_fees":{"amount":`,
			`"months_of_wages":{"workers_with_figure":`, `"not_converted":`}},
		{"a worker", "/v1/workers/w-a1?currency=USD", "buyerA", []string{`"converted":{"currency":"USD"`, `"months_of_wages":{`}},
		{"a worker's history", "/v1/workers/w-a1/history?currency=USD", "admin", []string{`"months_of_wages":{`}},
	}
	for _, tc := range cases {
		w := f.get(tc.path, tc.key)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.name, w.Code, w.Body.String())
		}
		for _, s := range tc.want {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s: answer has no %s:\n%.800s", tc.name, s, w.Body.String())
			}
		}
		plain := f.get(strings.Replace(strings.Replace(tc.path, "&currency=USD", "", 1), "?currency=USD", "", 1), tc.key)
		if strings.Contains(plain.Body.String(), `"converted"`) {
			t.Errorf("%s without currency has converted money", tc.name)
		}
	}
}

func TestABadReportingCurrencyAnswers400(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	for _, path := range []string{"/v1/flags?currency=usd", "/v1/audit?currency=US", "/v1/workers/w-a1?currency=DOLLARS",
		"/v1/workers/w-a1/history?currency=XYZ"} {
		w := f.get(path, "admin")
		var body struct {
			Error struct {
				Fields []struct{ Path, Problem string } `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		fields := body.Error.Fields
		if w.Code != http.StatusBadRequest || len(fields) != 1 || fields[0].Path != "currency" ||
			!strings.Contains(fields[0].Problem, "ISO 4217") {
			t.Errorf("%s: %d %s, want 400 naming currency", path, w.Code, w.Body.String())
		}
	}
}

// TestConsolePagesInAReportingCurrency signs in to the web console over this API's reads and checks that the
// overview, flags, audit and worker pages offer the currency picker, show the money converted when one is
// picked, and refuse a bad code with a page that names the parameter.
func TestConsolePagesInAReportingCurrency(t *testing.T) {
	t.Parallel()
	for name, model := range readModels { // the flag page seeks and converts the page's flags with a model
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			consolePagesInCurrency(t, newFixture(t, true, model(t)...))
		})
	}
}

func consolePagesInCurrency(t *testing.T, f *fixture) {
	f.mustPost("admin", ratesOn(900))
	con, err := console.New(console.Config{Reader: f.srv.Reader(), Keys: f.keys, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	cookies := consoleSignIn(t, con, f.key["buyerA"])
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		w := httptest.NewRecorder()
		con.ServeHTTP(w, req)
		return w
	}
	cases := []struct {
		name, path string
		want       []string
	}{
		{"overview", "/overview?currency=USD", []string{`id="in-currency"`, `<option selected>USD</option>`}},
		{"flags", "/flags?currency=USD", []string{`In USD</th>`, ` USD</td>`}},
		{"audit", "/audit?by=agency&currency=USD", []string{`id="remediation"`, `id="months"`}},
		{"worker", "/workers/w-a1?currency=USD", []string{`id="worker-in-currency"`, `id="worker-months"`}},
		{"worker without a currency", "/workers/w-a1", []string{`id="worker-months"`, `name="currency"`}},
	}
	for _, tc := range cases {
		w := get(tc.path)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%.600s", tc.name, w.Code, w.Body.String())
		}
		for _, s := range tc.want {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s: page has no %s", tc.name, s)
			}
		}
	}
	for _, path := range []string{"/overview?currency=usd", "/flags?currency=US", "/audit?currency=EURO", "/workers/w-a1?currency=xyz"} {
		if w := get(path); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "currency") {
			t.Errorf("%s: %d, want 400 naming currency\n%.400s", path, w.Code, w.Body.String())
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleSignIn signs in to the console with an API key and returns the session's cookies.
func consoleSignIn(t *testing.T, con http.Handler, key string) []*http.Cookie {
	t.Helper()
	w := httptest.NewRecorder()
	con.ServeHTTP(w, httptest.NewRequest("GET", "/sign-in", nil))
	m := csrfField.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in form:\n%s", w.Body)
	}
	req := httptest.NewRequest("POST", "/sign-in", strings.NewReader(url.Values{"csrf": {m[1]}, "key": {key}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range w.Result().Cookies() {
		req.AddCookie(c)
	}
	w = httptest.NewRecorder()
	con.ServeHTTP(w, req)
	if w.Code >= 400 {
		t.Fatalf("sign in: %d", w.Code)
	}
	return w.Result().Cookies()
}

// TestMoneyMetricsInTheReportingCurrency: with Config.Currency the money gauges give every worker-paid fee
// converted (80000 NPR at 133 NPR to the dollar is 601.50 USD), list a fee in a currency no table gives as not
// converted, in its own units, and the months-of-wages histogram counts the workers that have a figure, from
// the persisted model.
func TestMoneyMetricsInTheReportingCurrency(t *testing.T) {
	t.Parallel()
	for name, model := range readModels { // a persisted model sums the workers' stored ledgers
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			moneyMetricsInCurrency(t, newFixture(t, false, append(model(t), withCurrency("USD"))...))
		})
	}
}

func moneyMetricsInCurrency(t *testing.T, f *fixture) {
	f.mustPost("admin", []any{ratesOn(900), org(910, "ag-x"), recruit(911, "w-x1", "jo-x", "ag-x"),
		fee(912, "w-x1", "recruitment_fee", "80000.00"),
		ev(uuid(913), "FeePaid", "2024-03-05T09:00:00Z", map[string]any{"worker_id": "w-x2", "fee_id": "fee-913",
			"category": "medical", "amount": map[string]any{"amount": "3000.00", "currency": "BDT"}, "payer": "worker",
			"payee_id": "ag-x", "method": "cash"})})
	got := f.scrape(t)
	for series, want := range map[string]float64{
		"fairtrail_reporting_worker_paid_fees{currency=USD}":                      601.50,
		"fairtrail_reporting_not_converted{currency=BDT,figure=worker_paid_fees}": 3000,
	} {
		if got[series] != want {
			t.Errorf("%s = %v, want %v", series, got[series], want)
		}
	}
	if _, ok := got["fairtrail_recruitment_cost_months_of_wages{}"]; !ok {
		t.Error("no months-of-wages histogram")
	}
}
