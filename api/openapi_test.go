package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/fairtrail/fairtrail/api"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// TestOpenAPIMatchesTheRoutes: the document validates and describes exactly the routes registered.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	f := newFixture(t, false)
	var documented, registered []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	for _, r := range f.srv.Routes() {
		registered = append(registered, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Errorf("documented routes\n  %s\nregistered routes\n  %s", strings.Join(documented, "\n  "), strings.Join(registered, "\n  "))
	}
	if len(registered) < 12 {
		t.Errorf("only %d routes registered", len(registered))
	}
	if w := f.get("/openapi.yaml", ""); !bytes.Equal(w.Body.Bytes(), api.OpenAPI()) {
		t.Error("GET /openapi.yaml does not serve the document")
	}
}

// TestResponsesMatchTheOpenAPI validates real answers, successes and failures of every route, against the
// document: each status must be documented for its route and each JSON body must match its schema.
func TestResponsesMatchTheOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	f := newFixture(t, true)
	nd := map[string]string{"Content-Type": "application/x-ndjson"}
	cases := []struct {
		method, route, path, key string
		body                     []byte
		header                   map[string]string
	}{
		{"GET", "/healthz", "/healthz", "", nil, nil},
		{"GET", "/readyz", "/readyz", "", nil, nil},
		{"GET", "/openapi.yaml", "/openapi.yaml", "", nil, nil},
		{"GET", "/metrics", "/metrics", "metrics", nil, nil},
		{"GET", "/metrics", "/metrics", "", nil, nil},
		{"GET", "/metrics", "/metrics", "buyerA", nil, nil},
		{"POST", "/v1/events", "/v1/events", "admin", mustJSON(t, org(700, "o-700")), nil},
		{"POST", "/v1/events", "/v1/events", "admin", mustJSON(t, []any{org(701, "bad id!")}), nil},
		{"POST", "/v1/events", "/v1/events", "admin", mustJSON(t, map[string]any{"events": []any{fee(702, "w-a1", "visa", "1.00")},
			"expected_revision": map[string]any{"worker-w-a1": 0}}), nil},
		{"POST", "/v1/events", "/v1/events", "agA", mustJSON(t, fee(703, "w-b1", "visa", "1.00")), nil},
		{"POST", "/v1/events", "/v1/events", "buyerA", mustJSON(t, org(704, "o-704")), nil},
		{"POST", "/v1/events", "/v1/events", "auditorA", mustJSON(t, []any{workerReport(709, "w-a1", "rep-oa", "interview"),
			reportResolved(710, "w-a1", "rep-oa", "substantiated")}), nil},
		{"POST", "/v1/events", "/v1/events", "", mustJSON(t, org(705, "o-705")), nil},
		{"POST", "/v1/events", "/v1/events", "admin", []byte("{}"), map[string]string{"Content-Type": "text/plain"}},
		{"POST", "/v1/import", "/v1/import", "admin", ndjson(t, org(706, "o-706")), nd},
		{"POST", "/v1/import", "/v1/import", "admin", ndjson(t, org(707, "bad id!")), nd},
		{"POST", "/v1/import", "/v1/import", "empA", ndjson(t, org(708, "o-708")), nd},
		{"GET", "/v1/workers/{id}", "/v1/workers/w-a1", "buyerA", nil, nil},
		{"GET", "/v1/workers/{id}", "/v1/workers/w-a1", "buyerB", nil, nil},
		{"GET", "/v1/workers/{id}", "/v1/workers/w$", "admin", nil, nil},
		{"GET", "/v1/workers/{id}", "/v1/workers/w-a1", "metrics", nil, nil},
		{"GET", "/v1/workers/{id}/history", "/v1/workers/w-a1/history", "admin", nil, nil},
		{"GET", "/v1/workers/{id}/history", "/v1/workers/w-a1/history?as_of=2024-03-02", "admin", nil, nil},
		{"GET", "/v1/workers/{id}/contracts", "/v1/workers/w-a1/contracts", "admin", nil, nil},
		{"GET", "/v1/job-orders/{id}", "/v1/job-orders/jo-a", "empA", nil, nil},
		{"GET", "/v1/job-orders/{id}", "/v1/job-orders/jo-a", "empB", nil, nil},
		{"GET", "/v1/flags", "/v1/flags?page_size=2", "admin", nil, nil},
		{"GET", "/v1/flags", "/v1/flags?code=X", "admin", nil, nil},
		{"GET", "/v1/flags", "/v1/flags?worker=w-b1", "buyerA", nil, nil},
		{"GET", "/v1/flags", "/v1/flags", "buyerA", nil, map[string]string{"Accept": "text/csv"}},
		{"GET", "/v1/flags", "/v1/flags", "buyerA", nil, map[string]string{"Accept": "image/png"}},
		{"GET", "/v1/audit", "/v1/audit?by=agency", "buyerA", nil, nil},
		{"GET", "/v1/audit", "/v1/audit", "buyerA", nil, map[string]string{"Accept": "text/csv"}},
		{"GET", "/v1/audit", "/v1/audit", "buyerA", nil, map[string]string{"Accept": "image/png"}},
		{"GET", "/v1/audit", "/v1/audit", "agA", nil, nil},
		{"GET", "/v1/agencies", "/v1/agencies?currency=USD", "buyerA", nil, nil},
		{"GET", "/v1/agencies", "/v1/agencies?as_of=2025-01-01", "empA", nil, nil},
		{"GET", "/v1/agencies", "/v1/agencies", "admin", nil, map[string]string{"Accept": "text/csv"}},
		{"GET", "/v1/agencies", "/v1/agencies?sort=worst", "admin", nil, nil},
		{"GET", "/v1/agencies", "/v1/agencies?buyer=buyer-b", "buyerA", nil, nil},
		{"GET", "/v1/agencies", "/v1/agencies?page_size=1&min_workers=1", "admin", nil, nil},
		{"GET", "/v1/agencies", "/v1/agencies?page_size=0", "admin", nil, nil},
		{"GET", "/v1/audit", "/v1/audit?by=agency&currency=USD", "buyerA", nil, nil},
		{"GET", "/v1/audit", "/v1/audit?currency=usd", "buyerA", nil, nil},
		{"GET", "/v1/flags", "/v1/flags?currency=MYR", "admin", nil, nil},
		{"GET", "/v1/workers/{id}", "/v1/workers/w-a1?currency=USD", "buyerA", nil, nil},
		{"GET", "/v1/workers/{id}/history", "/v1/workers/w-a1/history?currency=EUR", "admin", nil, nil},
		{"POST", "/v1/workers/{id}/links", "/v1/workers/w-a1/links", "empA", []byte(`{"expires":"30d"}`), nil},
		{"POST", "/v1/workers/{id}/links", "/v1/workers/w-a1/links", "empA", []byte(`{"expires":"1y"}`), nil},
		{"POST", "/v1/workers/{id}/links", "/v1/workers/w-a1/links", "buyerA", nil, nil},
		{"POST", "/v1/workers/{id}/links", "/v1/workers/w-a1/links", "empB", nil, nil},
		{"GET", "/v1/workers/{id}/links", "/v1/workers/w-a1/links", "auditorA", nil, nil},
		{"DELETE", "/v1/workers/{id}/links/{link_id}", "/v1/workers/w-a1/links/link_000000000000", "admin", nil, nil},
	}
	statuses := map[int]bool{}
	for _, tc := range cases {
		w := f.do(tc.method, tc.path, tc.key, tc.body, tc.header)
		statuses[w.Code] = true
		if err := validateResponse(doc, tc.method, tc.route, tc.path, w); err != nil {
			t.Errorf("%s %s as %q: %d does not match the document: %v\n%s", tc.method, tc.path, tc.key, w.Code, err,
				firstBytes(w.Body.Bytes(), 400))
		}
	}
	for _, st := range []int{200, 201, 400, 401, 403, 404, 406, 409, 415} {
		if !statuses[st] {
			t.Errorf("no case answered %d", st)
		}
	}
}

func validateResponse(doc *openapi3.T, method, route, path string, w *httptest.ResponseRecorder) error {
	item := doc.Paths.Value(route)
	if item == nil {
		return errNoRoute
	}
	req := httptest.NewRequest(method, path, nil)
	r := &routers.Route{Spec: doc, Path: route, PathItem: item, Method: method, Operation: item.GetOperation(method)}
	ct := w.Header().Get("Content-Type")
	opts := &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: !strings.HasPrefix(ct, "application/json")}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: r, Options: opts},
		Status:                 w.Code, Header: w.Header(), Body: io.NopCloser(bytes.NewReader(w.Body.Bytes())), Options: opts,
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

var errNoRoute = http.ErrNotSupported

func firstBytes(b []byte, n int) []byte { return b[:min(len(b), n)] }

// TestEventSchemasMatchTheGoldenData: the domain's golden data of section 8's events (every optional field set)
// validates against the document's schemas, and a misspelt field does not.
func TestEventSchemasMatchTheGoldenData(t *testing.T) {
	doc := loadOpenAPI(t)
	for typ, schema := range map[string]string{"WorkerReported": "WorkerReportedData",
		"WorkerReportResolved": "WorkerReportResolvedData"} {
		t.Run(typ, func(t *testing.T) {
			ref := doc.Components.Schemas[schema]
			if ref == nil {
				t.Fatalf("no schema %s", schema)
			}
			raw, err := os.ReadFile(filepath.Join("..", "domain", "testdata", "golden", typ+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var data map[string]any
			if err := json.Unmarshal(raw, &data); err != nil {
				t.Fatal(err)
			}
			if err := ref.Value.VisitJSON(data); err != nil {
				t.Errorf("golden %s does not match %s: %v", typ, schema, err)
			}
			data["reportid"] = "x"
			if err := ref.Value.VisitJSON(data); err == nil {
				t.Errorf("%s accepts an unknown field", schema)
			}
		})
	}
}
