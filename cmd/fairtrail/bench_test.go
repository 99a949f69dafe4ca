package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/cmd/fairtrail/internal/benchpeer"
)

// TestMain lets this test binary stand in for the fairtrail executable: bench re-executes itself to measure the
// rebuild in a child process, and under `go test` that executable is the test binary (should a test run bench
// in-process; the tests below run the shipped binary). On a run of the whole package it starts the shared build
// of the shipped binary at once, beside the in-process tests.
func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) != "" {
		env := environment{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
		os.Exit(exitCode(run(context.Background(), os.Args[1:], env), os.Stderr))
	}
	flag.Parse()
	if flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.list").Value.String() == "" {
		prefetchBinaries() // the whole package runs: most of its subprocess tests need the binaries
	}
	code := m.Run()
	waitForBinaries()
	removeShared()
	os.Exit(code)
}

// benchBinary runs bench with args in the shipped binary, returning its exit code, standard output and error. A
// bench measures the very code the other tests check under the race detector, and its child processes cannot
// be watched by it: run in-process it only spent the suite's time several times over.
func benchBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(fairtrailBinary(t), append([]string{"bench"}, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	case err != nil:
		t.Fatalf("bench %v: %v", args, err)
	}
	return 0, out.String(), errOut.String()
}

func TestBenchPrintsEveryFigure(t *testing.T) {
	t.Parallel()
	code, out, errOut := benchBinary(t, "--workers", "200", "--queries", "20", "--data", t.TempDir(), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var figures map[string]float64
	if err := json.Unmarshal([]byte(out), &figures); err != nil {
		t.Fatalf("not one JSON object of numbers: %v\n%s", err, out)
	}
	keys := []string{"events", "import_events_per_s", "concurrent_events_per_s", "concurrent_p99_ms",
		"rebuild_events_per_s", "rebuild_peak_rss_bytes", "history_p99_ms", "flags_p99_ms", "audit_ms",
		"audit_cold_ms", "read_events_per_s", "api_post_events_per_s", "api_post_p99_ms", "api_flags_p99_ms",
		"model_rebuild_events_per_s", "model_rebuild_peak_rss_bytes", "cold_flags_worker_ms", "cold_history_ms",
		"cold_audit_buyer_ms", "cold_audit_buyer_as_of_seconds", "flags_listed", "flags_listed_per_s",
		"cold_flags_worker_first_ms", "cold_history_first_ms", "cold_audit_buyer_first_ms", "cold_audit_buyer_usd_first_ms",
		"flags_listed_first_per_s",
		"import_model_events_per_s", "import_model_seconds", "import_model_peak_rss_bytes", "serve_ready_seconds",
		"flags_walk_pages", "flags_walk_flags", "flags_page_p99_ms", "flags_page_max_ms", "serve_walk_max_rss_bytes",
		"serve_peak_rss_bytes", "metrics_scrape_ms", "mixed_requests", "mixed_writes", "mixed_p99_ms",
		"mixed_post_p99_ms", "mixed_page_p99_ms", "mixed_worker_p99_ms", "mixed_audit_p99_ms"}
	peerKeys := []string{"peer_import_ratio", "peer_read_ratio", "peer_import_events_per_s", "peer_read_events_per_s"}
	for _, key := range append(keys, peerKeys...) {
		v, ok := figures[key]
		switch {
		case !ok:
			t.Errorf("no %q in %s", key, out)
		case v < 0, v == 0 && (benchpeer.Built || !strings.HasPrefix(key, "peer_")):
			t.Errorf("%s = %v, want a positive number", key, v)
		}
	}
	if figures["rebuild_events"] != figures["events"] || figures["read_events"] != figures["events"] {
		t.Errorf("the rebuild applied %v events and the read found %v, of %v", figures["rebuild_events"],
			figures["read_events"], figures["events"])
	}
	if figures["in_memory_skipped"] != 0 {
		t.Errorf("the in-memory rebuild was skipped at 200 workers")
	}
	if figures["api_flags_queries"] != 20 {
		t.Errorf("the API's flags?worker was timed for %v workers, want --queries's 20", figures["api_flags_queries"])
	}
	if figures["mixed_requests"] != 16*20 || figures["flags_walk_flags"] < figures["flags_walk_pages"] {
		t.Errorf("mixed requests %v (want 320), walk of %v flags in %v pages", figures["mixed_requests"],
			figures["flags_walk_flags"], figures["flags_walk_pages"])
	}
}

func TestBenchTextNamesEveryTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := benchBinary(t, "--workers", "100", "--queries", "10", "--data", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"events/s", ">= 50,000", ">= 10,000", "<= 20 ms", ">= 250,000", "<= 1024 MiB",
		"history worker p99", "flags --worker p99", "audit --buyer", "peer", ">= 80,000 events/s", "<= 5 s",
		"API GET /v1/flags page p99", "<= 50 ms", "serve RSS during the flags walk", "<= 2048 MiB", "<= 1000 ms",
		"mixed load p99", "<= 100 ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("bench left files behind: %v %v", entries, err)
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--workers", "5"},
		{"bench", "--queries", "0"},
		{"bench", "--format", "xml"},
		{"bench", "extra"},
	} {
		if code, _, errOut := cli(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}

// TestProductionBinaryHasNoPeer checks that the peer library is linked only with the build tag peer. (SQLite
// itself is linked: the read model lives in a SQLite database, see projections/readmodel.)
func TestProductionBinaryHasNoPeer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, banned := range []string{"hallgren"} {
		if strings.Contains(string(out), banned) {
			t.Errorf("the production build depends on %s", banned)
		}
	}
}
