package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchFlagsWorkerTimesAnExistingStore: bench --only flags-worker serves a store that exists, times
// --queries requests of one worker's flags and reports the server's CPU per request; bench --only walk walks
// every flags page of it. Neither writes an event.
func TestBenchFlagsWorkerTimesAnExistingStore(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "store")
	if out, err := exec.Command(fairtrailBinary(t), "import", "--data", store, generatedNDJSON(t, 100, 1)).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	events := storedCount(t, store)
	code, out, errOut := benchBinary(t, "--only", "flags-worker", "--store", store, "--workers", "100", "--queries", "20",
		"--data", t.TempDir(), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var f flagsWorkerFigures
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("not the figures' JSON: %v\n%s", err, out)
	}
	if f.Requests != 20 || f.Workers != 100 || f.P50Ms <= 0 || f.P99Ms < f.P50Ms || f.MaxMs < f.P99Ms || f.ServeCPUMsPerRequest < 0 ||
		f.ServeDiskKBPerRequest < 0 {
		t.Errorf("figures %+v: want 20 requests of 100 workers, 0 < p50 <= p99 <= max, CPU >= 0, disk >= 0", f)
	}
	if n := storedCount(t, store); n != events {
		t.Errorf("the store holds %d events after the bench, %d before", n, events)
	}
	// The walk of every flags page over the same store: as many flags as the listing holds, and with
	// --profile the server's profiles, trace and log.
	var listed []json.RawMessage
	if out, err := exec.Command(fairtrailBinary(t), "flags", "--data", store, "--format", "json").Output(); err != nil {
		t.Fatalf("flags: %v", err)
	} else if err := json.Unmarshal(out, &listed); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(t.TempDir(), "prof")
	code, out, errOut = benchBinary(t, "--only", "walk", "--store", store, "--workers", "100", "--data", t.TempDir(),
		"--profile", prof, "--format", "json")
	if code != 0 {
		t.Fatalf("walk: exit %d: %s", code, errOut)
	}
	var w walkFigures
	if err := json.Unmarshal([]byte(out), &w); err != nil {
		t.Fatalf("not the walk's JSON: %v\n%s", err, out)
	}
	if w.Flags != len(listed) || w.Pages != (len(listed)+flagsPageSize-1)/flagsPageSize || w.P50Ms <= 0 || w.MaxMs < w.P99Ms ||
		w.ServeWalkRSSBytes <= 0 {
		t.Errorf("walk figures %+v: want %d flags in pages of %d, 0 < p50 <= max, an RSS", w, len(listed), flagsPageSize)
	}
	for _, name := range []string{"serve.cpu.pprof", "serve.trace", "serve.log"} {
		if st, err := os.Stat(filepath.Join(prof, name)); err != nil || st.Size() == 0 {
			t.Errorf("--profile: %s: %v", name, err)
		}
	}
	if n := storedCount(t, store); n != events {
		t.Errorf("the store holds %d events after the walk, %d before", n, events)
	}
}

func TestBenchStoreFlagsNeedTheirPhase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"--store without --only flags-worker", []string{"--store", "x"}, "only for --only flags-worker or walk"},
		{"--cache with --only mixed", []string{"--only", "mixed", "--cache", "x"}, "only for --only flags-worker or walk"},
		{"--only flags-worker without --store", []string{"--only", "flags-worker"}, "--only flags-worker needs --store DIR"},
		{"--only walk without --store", []string{"--only", "walk"}, "--only walk needs --store DIR"},
		{"an unknown phase", []string{"--only", "pages"}, `--only must be "mixed", "flags-worker" or "walk"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, "", append([]string{"bench"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}
}
