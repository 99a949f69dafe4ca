package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheBinaryIsBuiltOnce keeps the package's tests fast: a test that needs the fairtrail binary asks
// fairtrailBinary for the one shared build instead of running `go build` itself (each build links for seconds,
// and the suite's time budget is four minutes on two cores).
func TestTheBinaryIsBuiltOnce(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	needle := `exec.Command("go", ` + `"build"` // split, so that this file does not match itself
	builds := map[string]int{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(src), needle); n > 0 {
			builds[f] = n
		}
	}
	if len(builds) != 1 || builds["testbin_test.go"] != 1 {
		t.Errorf("go build is run by %v; only fairtrailBinary (testbin_test.go) should build the binary", builds)
	}
}
