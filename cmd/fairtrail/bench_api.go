package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// apiFigures are measured through the HTTP API of `fairtrail serve`, run as a new process on a loopback
// address over the bench's store and its up-to-date read model (see bench_serve.go).
type apiFigures struct {
	ServeReadySeconds float64 `json:"serve_ready_seconds"`
	APIPostEvents     int     `json:"api_post_events"`
	APIPostEventsPerS float64 `json:"api_post_events_per_s"`
	APIPostP50Ms      float64 `json:"api_post_p50_ms"`
	APIPostP99Ms      float64 `json:"api_post_p99_ms"`
	APIFlagsQueries   int     `json:"api_flags_queries"`
	APIFlagsP50Ms     float64 `json:"api_flags_p50_ms"`
	APIFlagsP99Ms     float64 `json:"api_flags_p99_ms"`
	// APIFlagsCPUMs is the server's CPU (user and system) per flags?worker request, in milliseconds.
	APIFlagsCPUMs float64 `json:"api_flags_serve_cpu_ms"`
	// APIFlagsDiskKB is what the server read from disk (not the page cache) per flags?worker request, in KB.
	APIFlagsDiskKB   float64 `json:"api_flags_serve_disk_read_kb"`
	FlagsWalkPages   int     `json:"flags_walk_pages"`
	FlagsWalkFlags   int     `json:"flags_walk_flags"`
	FlagsWalkSeconds float64 `json:"flags_walk_seconds"`
	FlagsPageP50Ms   float64 `json:"flags_page_p50_ms"`
	FlagsPageP99Ms   float64 `json:"flags_page_p99_ms"`
	FlagsPageMaxMs   float64 `json:"flags_page_max_ms"`
	// ServeWalkRSSBytes is the largest RSS of the server sampled during the walk of every flags page, and
	// ServePeakRSSBytes its peak RSS (VmHWM) over its whole run.
	ServeWalkRSSBytes int64   `json:"serve_walk_max_rss_bytes"`
	ServePeakRSSBytes int64   `json:"serve_peak_rss_bytes"`
	MetricsScrapeMs   float64 `json:"metrics_scrape_ms"`
	MixedRequests     int     `json:"mixed_requests"`
	MixedWrites       int     `json:"mixed_writes"`
	MixedPerS         float64 `json:"mixed_requests_per_s"`
	MixedP50Ms        float64 `json:"mixed_p50_ms"`
	MixedP99Ms        float64 `json:"mixed_p99_ms"`
	MixedPostP99Ms    float64 `json:"mixed_post_p99_ms"`
	MixedPageP99Ms    float64 `json:"mixed_page_p99_ms"`
	MixedWorkerP99Ms  float64 `json:"mixed_worker_p99_ms"`
	MixedAuditP99Ms   float64 `json:"mixed_audit_p99_ms"`
}

// apiClient makes the bench's requests to one server with one key.
type apiClient struct {
	http *http.Client
	base string
	key  string
}

// get makes a GET request of path (with its query) and returns the answer, failing unless it is 200 OK.
func (c apiClient) get(ctx context.Context, path string) ([]byte, error) {
	return c.call(ctx, http.MethodGet, path, nil, http.StatusOK)
}

// call makes one request and reads the whole answer, failing unless its status is want.
func (c apiClient) call(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: api: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("bench: api: %s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("bench: api: %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(answer))
	}
	return answer, nil
}

// postEvent posts the i-th event of a stream expecting the revision before it ("no_stream" for the first).
func (c apiClient) postEvent(ctx context.Context, h heldStream, i int) error {
	var expected any = "no_stream"
	if i > 0 {
		expected = i - 1
	}
	body, err := json.Marshal(map[string]any{"events": []json.RawMessage{h.lines[i]},
		"expected_revision": map[string]any{h.stream: expected}})
	if err != nil {
		return err
	}
	_, err = c.call(ctx, http.MethodPost, "/v1/events", body, http.StatusCreated)
	return err
}

// apiPosts has benchWriters clients take whole streams in turn and post their events one per request.
func apiPosts(ctx context.Context, c apiClient, posted []heldStream) ([]time.Duration, time.Duration, error) {
	return writers(ctx, len(posted), func(ctx context.Context, k int) ([]time.Duration, error) {
		var lats []time.Duration
		for i := range posted[k].lines {
			t := time.Now()
			err := c.postEvent(ctx, posted[k], i)
			lats = append(lats, time.Since(t))
			if err != nil {
				return lats, err
			}
		}
		return lats, nil
	})
}

// sampleWorkers draws n workers of the generated dataset (w-000001 to w-NNNNNN) but those in absent (workers
// whose events are not stored yet), with the bench's seed.
func sampleWorkers(workers, n int, seed int64, absent map[string]bool) ([]string, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x617069))
	sample := make([]string, 0, n)
	for tries := 0; len(sample) < n; tries++ {
		if tries > 100*n {
			return nil, fmt.Errorf("bench: no stored worker among %d draws", tries)
		}
		if id := workerID(1 + rng.IntN(workers)); !absent[id] {
			sample = append(sample, id)
		}
	}
	return sample, nil
}

// workerID is the id the generator gives its k-th worker.
func workerID(k int) string { return fmt.Sprintf("w-%06d", k) }

// workersOf is the set of the workers whose streams are hs.
func workersOf(hs ...[]heldStream) map[string]bool {
	out := map[string]bool{}
	for _, h := range slices.Concat(hs...) {
		if id, ok := projections.WorkerStreamID(h.stream); ok {
			out[id] = true
		}
	}
	return out
}

// workerFlagsPath is the request of one worker's flags.
func workerFlagsPath(id string) string { return "/v1/flags?worker=" + url.QueryEscape(id) }

// apiFlags times GET /v1/flags?worker=ID for each worker of the sample.
func apiFlags(ctx context.Context, c apiClient, sample []string) ([]time.Duration, error) {
	lat := make([]time.Duration, len(sample))
	for i, id := range sample {
		t := time.Now()
		if _, err := c.get(ctx, workerFlagsPath(id)); err != nil {
			return nil, err
		}
		lat[i] = time.Since(t)
	}
	return lat, nil
}

// flagsPageSize is the page size of the walk of every flag, the API's largest.
const flagsPageSize = 1000

// flagsWalk is the walk of every GET /v1/flags page: each page's latency, how many flags it listed, and the
// tokens of the pages after the first.
type flagsWalk struct {
	lat    []time.Duration
	flags  int
	tokens []string
	took   time.Duration
}

// walkFlags asks for every page of GET /v1/flags?page_size=1000 in turn, following each page's token.
func walkFlags(ctx context.Context, c apiClient) (flagsWalk, error) {
	var w flagsWalk
	start, token := time.Now(), ""
	for {
		t := time.Now()
		body, err := c.get(ctx, flagsPagePath(token))
		w.lat = append(w.lat, time.Since(t))
		if err != nil {
			return w, err
		}
		var page struct {
			Flags []json.RawMessage `json:"flags"`
			Next  string            `json:"next_page_token"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return w, fmt.Errorf("bench: api: flags page %d: %w", len(w.lat), err)
		}
		w.flags += len(page.Flags)
		if page.Next == "" {
			w.took = time.Since(start)
			return w, nil
		}
		w.tokens, token = append(w.tokens, page.Next), page.Next
	}
}

// flagsPagePath is the request of the flags page with token ("" for the first).
func flagsPagePath(token string) string {
	p := fmt.Sprintf("/v1/flags?page_size=%d", flagsPageSize)
	if token != "" {
		p += "&page_token=" + url.QueryEscape(token)
	}
	return p
}
