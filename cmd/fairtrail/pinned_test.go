package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPinnedAnswers pins what users rely on: the answers of `flags --format json` (plain, --as-of, --known-at and
// both), `audit --format json` for every grouping and `history worker --format json` for a spread of workers, on
// the dataset `fairtrail generate --seed 1` makes. Each answer's SHA-256 is compared with
// testdata/pinned/workers-N.txt, written by the code as it was before the read side was rebuilt, so a refactor
// that changes any answer by accident fails here.
//
// The suite pins 3,000 workers. The 70,000-worker pin of the read-side issue runs with
// FAIRTRAIL_PIN_WORKERS=70000 (it takes minutes on the code that replays the whole log per query).
// FAIRTRAIL_PIN_UPDATE=1 rewrites the file: do that only in a commit that says which answer changed and why.
func TestPinnedAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a generated dataset")
	}
	workers, historyCount := 3000, 25
	if s := os.Getenv("FAIRTRAIL_PIN_WORKERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("FAIRTRAIL_PIN_WORKERS=%q: not a positive number", s)
		}
		workers, historyCount = n, 100
	}
	t.Parallel()
	tmp := t.TempDir()
	bin := fairtrailBinary(t)
	dir := filepath.Join(tmp, "data")
	knownAt := importInTwoHalves(t, bin, tmp, dir, workers)

	asOf := "2024-06-30"
	queries := []struct{ name, args string }{
		{"flags", "flags --format json"},
		{"flags as-of", "flags --format json --as-of " + asOf},
		{"flags known-at", "flags --format json --known-at " + knownAt},
		{"flags as-of known-at", "flags --format json --as-of " + asOf + " --known-at " + knownAt},
		{"flags buyer-2 contract.", "flags --format json --buyer buyer-2 --code contract."},
		{"audit by buyer", "audit --format json --by buyer"},
		{"audit by employer", "audit --format json --by employer"},
		{"audit by agency", "audit --format json --by agency"},
		{"audit by job-order", "audit --format json --by job-order"},
		{"audit buyer-1 by agency as-of", "audit --format json --buyer buyer-1 --by agency --as-of " + asOf},
	}
	step := max(workers/historyCount, 1)
	for i := range historyCount {
		id := fmt.Sprintf("w-%06d", 1+i*step)
		queries = append(queries, struct{ name, args string }{"history " + id, "history worker " + id + " --format json"})
	}

	got := make(map[string]string, len(queries))
	var names []string
	for _, q := range queries {
		out := runBin(t, bin, append(strings.Fields(q.args), "--data", dir)...)
		got[q.name] = fmt.Sprintf("%x", sha256.Sum256(normaliseImportTimes(out)))
		names = append(names, q.name)
	}

	golden := filepath.Join("testdata", "pinned", fmt.Sprintf("workers-%d.txt", workers))
	if os.Getenv("FAIRTRAIL_PIN_UPDATE") == "1" {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s\t%s\n", n, got[n])
		}
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
		return
	}
	want := readPinned(t, golden)
	for _, n := range names {
		if want[n] == "" {
			t.Errorf("%s: no pinned digest in %s", n, golden)
		} else if got[n] != want[n] {
			t.Errorf("%s: answer changed: sha256 %s, pinned %s", n, got[n], want[n])
		}
	}
	if len(want) != len(names) {
		t.Errorf("%s pins %d answers, the test asks %d", golden, len(want), len(names))
	}
}

// importInTwoHalves generates the dataset and imports its first half, then its second, and returns an instant
// between the two (RFC 3339): `--known-at` that instant knows exactly the first half.
func importInTwoHalves(t *testing.T, bin, tmp, dir string, workers int) string {
	t.Helper()
	all := filepath.Join(tmp, "events.ndjson")
	if out, err := exec.Command(bin, "generate", "--workers", strconv.Itoa(workers), "--seed", "1", "--out", all).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	data, err := os.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	half := len(lines) / 2
	first, second := filepath.Join(tmp, "first.ndjson"), filepath.Join(tmp, "second.ndjson")
	if err := os.WriteFile(first, bytes.Join(lines[:half], nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, bytes.Join(lines[half:], nil), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(file string) {
		if out, err := exec.Command(bin, "import", "--progress", "none", "--data", dir, file).CombinedOutput(); err != nil {
			t.Fatalf("import %s: %v\n%s", file, err, out)
		}
	}
	run(first)
	time.Sleep(20 * time.Millisecond)
	between := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	run(second)
	return between.Format(time.RFC3339Nano)
}

// importTimes are the values that depend on when the dataset was imported: recorded_at, and the reimbursement
// deadlines counted from it.
var importTimes = regexp.MustCompile(`"(recorded_at|reimbursement_deadline)": ?"[^"]*"`)

func normaliseImportTimes(b []byte) []byte {
	return importTimes.ReplaceAll(b, []byte(`"$1":"(import time)"`))
}

func readPinned(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run with FAIRTRAIL_PIN_UPDATE=1 on the code whose answers are to be pinned)", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, digest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		want[name] = digest
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}
