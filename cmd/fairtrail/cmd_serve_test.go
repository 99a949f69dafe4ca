package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveLogs collects a server's log lines and reports the address it listens on.
type serveLogs struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	addr  chan string
	found bool
}

func (l *serveLogs) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	if !l.found {
		var line struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		for _, raw := range bytes.Split(b, []byte("\n")) {
			if json.Unmarshal(raw, &line) == nil && line.Msg == "listening" {
				l.found = true
				l.addr <- line.Addr
			}
		}
	}
	return len(b), nil
}

func (l *serveLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// serving is `fairtrail serve` running in-process on a free port.
type serving struct {
	base string
	logs *serveLogs
	stop func() error
}

func startServing(t *testing.T, args ...string) *serving {
	t.Helper()
	logs := &serveLogs{addr: make(chan string, 1)}
	env := environment{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), env) }()
	select {
	case addr := <-logs.addr:
		s := &serving{base: "http://" + addr, logs: logs}
		var once sync.Once
		var err error
		s.stop = func() error {
			once.Do(func() { cancel(); err = <-done })
			return err
		}
		t.Cleanup(func() { s.stop() })
		return s
	case err := <-done:
		cancel()
		t.Fatalf("serve exited: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not listen\n%s", logs)
	}
	return nil
}

func (s *serving) request(t *testing.T, method, path, key, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// TestServeFlagsEqualTheFlagsCommand posts a whole generated dataset through POST /v1/events from several
// concurrent clients, then checks that GET /v1/flags, page after page, equals `fairtrail flags --format json`
// run on the same data directory. The dataset is 400 workers (10,694 events, 5,954 flags): six clients still
// post its ~43 batches of up to 250 events side by side, the listings take several pages of 1,000, and the
// scoped listings are of a buyer with 1,696 flags and an employer with 274. 800 workers (17,311 events) cost
// about 40 CPU seconds, most of them the server ingesting and judging under the race detector, with no case the
// smaller dataset lacks (1,600 workers cost a third more again).
func TestServeFlagsEqualTheFlagsCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("posts ~7k events")
	}
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	code, key, errOut := cli(t, "", "keys", "create", "--org", "ops", "--role", "admin", "--data", data)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	key = strings.TrimSpace(key)
	srv := startServing(t, "--data", data)
	dataset, err := os.ReadFile(generatedNDJSON(t, 250, 7))
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(dataset, []byte{'\n'})
	start := time.Now()
	postInParallel(t, srv, key, dataset, 6, 250)
	t.Logf("posted %d events with 6 clients in %s", n, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	got := pagedFlags(t, srv, key)
	t.Logf("GET /v1/flags: %d flags in %s", len(got), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	// The command runs in the shipped binary, beside the server: the race detector watches the server, and
	// listing the flags again under it proved nothing.
	bin := fairtrailBinary(t)
	want := decodeList(t, runBin(t, bin, "flags", "--data", data, "--format", "json"))
	t.Logf("fairtrail flags: %s", time.Since(start).Round(time.Millisecond))
	if len(got) < 1000 || !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				a, _ := json.Marshal(got[i])
				b, _ := json.Marshal(want[i])
				t.Errorf("flag %d:\n api %s\n cli %s", i, a, b)
				break
			}
		}
		t.Fatalf("GET /v1/flags (%d flags) differs from fairtrail flags --format json (%d flags)", len(got), len(want))
	}
	// A buyer's and an employer's listings seek within their scope: they list what the command lists for them.
	for _, c := range []struct{ role, org, filter string }{{"buyer", "buyer-1", "--buyer"}, {"employer", "emp-qa-1", "--employer"}} {
		code, k, errOut := cli(t, "", "keys", "create", "--org", c.org, "--role", c.role, "--data", data)
		if code != 0 {
			t.Fatalf("keys create: %d %s", code, errOut)
		}
		got := pagedFlags(t, srv, strings.TrimSpace(k))
		if want := decodeList(t, runBin(t, bin, "flags", "--data", data, "--format", "json", c.filter, c.org)); len(got) < 100 || !reflect.DeepEqual(got, want) {
			t.Fatalf("GET /v1/flags as %s %s (%d flags) differs from fairtrail flags %s (%d flags)", c.role, c.org,
				len(got), c.filter, len(want))
		}
	}
	// Every event was stored once, whatever the interleaving of the clients.
	if stored := storedIDs(t, data); len(stored) != n {
		t.Errorf("%d distinct events stored, %d generated", len(stored), n)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(srv.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop in the logs:\n%s", tailLines(srv.logs.String(), 5))
	}
}

// postInParallel sends the NDJSON dataset as POST /v1/events arrays of up to batch events, from clients
// goroutines; each stream's events go to one client, in file order.
func postInParallel(t *testing.T, srv *serving, key string, ndjson []byte, clients, batch int) {
	t.Helper()
	parts := make([][]json.RawMessage, clients)
	sc := bufio.NewScanner(bytes.NewReader(ndjson))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		h := fnv.New32a()
		h.Write([]byte(streamOfLine(t, line)))
		i := int(h.Sum32()) % clients
		parts[i] = append(parts[i], line)
	}
	var wg sync.WaitGroup
	for _, part := range parts {
		wg.Go(func() {
			for len(part) > 0 {
				k := min(batch, len(part))
				body, _ := json.Marshal(part[:k])
				if st, out := srv.request(t, "POST", "/v1/events", key, "application/json", body); st != http.StatusCreated {
					t.Errorf("POST /v1/events: %d %s", st, out)
					return
				}
				part = part[k:]
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// streamOfLine names an envelope's stream from the ids of its data, as the catalogue derives it.
func streamOfLine(t *testing.T, line []byte) string {
	var e struct {
		Data struct {
			WorkerID   string `json:"worker_id"`
			JobOrderID string `json:"job_order_id"`
			OrgID      string `json:"org_id"`
			PolicyID   string `json:"policy_id"`
			RatesID    string `json:"rates_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(line, &e); err != nil {
		t.Fatal(err)
	}
	switch d := e.Data; {
	case d.WorkerID != "":
		return "worker-" + d.WorkerID
	case d.OrgID != "":
		return "org-" + d.OrgID
	case d.PolicyID != "":
		return "policy-" + d.PolicyID
	case d.RatesID != "":
		return "rates-" + d.RatesID
	}
	return "joborder-" + e.Data.JobOrderID
}

// pagedFlags follows every page of GET /v1/flags.
func pagedFlags(t *testing.T, srv *serving, key string) []any {
	t.Helper()
	var all []any
	q := url.Values{"page_size": {"1000"}}
	for {
		st, body := srv.request(t, "GET", "/v1/flags?"+q.Encode(), key, "", nil)
		if st != http.StatusOK {
			t.Fatalf("GET /v1/flags: %d %s", st, body)
		}
		var page struct {
			Flags []json.RawMessage `json:"flags"`
			Next  string            `json:"next_page_token"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Flags {
			var v any
			if err := json.Unmarshal(f, &v); err != nil {
				t.Fatal(err)
			}
			all = append(all, v)
		}
		if page.Next == "" {
			return all
		}
		q.Set("page_token", page.Next)
	}
}

// decodeList decodes a JSON array.
func decodeList(t *testing.T, b []byte) []any {
	t.Helper()
	var v []any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--log-format", "xml"},
		{"serve", "--store", "esdb://localhost:2113"},
		{"serve", "--max-body", "0"},
		{"serve", "extra"},
	} {
		if code, _, errOut := cli(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errOut)
		}
	}
	// A witness key that is neither a key nor a readable file is named before anything opens.
	missing := filepath.Join(t.TempDir(), "witness.pub")
	if code, _, errOut := cli(t, "", "serve", "--witness-key", missing); code != 2 ||
		!strings.Contains(errOut, "--witness-key") || !strings.Contains(errOut, "witness.pub") {
		t.Errorf("serve --witness-key %s: exit %d, want 2 naming the flag and the file\n%s", missing, code, errOut)
	}
}

func TestServeAnswersAndStops(t *testing.T) {
	data := t.TempDir()
	_, key, _ := cli(t, "", "keys", "create", "--org", "buyer-1", "--role", "buyer", "--data", data)
	srv := startServing(t, "--data", data)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := srv.request(t, "GET", "/readyz", "", "", nil)
		if st == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st, body := srv.request(t, "GET", "/v1/flags", strings.TrimSpace(key), "", nil); st != 200 || !bytes.Contains(body, []byte(`"flags":[]`)) {
		t.Errorf("flags of an empty store: %d %s", st, body)
	}
	if st, _ := srv.request(t, "GET", "/v1/flags", "ft_nope", "", nil); st != 401 {
		t.Errorf("unknown key: %d", st)
	}
	// A page token past the API's 64 KiB of headers is answered by the API, in its JSON shape, not by
	// net/http's plain-text 431 (which the server keeps for requests over 1 MiB).
	long := "/v1/flags?page_token=" + strings.Repeat("A", 700<<10)
	if st, body := srv.request(t, "GET", long, strings.TrimSpace(key), "", nil); st != 431 ||
		!bytes.Contains(body, []byte(`"code":"header_too_large"`)) {
		t.Errorf("a 700 KiB page token: %d %.200s", st, body)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.base + "/healthz"); err == nil {
		t.Error("still answering after the stop")
	}
	if !strings.Contains(srv.logs.String(), `"route":"/v1/flags"`) {
		t.Errorf("no access log:\n%s", fmt.Sprint(tailLines(srv.logs.String(), 5)))
	}
}
