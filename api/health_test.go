package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// bareServer is an API over its own embedded store holding events events of worker w-1 and a read model in
// its own directory, which no follower keeps caught up: each test moves the model itself. get answers a GET
// with an admin key.
type bareServer struct {
	store eventstore.Store
	model *readmodel.Model
	srv   *api.Server
	get   func(path string) *httptest.ResponseRecorder
}

func newBareServer(t *testing.T, events int, modelDir string) *bareServer {
	t.Helper()
	dir := t.TempDir()
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for i := range events {
		appendArrival(t, store, i)
	}
	kf := keys.Open(filepath.Join(dir, "keys.json"), keys.Options{})
	secret, _, err := kf.Create("ops", keys.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	model, err := readmodel.Open(modelDir, readmodel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { model.Close() })
	srv, err := api.New(api.Config{Store: store, Model: model, Keys: kf, Registry: prometheus.NewRegistry(),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	return &bareServer{store: store, model: model, srv: srv, get: get}
}

// appendArrival appends the i-th event of worker w-1 to store, as another writer than the server would.
func appendArrival(t *testing.T, store eventstore.Store, i int) {
	t.Helper()
	e := storetest.Event(t, "w-1", time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
	if _, err := store.Append(t.Context(), eventstore.AppendRequest{Stream: "worker-w-1", Events: []eventstore.Proposed{e}}); err != nil {
		t.Fatal(err)
	}
}

// follow runs the model's follower until the test ends.
func (b *bareServer) follow(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.model.Follow(ctx, b.store, 10*time.Millisecond) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitReady polls /readyz until it answers 200.
func (b *bareServer) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for b.get("/readyz").Code != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNotReadyUntilCaughtUp: before the read model has caught up with the store, /readyz answers 503 and
// reads answer 503 rather than an incomplete answer; once it has, both answer.
func TestNotReadyUntilCaughtUp(t *testing.T) {
	t.Parallel()
	b := newBareServer(t, 5, t.TempDir())
	if w := b.get("/readyz"); w.Code != http.StatusServiceUnavailable || decode[map[string]any](t, w)["status"] != "starting" {
		t.Errorf("readyz before the model ran: %d %s", w.Code, w.Body)
	}
	if w := b.get("/v1/flags"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a read before the model caught up: %d %s", w.Code, w.Body)
	}
	if w := b.get("/healthz"); w.Code != http.StatusOK {
		t.Errorf("healthz: %d", w.Code)
	}
	b.follow(t)
	b.waitReady(t)
	if w := b.get("/v1/workers/w-1"); w.Code != http.StatusOK {
		t.Errorf("read once caught up: %d %s", w.Code, w.Body)
	}
}

// TestNotReadyOverAModelAheadOfItsStore: a model whose checkpoint is past the store's head (a store restored
// from an older backup) is not ready because its checkpoint is not behind: ready means a catch-up of this
// server completed, which rebuilds that model first.
func TestNotReadyOverAModelAheadOfItsStore(t *testing.T) {
	t.Parallel()
	modelDir := t.TempDir()
	ahead := newBareServer(t, 8, modelDir)
	if _, err := ahead.model.CatchUp(t.Context(), ahead.store); err != nil {
		t.Fatal(err)
	}
	ahead.model.Close()
	b := newBareServer(t, 3, modelDir) // the same model, over a store of fewer events
	if w := b.get("/readyz"); w.Code != http.StatusServiceUnavailable || decode[map[string]any](t, w)["status"] != "starting" {
		t.Errorf("readyz over a model ahead of its store, before any catch-up: %d %s", w.Code, w.Body)
	}
	b.follow(t)
	b.waitReady(t)
	cp, _, err := b.model.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if head, err := b.store.Head(t.Context()); err != nil || cp.Position != head {
		t.Errorf("ready with the model at %v, the store's head at %v (%v): not rebuilt", cp.Position, head, err)
	}
}

// TestAScrapeReadsTheModelAsItIs: /metrics answers from the model as it is, never catching it up (its
// follower does, and a scrape waiting for a catch-up in progress took as long as it): events another writer
// appended show as the store's head moving on, not in the model's position.
func TestAScrapeReadsTheModelAsItIs(t *testing.T) {
	t.Parallel()
	b := newBareServer(t, 5, t.TempDir())
	if _, err := b.model.CatchUp(t.Context(), b.store); err != nil {
		t.Fatal(err)
	}
	b.waitReady(t)
	before := b.get("/metrics").Body.String()
	appendArrival(t, b.store, 5)
	appendArrival(t, b.store, 6)
	after := b.get("/metrics").Body.String()
	if got, want := metricLine(t, after, "fairtrail_projection_position"), metricLine(t, before, "fairtrail_projection_position"); got != want {
		t.Errorf("a scrape moved the model on: position %s, was %s", got, want)
	}
	if got, was := metricLine(t, after, "fairtrail_store_head_position"), metricLine(t, before, "fairtrail_store_head_position"); got == was {
		t.Errorf("the store's head did not move in the scrape: %s", got)
	}
	if cp, _, err := b.model.Status(t.Context()); err != nil || cp.Position == mustHead(t, b.store) {
		t.Errorf("the model caught up during a scrape (%v)", err)
	}
}

// metricLine is the value of the unlabelled series name in a scrape.
func metricLine(t *testing.T, scrape, name string) string {
	t.Helper()
	for line := range strings.Lines(scrape) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			return v
		}
	}
	t.Fatalf("no series %s in\n%s", name, scrape)
	return ""
}

func mustHead(t *testing.T, store eventstore.Store) eventstore.Position {
	t.Helper()
	head, err := store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return head
}

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	if _, err := api.New(api.Config{}); err == nil {
		t.Error("New accepted a config without a store, model, keys, registry or logger")
	}
	f := newFixture(t, false)
	_ = f
	reg := prometheus.NewRegistry()
	cfg := api.Config{Store: f.store, Model: f.readModel, Keys: f.keys, Registry: reg, Logger: slog.New(slog.DiscardHandler)}
	if _, err := api.New(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := api.New(cfg); err == nil {
		t.Error("New registered its metrics twice on one registry")
	}
}
