package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // gin's debug printing to stdout
	os.Exit(m.Run())
}

// fixture is a real API over a real embedded store, its persisted read model following it, as serve runs
// them, and a key file.
type fixture struct {
	t         testing.TB
	store     *embedded.Store
	readModel *readmodel.Model
	srv       *api.Server
	keys      *keys.File
	keyFile   string            // the key file's path
	key       map[string]string // key name -> secret
	logs      *syncWriter
}

// Key names of the scenario, with their organisation and role.
var scenarioKeys = []struct{ name, org, role string }{
	{"admin", "ops", keys.RoleAdmin},
	{"metrics", "ops", keys.RoleMetrics},
	{"buyerA", "buyer-a", keys.RoleBuyer},
	{"buyerB", "buyer-b", keys.RoleBuyer},
	{"auditorA", "aud-1", keys.RoleAuditor},
	{"auditorNone", "aud-2", keys.RoleAuditor},
	{"empA", "emp-a", keys.RoleEmployer},
	{"empB", "emp-b", keys.RoleEmployer},
	{"agA", "ag-a", keys.RoleAgency},
	{"agB", "ag-b", keys.RoleAgency},
	{"subA", "sub-a", keys.RoleAgency},
	{"unionA", "union-1", keys.RoleWorkerOrganisation},
	{"unionB", "union-2", keys.RoleWorkerOrganisation},
	{"revoked", "buyer-a", keys.RoleBuyer},
}

type fixtureOption func(*api.Config)

func withLimits(l api.Limits) fixtureOption { return func(c *api.Config) { c.Limits = l } }

// newFixture starts an API with the scenario's keys; seed, when true, records the scenario through it.
func newFixture(t testing.TB, seed bool, opts ...fixtureOption) *fixture {
	t.Helper()
	dir := t.TempDir()
	store, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncWriter{w: &bytes.Buffer{}}
	model, err := readmodel.Open(filepath.Join(dir, "model"), readmodel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "keys.json")
	f := &fixture{t: t, store: store, readModel: model, keys: keys.Open(keyFile, keys.Options{}), keyFile: keyFile,
		key: map[string]string{}, logs: logs}
	for _, k := range scenarioKeys {
		secret, _, err := f.keys.Create(k.org, k.role)
		if err != nil {
			t.Fatal(err)
		}
		f.key[k.name] = secret
	}
	for _, g := range [][2]string{{"aud-1", "buyer-a"}, {"union-1", "buyer-a"}, {"union-2", "buyer-a"}} {
		if err := f.keys.Grant(g[0], g[1]); err != nil {
			t.Fatal(err)
		}
	}
	ks, _, _ := f.keys.List()
	if _, err := f.keys.Revoke(ks[len(ks)-1].ID); err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{Store: store, Model: model, Keys: f.keys, Links: keys.OpenLinks(filepath.Join(dir, "links.json"), keys.Options{}),
		Registry: prometheus.NewRegistry(),
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)), SpoolDir: dir,
		// A write waits up to a minute for the model (5 s in production): under -race on a loaded machine a
		// catch-up took longer than 5 s and an agency's post answered 503, which is not what these tests check.
		Limits: api.Limits{MetricsRefresh: time.Nanosecond, ConsistencyWait: time.Minute}}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Currency != "" && cfg.Model == model { // as serve's model keeps its reporting currency's totals
		if err := model.Track(t.Context(), cfg.Currency); err != nil {
			t.Fatal(err)
		}
	}
	if f.srv, err = api.New(cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cfg.Model.Follow(ctx, store, 10*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("read model follower: %v", err)
		}
		cfg.Model.Close()
		store.Close()
	})
	f.waitReady()
	if seed {
		f.mustPost("admin", scenario())
	}
	return f
}

// syncWriter lets the logger be written from many requests at once.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// String is what was written so far.
func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.w)
}

func (f *fixture) waitReady() {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r := f.do("GET", "/readyz", "", nil, nil); r.Code == http.StatusOK {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.t.Fatal("API not ready after 10 s")
}

// do sends a request; key names a scenario key ("" for none, "raw:..." for a literal header value).
func (f *fixture) do(method, path, key string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	f.t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	switch {
	case strings.HasPrefix(key, "raw:"):
		req.Header.Set("Authorization", strings.TrimPrefix(key, "raw:"))
	case key != "":
		secret, ok := f.key[key]
		if !ok {
			f.t.Fatalf("no key %q", key)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != nil && method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func (f *fixture) get(path, key string) *httptest.ResponseRecorder {
	return f.do("GET", path, key, nil, nil)
}

func (f *fixture) post(key string, body any) *httptest.ResponseRecorder {
	f.t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			f.t.Fatal(err)
		}
	}
	return f.do("POST", "/v1/events", key, b, nil)
}

func (f *fixture) mustPost(key string, body any) *httptest.ResponseRecorder {
	f.t.Helper()
	w := f.post(key, body)
	if w.Code != http.StatusCreated {
		f.t.Fatalf("POST /v1/events as %s: %d %s", key, w.Code, w.Body)
	}
	return w
}

// decode reads a JSON answer into v.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

// apiError is the error body.
type apiError struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
		Fields    []struct {
			Path    string `json:"path"`
			Problem string `json:"problem"`
		} `json:"fields"`
		Lines []struct {
			Line int `json:"line"`
		} `json:"lines"`
	} `json:"error"`
}

func (e apiError) paths() []string {
	var out []string
	for _, f := range e.Error.Fields {
		out = append(out, f.Path)
	}
	return out
}

// ev is an envelope.
func ev(id, typ, at string, data map[string]any) map[string]any {
	e := map[string]any{"type": typ, "occurred_at": at, "data": data}
	if id != "" {
		e["event_id"] = id
	}
	return e
}

// uuid makes a fixed event id from a number.
func uuid(n int) string { return fmt.Sprintf("0190b6a4-0000-7000-8000-%012d", n) }

func terms(employer, country string) map[string]any {
	return map[string]any{"position": "sewing machine operator", "employer_id": employer,
		"worksite":       map[string]any{"country": country, "city": "Penang"},
		"wage":           map[string]any{"amount": "1500.00", "currency": "MYR", "per": "month"},
		"hours_per_week": 48, "rest_days_per_week": 1, "duration_months": 24}
}

func fee(n int, worker, category, amount string) map[string]any {
	return ev(uuid(n), "FeePaid", "2024-03-04T09:00:00Z", map[string]any{"worker_id": worker, "fee_id": fmt.Sprintf("fee-%d", n),
		"category": category, "amount": map[string]any{"amount": amount, "currency": "NPR"}, "payer": "worker",
		"payee_id": "ag-a", "method": "cash"})
}

func recruit(n int, worker, jo, by string) map[string]any {
	return ev(uuid(n), "WorkerRecruited", "2024-03-01T09:00:00Z", map[string]any{"worker_id": worker, "job_order_id": jo,
		"origin_country": "NP", "recruited_by": by, "languages": []string{"ne"}})
}

func issue(n int, jo, employer string, buyers ...string) map[string]any {
	return ev(uuid(n), "JobOrderIssued", "2024-01-01T09:00:00Z", map[string]any{"job_order_id": jo, "employer_id": employer,
		"buyer_ids": buyers, "headcount": 10, "origin_countries": []string{"NP"}, "terms": terms(employer, "MY")})
}

func engage(n int, jo, agency, by string) map[string]any {
	return ev(uuid(n), "AgencyEngaged", "2024-01-02T09:00:00Z", map[string]any{"job_order_id": jo, "agency_id": agency,
		"role": "origin_agency", "engaged_by": by})
}

// scenario: two buyers' supply chains and one job order shared by both.
//
//	jo-a   emp-a for buyer-a, ag-a engaged; w-a1 (ag-a, a recruitment fee), w-a2 (sub-a, not engaged)
//	jo-b   emp-b for buyer-b, ag-b engaged; w-b1 (ag-b, a deposit)
//	jo-ab  emp-a for buyer-a and buyer-b; w-ab1 (ag-a, a deposit)
//
// The agencies and the sub-agent hold licences valid to the end of 2030.
func scenario() []map[string]any {
	org := func(n int, id, role string) map[string]any {
		data := map[string]any{"org_id": id, "name": "Org " + id, "role": role, "country": "MY"}
		if role == "agency" || role == "sub_agent" {
			data["licence"] = map[string]any{"authority": "JTKSM", "number": "L-" + id, "valid_until": "2030-12-31"}
		}
		return ev(uuid(n), "OrganisationRegistered", "2023-12-01T00:00:00Z", data)
	}
	return []map[string]any{
		org(1, "buyer-a", "buyer"), org(2, "buyer-b", "buyer"), org(3, "emp-a", "employer"), org(4, "emp-b", "employer"),
		org(5, "ag-a", "agency"), org(6, "ag-b", "agency"), org(7, "sub-a", "sub_agent"),
		ev(uuid(8), "PolicyAdopted", "2023-12-01T00:00:00Z", map[string]any{"policy_id": "pol-a", "name": "Buyer A code",
			"scope": map[string]any{"buyer_id": "buyer-a"}, "effective_from": "2023-01-01", "authority": "buyer code",
			"rules": []any{map[string]any{"category": "*", "max": map[string]any{"amount": "0"}}}}),
		issue(10, "jo-a", "emp-a", "buyer-a"), engage(11, "jo-a", "ag-a", "emp-a"),
		issue(12, "jo-b", "emp-b", "buyer-b"), engage(13, "jo-b", "ag-b", "emp-b"),
		issue(14, "jo-ab", "emp-a", "buyer-a", "buyer-b"), engage(15, "jo-ab", "ag-a", "emp-a"),
		recruit(20, "w-a1", "jo-a", "ag-a"), fee(21, "w-a1", "recruitment_fee", "80000.00"),
		recruit(22, "w-a2", "jo-a", "sub-a"),
		recruit(23, "w-b1", "jo-b", "ag-b"), fee(24, "w-b1", "deposit", "5000.00"),
		recruit(25, "w-ab1", "jo-ab", "ag-a"), fee(26, "w-ab1", "deposit", "7000.00"),
	}
}
