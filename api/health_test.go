package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// TestNotReadyUntilCaughtUp: before the read model has caught up with the store, /readyz answers 503 and
// reads answer 503 rather than an incomplete answer; once it has, both answer.
func TestNotReadyUntilCaughtUp(t *testing.T) {
	dir := t.TempDir()
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for i := range 5 {
		e := storetest.Event(t, "w-1", time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
		if _, err := store.Append(ctx, eventstore.AppendRequest{Stream: "worker-w-1", Events: []eventstore.Proposed{e}}); err != nil {
			t.Fatal(err)
		}
	}
	kf := keys.Open(filepath.Join(dir, "keys.json"), keys.Options{})
	secret, _, err := kf.Create("ops", keys.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	model, err := readmodel.Open(filepath.Join(dir, "model"), readmodel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
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
	if w := get("/readyz"); w.Code != http.StatusServiceUnavailable || decode[map[string]any](t, w)["status"] != "starting" {
		t.Errorf("readyz before the model ran: %d %s", w.Code, w.Body)
	}
	if w := get("/v1/flags"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a read before the model caught up: %d %s", w.Code, w.Body)
	}
	if w := get("/healthz"); w.Code != http.StatusOK {
		t.Errorf("healthz: %d", w.Code)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- model.Follow(runCtx, store, 10*time.Millisecond) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for get("/readyz").Code != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if w := get("/v1/workers/w-1"); w.Code != http.StatusOK {
		t.Errorf("read once caught up: %d %s", w.Code, w.Body)
	}
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
