package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// apiFigures are measured through the HTTP API served on a loopback address.
type apiFigures struct {
	APIPostEvents     int     `json:"api_post_events"`
	APIPostEventsPerS float64 `json:"api_post_events_per_s"`
	APIPostP50Ms      float64 `json:"api_post_p50_ms"`
	APIPostP99Ms      float64 `json:"api_post_p99_ms"`
	APIWarmMs         float64 `json:"api_warm_ms"`
	APIFlagsP50Ms     float64 `json:"api_flags_p50_ms"`
	APIFlagsP99Ms     float64 `json:"api_flags_p99_ms"`
	// APIRSSBytes is the bench process's RSS once the API phase is over, and APIRSSGrowthBytes how much it grew
	// during it: the server's share (the process also holds the bench's dataset).
	APIRSSBytes       int64 `json:"api_rss_bytes"`
	APIRSSGrowthBytes int64 `json:"api_rss_growth_bytes"`
}

// benchKey authenticates every request as an administrator.
type benchKey struct{}

// Authenticate implements api.Authenticator.
func (benchKey) Authenticate(string) (keys.Identity, error) {
	return keys.Identity{KeyID: "bench", Org: benchRecordedBy, Role: keys.RoleAdmin}, nil
}

// benchAPI serves the API over the store with a persisted read model following it, as `fairtrail serve` does,
// and measures: the model's rebuild before the first request (the warm-up); the posted streams appended by
// benchWriters clients one event per POST /v1/events (each with its exact expected revision); then GET
// /v1/flags?worker=ID for a random sample of workers; and the process's RSS growth over the phase.
func benchAPI(ctx context.Context, s eventstore.Store, posted []heldStream, cfg benchConfig, prof profiler) (af apiFigures, err error) {
	rssBefore := procStatusBytes("VmRSS")
	dir, err := os.MkdirTemp("", "fairtrail-bench-api-model-")
	if err != nil {
		return af, err
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.DiscardHandler)
	model, err := readmodel.Open(dir, readmodel.Options{Logger: logger})
	if err != nil {
		return af, err
	}
	defer model.Close()
	start := time.Now()
	if _, err := model.CatchUp(ctx, s); err != nil {
		return af, fmt.Errorf("bench: read model: %w", err)
	}
	af.APIWarmMs = ms(time.Since(start))
	ctx, cancel := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() { followed <- model.Follow(ctx, s, 100*time.Millisecond) }()
	defer func() {
		cancel()
		if ferr := <-followed; err == nil && !errors.Is(ferr, context.Canceled) {
			err = fmt.Errorf("bench: read model follower: %w", ferr)
		}
	}()
	gin.SetMode(gin.ReleaseMode) // gin's own debug printing; the API logs through slog
	h, err := api.New(api.Config{Store: s, Model: model, Keys: benchKey{}, Registry: prometheus.NewRegistry(), Logger: logger})
	if err != nil {
		return af, err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchWriters}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	var lat []time.Duration
	var took time.Duration
	if err := prof.phase("api-post", func() (err error) {
		lat, took, err = apiPosts(ctx, client, srv.URL, posted)
		return err
	}); err != nil {
		return af, err
	}
	af.APIPostEvents, af.APIPostEventsPerS = len(lat), perSecond(len(lat), took)
	af.APIPostP50Ms, af.APIPostP99Ms = percentileMs(lat, 0.50), percentileMs(lat, 0.99)
	if _, err := model.CatchUp(ctx, s); err != nil {
		return af, fmt.Errorf("bench: read model: %w", err)
	}
	sample, err := sampleWorkers(ctx, model, cfg)
	if err != nil {
		return af, err
	}
	if err := prof.phase("api-flags", func() (err error) {
		lat, err = apiFlags(ctx, client, srv.URL, sample)
		return err
	}); err != nil {
		return af, err
	}
	af.APIFlagsP50Ms, af.APIFlagsP99Ms = percentileMs(lat, 0.50), percentileMs(lat, 0.99)
	af.APIRSSBytes = procStatusBytes("VmRSS")
	af.APIRSSGrowthBytes = max(af.APIRSSBytes-rssBefore, 0)
	return af, nil
}

// sampleWorkers draws the sample of workers to query from the read model's workers.
func sampleWorkers(ctx context.Context, m *readmodel.Model, cfg benchConfig) ([]string, error) {
	var ids []string
	err := m.WorkerIDs(ctx, func(chunk []string) error {
		ids = append(ids, chunk...)
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, cmp.Or(err, errors.New("bench: the read model holds no workers"))
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.seed), 0x617069))
	sample := make([]string, 0, cfg.queries)
	for range cfg.queries {
		sample = append(sample, ids[rng.IntN(len(ids))])
	}
	return sample, nil
}

// apiPosts has benchWriters clients take whole streams in turn and post their events one per request.
func apiPosts(ctx context.Context, client *http.Client, base string, posted []heldStream) ([]time.Duration, time.Duration, error) {
	return writers(ctx, len(posted), func(ctx context.Context, k int) ([]time.Duration, error) {
		var lats []time.Duration
		for i := range posted[k].lines {
			t := time.Now()
			err := postEvent(ctx, client, base, posted[k], i)
			lats = append(lats, time.Since(t))
			if err != nil {
				return lats, err
			}
		}
		return lats, nil
	})
}

// postEvent posts the i-th event of a stream expecting the revision before it ("no_stream" for the first).
func postEvent(ctx context.Context, client *http.Client, base string, h heldStream, i int) error {
	var expected any = "no_stream"
	if i > 0 {
		expected = i - 1
	}
	body, err := json.Marshal(map[string]any{"events": []json.RawMessage{h.lines[i]},
		"expected_revision": map[string]any{h.stream: expected}})
	if err != nil {
		return err
	}
	return call(ctx, client, http.MethodPost, base+"/v1/events", body, http.StatusCreated)
}

// apiFlags times GET /v1/flags?worker=ID for each worker of the sample.
func apiFlags(ctx context.Context, client *http.Client, base string, sample []string) ([]time.Duration, error) {
	lat := make([]time.Duration, len(sample))
	for i, id := range sample {
		t := time.Now()
		if err := call(ctx, client, http.MethodGet, base+"/v1/flags?worker="+url.QueryEscape(id), nil, http.StatusOK); err != nil {
			return nil, err
		}
		lat[i] = time.Since(t)
	}
	return lat, nil
}

// call makes one request and reads the whole answer, failing unless its status is want.
func call(ctx context.Context, client *http.Client, method, u string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer bench")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("bench: api: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("bench: api: %s %s: %w", method, u, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("bench: api: %s %s: %s: %s", method, u, resp.Status, bytes.TrimSpace(answer))
	}
	return nil
}
