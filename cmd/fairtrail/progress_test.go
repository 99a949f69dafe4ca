package main

import (
	"os"
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
	tmp := t.TempDir()
	big := filepath.Join(tmp, "big.ndjson")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := generate(f, 300, 5); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, errOut := cli(t, "", "import", "--progress", "bar", "--data", filepath.Join(tmp, "data"), big, "testdata/scenario.ndjson")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
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
