package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fairtrail/fairtrail/cmd/fairtrail/internal/benchpeer"
)

// shared holds what the subprocess tests of this package build or generate once per test run: the fairtrail
// binary, the KurrentDB test double's command and the NDJSON datasets they feed them. All are read-only once
// made, so tests may share them in parallel. TestMain removes the directory after the run.
var shared = struct {
	mu       sync.Mutex
	dir      string
	bin      built // the fairtrail binary
	double   built // the command kurrentdouble
	datasets map[dataset]*generatedFile
}{
	bin:      built{pkg: ".", name: "fairtrail"},
	double:   built{pkg: "./internal/kurrentdouble", name: "kurrentdouble"},
	datasets: map[dataset]*generatedFile{},
}

// built is one binary that the tests build once, without -race.
type built struct {
	pkg, name string // the package to build, relative to this one, and the file's name
	once      sync.Once
	path      string
	err       error
}

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

// fairtrailBinary builds the fairtrail binary as it ships (without DWARF, and without -race: the tests run it as a
// subprocess, so the race detector would only slow it down without watching it) once per test run and returns
// its path.
func fairtrailBinary(t *testing.T) string {
	t.Helper()
	return shared.bin.get(t)
}

// doubleBinary builds the command kurrentdouble (the KurrentDB test double in a process of its own, without
// -race) once per test run and returns its path.
func doubleBinary(t *testing.T) string {
	t.Helper()
	return shared.double.get(t)
}

// get builds b on first use and returns its path.
func (b *built) get(t *testing.T) string {
	t.Helper()
	b.once.Do(b.build)
	if b.err != nil {
		t.Fatalf("build %s: %v", b.name, b.err)
	}
	return b.path
}

// prefetchBinaries starts the shared builds in the background, so that they link while the package's
// in-process tests run rather than when the first subprocess test asks for them (under load, a link takes tens
// of seconds, all of them on the package's critical path). TestMain calls it on a run of the whole package,
// and waits for them with waitForBinaries before it removes the shared directory.
func prefetchBinaries() {
	go shared.bin.once.Do(shared.bin.build)
	go shared.double.once.Do(shared.double.build)
}

// waitForBinaries returns once the builds that were started have finished.
func waitForBinaries() {
	shared.bin.once.Do(func() {})
	shared.double.once.Do(func() {})
}

// build is the one build of b; it records the path or the error in b.
func (b *built) build() {
	dir, err := sharedDir()
	if err != nil {
		b.err = err
		return
	}
	path := filepath.Join(dir, b.name)
	// Built with the tags of this test binary, so that bench's peer is in both or neither, and the build finds
	// gin's packages compiled as the test binary's vet and build compiled them (ops/test's nomsgpack).
	var tags []string
	if benchpeer.Built {
		tags = append(tags, "peer")
	}
	if msgpackTag != "" {
		tags = append(tags, msgpackTag)
	}
	// Without DWARF, as ops/Dockerfile ships it (-w; not its -s, which would strip the symbols TestBinary reads):
	// DWARF took a quarter of the link's CPU (fairtrail: 13.7, 13.7 -> 9.0, 11.8 CPU s, alternated, under load),
	// and nothing here reads it.
	if out, err := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-ldflags=-w", "-o", path, b.pkg).CombinedOutput(); err != nil {
		b.err = fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
		return
	}
	b.path = path
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
