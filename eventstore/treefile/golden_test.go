package treefile_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

// TestGoldenFile pins the stored layout of a hashes file: tlog's stored hashes in index order, 32 bytes each,
// nothing else. A change here breaks every store's events.hashes: FAIRTRAIL_GOLDEN_UPDATE=1 rewrites the file
// only when that is meant.
func TestGoldenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tree.hashes")
	f, err := treefile.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Append(leaves(0, 5), true); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := 0; i < len(b); i += 32 {
		lines = append(lines, hex.EncodeToString(b[i:i+32]))
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "five-leaves.hashes.hex")
	if os.Getenv("FAIRTRAIL_GOLDEN_UPDATE") == "1" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("hashes file layout changed:\n%s\nwant\n%s", got, want)
	}
}
