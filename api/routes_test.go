package api_test

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// routeCase is one request and what must come back.
type routeCase struct {
	name   string
	method string // GET when empty
	path   string
	key    string
	header map[string]string
	status int
	check  func(t *testing.T, w *httptest.ResponseRecorder)
}

func runCases(t *testing.T, f *fixture, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			w := f.do(method, tc.path, tc.key, nil, tc.header)
			if w.Code != tc.status {
				t.Fatalf("%s %s as %q: status %d, want %d: %s", method, tc.path, tc.key, w.Code, tc.status, w.Body)
			}
			if w.Header().Get("X-Request-Id") == "" || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v lack X-Request-Id or Cache-Control: no-store", w.Header())
			}
			if tc.status >= 400 {
				e := decode[apiError](t, w)
				if e.Error.Code == "" || e.Error.Message == "" || e.Error.RequestID != w.Header().Get("X-Request-Id") {
					t.Errorf("error body %s lacks code, message or the request id", w.Body)
				}
			}
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
}

// authCases are the failures every authenticated route shares: no key, a malformed header, an unknown key, a
// revoked key, and a role the route refuses.
func authCases(path, wrongRole string) []routeCase {
	return []routeCase{
		{name: "no key", path: path, status: 401, check: hasHeader("WWW-Authenticate")},
		{name: "not a bearer key", path: path, key: "raw:Basic b3BzOnNlY3JldA==", status: 401},
		{name: "unknown key", path: path, key: "raw:Bearer ft_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", status: 401},
		{name: "malformed key", path: path, key: "raw:Bearer hunter2", status: 401},
		{name: "revoked key", path: path, key: "revoked", status: 401},
		{name: "wrong role", path: path, key: wrongRole, status: 403, check: errorCode("forbidden")},
	}
}

func hasHeader(name string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		if w.Header().Get(name) == "" {
			t.Errorf("no %s header", name)
		}
	}
}

func errorCode(code string, paths ...string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		t.Helper()
		e := decode[apiError](t, w)
		if e.Error.Code != code {
			t.Errorf("code %q, want %q: %s", e.Error.Code, code, w.Body)
		}
		for _, p := range paths {
			if !slices.Contains(e.paths(), p) {
				t.Errorf("fields %v do not name %q", e.paths(), p)
			}
		}
	}
}

func jsonField(field, want string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		t.Helper()
		got := decode[map[string]any](t, w)
		if got[field] != want {
			t.Errorf("%s = %v, want %q", field, got[field], want)
		}
	}
}

func TestWorkerRoutes(t *testing.T) {
	f := newFixture(t, true)
	timeline := func(n int) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, w *httptest.ResponseRecorder) {
			r := decode[struct {
				Timeline []struct {
					RecordedBy string `json:"recorded_by"`
				} `json:"timeline"`
			}](t, w)
			if len(r.Timeline) != n {
				t.Errorf("%d timeline entries, want %d", len(r.Timeline), n)
			}
			for _, e := range r.Timeline {
				if e.RecordedBy != "ops" {
					t.Errorf("recorded_by %q, want the admin key's organisation", e.RecordedBy)
				}
			}
		}
	}
	cases := []routeCase{
		{name: "admin reads a worker", path: "/v1/workers/w-a1", key: "admin", status: 200, check: jsonField("worker_id", "w-a1")},
		{name: "buyer reads its worker", path: "/v1/workers/w-a1", key: "buyerA", status: 200},
		{name: "buyer reads a worker of a shared job order", path: "/v1/workers/w-ab1", key: "buyerB", status: 200},
		{name: "another buyer's worker is not found", path: "/v1/workers/w-a1", key: "buyerB", status: 404, check: errorCode("not_found")},
		{name: "auditor reads the granting buyer's worker", path: "/v1/workers/w-a2", key: "auditorA", status: 200},
		{name: "auditor without the grant", path: "/v1/workers/w-b1", key: "auditorA", status: 404},
		{name: "auditor with no grant", path: "/v1/workers/w-a1", key: "auditorNone", status: 404},
		{name: "employer reads its worker", path: "/v1/workers/w-a2", key: "empA", status: 200},
		{name: "another employer's worker", path: "/v1/workers/w-b1", key: "empA", status: 404},
		{name: "engaged agency reads any worker of the job order", path: "/v1/workers/w-a2", key: "agA", status: 200},
		{name: "recruiter not engaged reads its own recruit", path: "/v1/workers/w-a2", key: "subA", status: 200},
		{name: "recruiter not engaged does not read the job order's other workers", path: "/v1/workers/w-a1", key: "subA", status: 404},
		{name: "agency of another job order", path: "/v1/workers/w-a1", key: "agB", status: 404},
		{name: "unknown worker", path: "/v1/workers/w-zzz", key: "admin", status: 404},
		{name: "malformed id", path: "/v1/workers/w$1", key: "admin", status: 400, check: errorCode("invalid_input", "id")},
		{name: "unknown parameter", path: "/v1/workers/w-a1?as_of=2024-01-01", key: "admin", status: 400,
			check: errorCode("invalid_input", "as_of")},
		{name: "history", path: "/v1/workers/w-a1/history", key: "buyerA", status: 200, check: timeline(2)},
		{name: "history as of a date", path: "/v1/workers/w-a1/history?as_of=2024-03-02", key: "buyerA", status: 200, check: timeline(1)},
		{name: "history known at an instant before the store knew it", path: "/v1/workers/w-a1/history?known_at=2020-01-01T00:00:00Z",
			key: "admin", status: 404},
		{name: "history as of before the worker existed", path: "/v1/workers/w-a1/history?as_of=2023-01-01", key: "admin", status: 404},
		{name: "history with a bad date", path: "/v1/workers/w-a1/history?as_of=yesterday", key: "admin", status: 400,
			check: errorCode("invalid_input", "as_of")},
		{name: "history given twice", path: "/v1/workers/w-a1/history?as_of=2024-01-01&as_of=2024-02-01", key: "admin", status: 400},
		{name: "history of another tenant's worker as of a date", path: "/v1/workers/w-b1/history?as_of=2025-01-01", key: "buyerA", status: 404},
		{name: "contracts", path: "/v1/workers/w-a1/contracts", key: "empA", status: 200, check: jsonField("job_order_id", "jo-a")},
		{name: "contracts of another tenant's worker", path: "/v1/workers/w-a1/contracts", key: "empB", status: 404},
		{name: "contracts with a bad known_at", path: "/v1/workers/w-a1/contracts?known_at=x", key: "admin", status: 400},
	}
	cases = append(cases, authCases("/v1/workers/w-a1", "metrics")...)
	cases = append(cases, authCases("/v1/workers/w-a1/history", "metrics")...)
	cases = append(cases, authCases("/v1/workers/w-a1/contracts", "metrics")...)
	runCases(t, f, cases)
}

func TestJobOrderRoute(t *testing.T) {
	f := newFixture(t, true)
	cases := []routeCase{
		{name: "admin", path: "/v1/job-orders/jo-a", key: "admin", status: 200, check: jsonField("employer_id", "emp-a")},
		{name: "named buyer", path: "/v1/job-orders/jo-a", key: "buyerA", status: 200},
		{name: "buyer not named", path: "/v1/job-orders/jo-b", key: "buyerA", status: 404},
		{name: "one of two buyers named", path: "/v1/job-orders/jo-ab", key: "buyerB", status: 200},
		{name: "its employer", path: "/v1/job-orders/jo-ab", key: "empA", status: 200},
		{name: "another employer", path: "/v1/job-orders/jo-a", key: "empB", status: 404},
		{name: "engaged agency", path: "/v1/job-orders/jo-b", key: "agB", status: 200},
		{name: "agency not engaged", path: "/v1/job-orders/jo-b", key: "agA", status: 404},
		{name: "a sub-agent that recruited for it but is not engaged", path: "/v1/job-orders/jo-a", key: "subA", status: 404},
		{name: "unknown", path: "/v1/job-orders/jo-zzz", key: "admin", status: 404},
		{name: "malformed id", path: "/v1/job-orders/-jo", key: "admin", status: 400},
		{name: "no parameters taken", path: "/v1/job-orders/jo-a?x=1", key: "admin", status: 400},
	}
	runCases(t, f, append(cases, authCases("/v1/job-orders/jo-a", "metrics")...))
}

func TestFlagsRoute(t *testing.T) {
	f := newFixture(t, true)
	codes := func(want ...string) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, w *httptest.ResponseRecorder) {
			t.Helper()
			p := decode[struct {
				Flags []struct{ Code, WorkerID string } `json:"flags"`
			}](t, w)
			var got []string
			for _, fl := range p.Flags {
				got = append(got, fl.Code)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("codes %v, want %v", got, want)
			}
		}
	}
	all := []string{"fee.prohibited", "chain.undisclosed_intermediary", "fee.illegitimate", "fee.illegitimate", "fee.prohibited"}
	cases := []routeCase{
		{name: "admin sees every flag", path: "/v1/flags", key: "admin", status: 200, check: codes(all...)},
		{name: "buyer sees its job orders' flags", path: "/v1/flags", key: "buyerA", status: 200,
			check: codes("fee.prohibited", "chain.undisclosed_intermediary", "fee.illegitimate", "fee.prohibited")},
		{name: "other buyer sees only its own and the shared job order", path: "/v1/flags", key: "buyerB", status: 200,
			check: codes("fee.illegitimate", "fee.illegitimate", "fee.prohibited")},
		{name: "auditor sees the granting buyer's", path: "/v1/flags?code=chain.", key: "auditorA", status: 200,
			check: codes("chain.undisclosed_intermediary")},
		{name: "auditor with no grant sees nothing", path: "/v1/flags", key: "auditorNone", status: 200, check: codes()},
		{name: "agency sees its job orders'", path: "/v1/flags", key: "agB", status: 200, check: codes("fee.illegitimate")},
		{name: "unengaged recruiter sees its recruits' flags", path: "/v1/flags", key: "subA", status: 200,
			check: codes("chain.undisclosed_intermediary")},
		{name: "unengaged recruiter may name its recruit", path: "/v1/flags?worker=w-a2", key: "subA", status: 200,
			check: codes("chain.undisclosed_intermediary")},
		{name: "unengaged recruiter may not name the job order", path: "/v1/flags?job_order=jo-a", key: "subA", status: 404},
		{name: "filter by worker", path: "/v1/flags?worker=w-a1", key: "admin", status: 200, check: codes("fee.prohibited")},
		{name: "filter by code prefix", path: "/v1/flags?code=fee.illegitimate", key: "admin", status: 200,
			check: codes("fee.illegitimate", "fee.illegitimate")},
		{name: "filter by employer", path: "/v1/flags?employer=emp-b", key: "admin", status: 200, check: codes("fee.illegitimate")},
		{name: "filter by agency", path: "/v1/flags?agency=sub-a", key: "admin", status: 200,
			check: codes("chain.undisclosed_intermediary")},
		{name: "filter by buyer", path: "/v1/flags?buyer=buyer-b", key: "admin", status: 200,
			check: codes("fee.illegitimate", "fee.illegitimate", "fee.prohibited")},
		{name: "as of before the fees", path: "/v1/flags?as_of=2024-03-03", key: "admin", status: 200,
			check: codes("chain.undisclosed_intermediary")},
		{name: "another buyer's worker is not found", path: "/v1/flags?worker=w-b1", key: "buyerA", status: 404},
		{name: "another buyer's job order is not found", path: "/v1/flags?job_order=jo-b", key: "buyerA", status: 404},
		{name: "naming another buyer is not found", path: "/v1/flags?buyer=buyer-b", key: "buyerA", status: 404},
		{name: "another employer's job order", path: "/v1/flags?job_order=jo-b", key: "empA", status: 404},
		{name: "unknown worker", path: "/v1/flags?worker=w-zzz", key: "admin", status: 404},
		{name: "bad code", path: "/v1/flags?code=FEE!", key: "admin", status: 400, check: errorCode("invalid_input", "code")},
		{name: "bad ids and dates, all named", path: "/v1/flags?worker=w$&agency=-a&known_at=soon", key: "admin", status: 400,
			check: errorCode("invalid_input", "worker", "agency", "known_at")},
		{name: "misspelt parameter", path: "/v1/flags?buyer_id=buyer-a", key: "admin", status: 400, check: errorCode("invalid_input", "buyer_id")},
		{name: "page size out of range", path: "/v1/flags?page_size=5000", key: "admin", status: 400, check: errorCode("invalid_input", "page_size")},
		{name: "forged page token", path: "/v1/flags?page_token=eyJrIjoiZmxhZ3MifQ.AAAA", key: "admin", status: 400,
			check: errorCode("invalid_input", "page_token")},
		{name: "CSV, scoped as JSON is", path: "/v1/flags", key: "buyerB", header: map[string]string{"Accept": "text/csv"},
			status: 200, check: csvRecords("code", "fee.illegitimate", "fee.illegitimate", "fee.prohibited")},
		{name: "unacceptable format", path: "/v1/flags", key: "admin", header: map[string]string{"Accept": "text/html"}, status: 406},
	}
	runCases(t, f, append(cases, authCases("/v1/flags", "metrics")...))
}

// csvRecords checks a CSV answer: its first column, header first, sorted after the header.
func csvRecords(want ...string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		t.Helper()
		if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		recs, err := csv.NewReader(w.Body).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, r[0])
		}
		if len(got) > 1 {
			slices.Sort(got[1:])
		}
		if !slices.Equal(got, want) {
			t.Errorf("first column %v, want %v", got, want)
		}
	}
}

func TestAuditRoute(t *testing.T) {
	f := newFixture(t, true)
	keysOf := func(want ...string) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, w *httptest.ResponseRecorder) {
			t.Helper()
			p := decode[struct {
				Rows []struct{ Key string } `json:"rows"`
			}](t, w)
			var got []string
			for _, r := range p.Rows {
				got = append(got, r.Key)
			}
			if !slices.Equal(got, want) {
				t.Errorf("rows %v, want %v", got, want)
			}
		}
	}
	csvRows := func(want int) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, w *httptest.ResponseRecorder) {
			t.Helper()
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Errorf("Content-Type %q", ct)
			}
			recs, err := csv.NewReader(w.Body).ReadAll()
			if err != nil || len(recs) != want+1 || recs[0][0] != "group" {
				t.Errorf("CSV %v (%v), want a header and %d rows", recs, err, want)
			}
		}
	}
	cases := []routeCase{
		{name: "admin, every buyer", path: "/v1/audit", key: "admin", status: 200, check: keysOf("buyer-a", "buyer-b")},
		{name: "admin by agency", path: "/v1/audit?by=agency", key: "admin", status: 200, check: keysOf("ag-a", "ag-b", "sub-a")},
		{name: "buyer defaults to itself", path: "/v1/audit", key: "buyerA", status: 200, check: keysOf("buyer-a")},
		{name: "buyer by agency sees its chain only", path: "/v1/audit?by=agency", key: "buyerB", status: 200, check: keysOf("ag-a", "ag-b")},
		{name: "buyer by job order", path: "/v1/audit?by=job-order", key: "buyerA", status: 200, check: keysOf("jo-a", "jo-ab")},
		{name: "auditor defaults to its only buyer", path: "/v1/audit?by=employer", key: "auditorA", status: 200, check: keysOf("emp-a")},
		{name: "as of", path: "/v1/audit?as_of=2023-06-30", key: "buyerA", status: 200, check: keysOf()},
		{name: "CSV", path: "/v1/audit?by=job-order", key: "buyerA", header: map[string]string{"Accept": "text/csv"}, status: 200,
			check: csvRows(2)},
		{name: "another buyer", path: "/v1/audit?buyer=buyer-b", key: "buyerA", status: 404},
		{name: "auditor naming a buyer that did not grant", path: "/v1/audit?buyer=buyer-b", key: "auditorA", status: 404},
		{name: "auditor with no grant must name a buyer", path: "/v1/audit", key: "auditorNone", status: 400, check: errorCode("invalid_input", "buyer")},
		{name: "employers do not read audits", path: "/v1/audit", key: "empA", status: 403},
		{name: "agencies do not read audits", path: "/v1/audit", key: "agA", status: 403},
		{name: "unknown grouping", path: "/v1/audit?by=country", key: "admin", status: 400, check: errorCode("invalid_input", "by")},
		{name: "unacceptable format", path: "/v1/audit", key: "admin", header: map[string]string{"Accept": "image/png"}, status: 406},
	}
	runCases(t, f, append(cases, authCases("/v1/audit", "metrics")...))
}

func TestServiceRoutes(t *testing.T) {
	f := newFixture(t, true)
	cases := []routeCase{
		{name: "healthz", path: "/healthz", status: 200, check: jsonField("status", "ok")},
		{name: "readyz", path: "/readyz", status: 200, check: jsonField("status", "ready")},
		{name: "openapi", path: "/openapi.yaml", status: 200},
		{name: "metrics with the metrics key", path: "/metrics", key: "metrics", status: 200},
		{name: "metrics with an admin key", path: "/metrics", key: "admin", status: 200},
		{name: "no route", path: "/v1/nothing", key: "admin", status: 404},
		{name: "method not allowed", method: "DELETE", path: "/v1/flags", key: "admin", status: 405},
		{name: "no trailing-slash redirect", path: "/v1/flags/", key: "admin", status: 404},
	}
	runCases(t, f, append(cases, authCases("/metrics", "buyerA")...))
}

func TestRequestIDs(t *testing.T) {
	f := newFixture(t, false)
	w := f.do("GET", "/healthz", "", nil, map[string]string{"X-Request-Id": "client-42"})
	if got := w.Header().Get("X-Request-Id"); got != "client-42" {
		t.Errorf("a sensible client id is kept: got %q", got)
	}
	w = f.do("GET", "/healthz", "", nil, map[string]string{"X-Request-Id": "<script>"})
	if got := w.Header().Get("X-Request-Id"); got == "<script>" || len(got) != 32 {
		t.Errorf("a strange client id is replaced: got %q", got)
	}
	if !strings.Contains(f.logs.String(), `"request_id":"client-42"`) {
		t.Errorf("access log lacks the request id:\n%s", f.logs)
	}
}
