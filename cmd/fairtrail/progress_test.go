package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// percents returns every percentage a progress display drew, in order.
func percents(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	for _, m := range regexp.MustCompile(`(\d+)%`).FindAllStringSubmatch(s, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestImportShowsOneBarAcrossFilesAndPhases(t *testing.T) {
	t.Parallel()
	// The bar is drawn on the import's own goroutine (its size known, progressbar starts no spinner), so the
	// import runs in the shipped binary, as does the dataset's generation: the race detector watches the
	// import's concurrency in eventstore's tests, and here it only multiplied the CPU of what draws the bar.
	big := generatedNDJSON(t, 300, 5)
	cmd := exec.Command(fairtrailBinary(t), "import", "--progress", "bar", "--data", filepath.Join(t.TempDir(), "data"), big,
		"testdata/scenario.ndjson")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("import: %v: %s", err, stderr.String())
	}
	errOut := stderr.String()
	ps := percents(t, errOut)
	if len(ps) == 0 || ps[len(ps)-1] != 100 || strings.Count(errOut, "100%") != 1 {
		t.Fatalf("want one bar that ends at 100%% once, got percentages %v:\n%q", ps, errOut)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i] < ps[i-1] {
			t.Fatalf("the bar went back from %d%% to %d%%: a new bar per file or phase:\n%q", ps[i-1], ps[i], errOut)
		}
	}
	if !strings.Contains(errOut, "B/s") {
		t.Fatalf("no rate in the bar:\n%q", errOut)
	}
}

func TestCopyBarHasItsTotal(t *testing.T) {
	t.Parallel()
	src := scenarioStore(t)
	code, _, errOut := cli(t, "", "copy", "--progress", "bar", "--from", src, "--to", filepath.Join(t.TempDir(), "dst"))
	if code != 0 || !strings.Contains(errOut, "18/18") || !strings.Contains(errOut, "events/s") || !strings.Contains(errOut, "100%") {
		t.Fatalf("exit %d, want a bar to 18/18 events with its rate:\n%q", code, errOut)
	}
}
