package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPUProfileIsWrittenWhereTheEnvironmentSays: with $FAIRTRAIL_CPUPROFILE the run's CPU profile is written
// there (a gzipped protocol buffer, as go tool pprof reads); without it nothing is written; a file that cannot
// be created is an error naming the variable.
func TestCPUProfileIsWrittenWhereTheEnvironmentSays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.cpu.pprof")
	b := startedAndStopped(t, startCPUProfile, cpuProfileEnv, path)
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("the profile is not gzipped: % x", b[:min(len(b), 8)])
	}
	stop, err := startCPUProfile(func(string) string { return "" })
	if err != nil || stop() != nil {
		t.Fatalf("without the variable: %v", err)
	}
	_, err = startCPUProfile(func(string) string { return filepath.Join(t.TempDir(), "missing", "x.pprof") })
	if err == nil || !strings.Contains(err.Error(), cpuProfileEnv) {
		t.Fatalf("an uncreatable file: %v, want an error naming %s", err, cpuProfileEnv)
	}
}

// TestWaitProfilesAreWrittenWhereTheEnvironmentSays: $FAIRTRAIL_BLOCKPROFILE, $FAIRTRAIL_MUTEXPROFILE and
// $FAIRTRAIL_ALLOCSPROFILE each
// get their profile (gzipped, as go tool pprof reads) when the run stops; a file that cannot be created is an
// error naming its variable.
func TestWaitProfilesAreWrittenWhereTheEnvironmentSays(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{blockProfileEnv: filepath.Join(dir, "block.pprof"), mutexProfileEnv: filepath.Join(dir, "mutex.pprof"),
		allocsProfileEnv: filepath.Join(dir, "allocs.pprof")}
	stop, err := startProfiles(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for name, path := range env {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Fatalf("%s: the profile is not gzipped: % x", name, b[:min(len(b), 8)])
		}
	}
	missing := filepath.Join(dir, "missing", "x.pprof")
	stop, err = startProfiles(func(k string) string { return map[string]string{mutexProfileEnv: missing}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err == nil || !strings.Contains(err.Error(), mutexProfileEnv) {
		t.Fatalf("an uncreatable file: %v, want an error naming %s", err, mutexProfileEnv)
	}
}

// TestTraceIsWrittenWhereTheEnvironmentSays: $FAIRTRAIL_TRACE gets the run's execution trace (as go tool trace
// reads it, its header naming the Go version) when the run stops; a file that cannot be created is an error
// naming the variable. (Not parallel: one trace runs at a time in a process.)
func TestTraceIsWrittenWhereTheEnvironmentSays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.trace")
	b := startedAndStopped(t, startProfiles, traceEnv, path)
	if !bytes.HasPrefix(b, []byte("go 1.")) {
		t.Fatalf("not an execution trace: %q", b[:min(len(b), 16)])
	}
	_, err := startProfiles(func(k string) string {
		return map[string]string{traceEnv: filepath.Join(t.TempDir(), "missing", "x.trace")}[k]
	})
	if err == nil || !strings.Contains(err.Error(), traceEnv) {
		t.Fatalf("an uncreatable file: %v, want an error naming %s", err, traceEnv)
	}
}

// startedAndStopped starts what start starts with the environment variable env set to path alone, stops it,
// and returns what it wrote into path.
func startedAndStopped(t *testing.T, start func(getenv func(string) string) (func() error, error), env, path string) []byte {
	t.Helper()
	stop, err := start(func(k string) string { return map[string]string{env: path}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
