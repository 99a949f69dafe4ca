package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/fairtrail/fairtrail/cmd/fairtrail/internal/benchpeer"
)

// shared holds what the subprocess tests of this package build or generate once per test run: the fairtrail
// binary and the NDJSON datasets they feed it. Both are read-only once made, so tests may share them in
// parallel. TestMain removes the directory after the run.
var shared = struct {
	mu       sync.Mutex
	dir      string
	bin      sync.Once
	binPath  string
	binErr   error
	datasets map[dataset]*generatedFile
}{datasets: map[dataset]*generatedFile{}}

// dataset names a generated dataset: `fairtrail generate --workers W --seed S`.
type dataset struct {
	workers int
	seed    int64
}

// generatedFile is one dataset, written once.
type generatedFile struct {
	once sync.Once
	path string
	err  error
}

// sharedDir returns the directory of the shared files, making it on first use.
func sharedDir() (string, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dir == "" {
		dir, err := os.MkdirTemp("", "fairtrail-test-")
		if err != nil {
			return "", fmt.Errorf("shared test directory: %w", err)
		}
		shared.dir = dir
	}
	return shared.dir, nil
}

// removeShared deletes what the tests built and generated; TestMain calls it after the run.
func removeShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}

// fairtrailBinary builds the fairtrail binary as it ships (without -race: the tests run it as a subprocess, so
// the race detector would only slow it down without watching it) once per test run and returns its path.
func fairtrailBinary(t *testing.T) string {
	t.Helper()
	shared.bin.Do(buildBinary)
	if shared.binErr != nil {
		t.Fatalf("build the binary: %v", shared.binErr)
	}
	return shared.binPath
}

// prefetchBinary starts the shared build in the background, so that it links while the package's in-process
// tests run rather than when the first subprocess test asks for it (under load, a link takes tens of seconds,
// all of them on the package's critical path). TestMain calls it on a run of the whole package, and waits for
// it with waitForBinary before it removes the shared directory.
func prefetchBinary() { go shared.bin.Do(buildBinary) }

// waitForBinary returns once a build that was started has finished.
func waitForBinary() { shared.bin.Do(func() {}) }

// buildBinary is the one build of the binary; it records the path or the error in shared.
func buildBinary() {
	dir, err := sharedDir()
	if err != nil {
		shared.binErr = err
		return
	}
	path := filepath.Join(dir, "fairtrail")
	tags := "" // the binary is built with the tags of this test binary, so that bench's peer is in both or neither
	if benchpeer.Built {
		tags = "peer"
	}
	if out, err := exec.Command("go", "build", "-tags", tags, "-o", path, ".").CombinedOutput(); err != nil {
		shared.binErr = fmt.Errorf("go build: %w\n%s", err, out)
		return
	}
	shared.binPath = path
}

// generatedNDJSON returns the path of the dataset `fairtrail generate` writes for the given workers and seed,
// generated once per test run by the binary (outside the race detector). Callers must not change the file.
func generatedNDJSON(t *testing.T, workers int, seed int64) string {
	t.Helper()
	bin := fairtrailBinary(t)
	shared.mu.Lock()
	g := shared.datasets[dataset{workers, seed}]
	if g == nil {
		g = &generatedFile{}
		shared.datasets[dataset{workers, seed}] = g
	}
	shared.mu.Unlock()
	g.once.Do(func() {
		dir, err := sharedDir()
		if err != nil {
			g.err = err
			return
		}
		path := filepath.Join(dir, fmt.Sprintf("workers-%d-seed-%d.ndjson", workers, seed))
		cmd := exec.Command(bin, "generate", "--workers", strconv.Itoa(workers), "--seed", strconv.FormatInt(seed, 10),
			"--out", path)
		if out, err := cmd.CombinedOutput(); err != nil {
			g.err = fmt.Errorf("generate: %w\n%s", err, out)
			return
		}
		g.path = path
	})
	if g.err != nil {
		t.Fatalf("dataset of %d workers, seed %d: %v", workers, seed, g.err)
	}
	return g.path
}

// countLines returns the number of lines (events) of an NDJSON file.
func countLines(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte{'\n'})
}
