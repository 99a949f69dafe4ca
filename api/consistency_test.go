package api_test

import (
	"context"
	"encoding/json"
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

// TestASoleWritersReadSeesWhatWasAnsweredBeforeIt runs a server that is its store's sole writer with no
// follower: a write answers once the read model has applied it, so the read after it sees it; an event
// appended behind the server's back (which a sole writer's store cannot receive) is not caught up by a read,
// which waits only for the writes answered before it.
func TestASoleWritersReadSeesWhatWasAnsweredBeforeIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	model, err := readmodel.Open(filepath.Join(dir, "model"), readmodel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	ctx := context.Background()
	if _, err := model.CatchUp(ctx, store); err != nil {
		t.Fatal(err)
	}
	kf := keys.Open(filepath.Join(dir, "keys.json"), keys.Options{})
	secret, _, err := kf.Create("ops", keys.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Store: store, Model: model, SoleWriter: true, Keys: kf,
		Registry: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	body, err := json.Marshal(map[string]any{"events": scenario()})
	if err != nil {
		t.Fatal(err)
	}
	if w := call(http.MethodPost, "/v1/events", body); w.Code != http.StatusCreated {
		t.Fatalf("POST /v1/events: %d %s", w.Code, w.Body)
	}
	head, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cp, err := model.Checkpoint(ctx); err != nil || cp.Position != head {
		t.Fatalf("after the write's answer the model is at %+v (%v), want the store's head %s", cp, err, head)
	}
	if w := call(http.MethodGet, "/v1/workers/w-a1", nil); w.Code != http.StatusOK {
		t.Fatalf("the worker just written: %d %s", w.Code, w.Body)
	}
	e := storetest.Event(t, "w-behind", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, err := store.Append(ctx, eventstore.AppendRequest{Stream: "worker-w-behind", Events: []eventstore.Proposed{e}}); err != nil {
		t.Fatal(err)
	}
	if w := call(http.MethodGet, "/v1/flags?page_size=10", nil); w.Code != http.StatusOK {
		t.Fatalf("a page: %d %s", w.Code, w.Body)
	}
	if cp, err := model.Checkpoint(ctx); err != nil || cp.Position != head {
		t.Fatalf("a read caught the model up to %+v (%v) for an event no write answered; want it left at %s", cp, err, head)
	}
}
