package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRefusesAFileReusingAStoredID checks that a file with an event_id stored for a different event is
// refused whole, before anything from it is stored (not after the first durable batches of 2000), naming the
// file's line and event_id; and that the same event under its id is a duplicate.
func TestImportRefusesAFileReusingAStoredID(t *testing.T) {
	const n, at = 2500, 2400
	arrival := func(i int, country string) string {
		return fmt.Sprintf(`{"event_id":"0190b6a4-0000-7000-8000-%012d","type":"WorkerArrived","occurred_at":"2024-04-01T12:00:00Z",`+
			`"data":{"worker_id":"w-%d","country":"%s"}}`, i, i%13, country)
	}
	write := func(name string, lines ...string) string {
		file := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	file := func(country string) string {
		lines := make([]string, n)
		for i := range lines {
			lines[i] = arrival(i+1, "MY")
		}
		lines[at-1] = arrival(at, country)
		return write("b.ndjson", lines...)
	}
	dir := t.TempDir()
	if code, _, errOut := cli(t, "", "import", "--data", dir, write("a.ndjson", arrival(at, "MY"))); code != 0 {
		t.Fatalf("import a.ndjson: exit %d: %s", code, errOut)
	}
	b := file("TH")
	code, _, errOut := cli(t, "", "import", "--data", dir, b)
	want := fmt.Sprintf("%s:%d: event_id: already used by a different event (stored at position 1 in worker-w-%d)", b, at, at%13)
	if code != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, stderr %q; want 1 naming %q", code, errOut, want)
	}
	if got := storedCount(t, dir); got != 1 {
		t.Fatalf("%d events stored, want the 1 before the refused file", got)
	}
	code, out, errOut := cli(t, "", "import", "--data", dir, file("MY"))
	if code != 0 || !strings.Contains(out, fmt.Sprintf("appended %d, duplicate 1, rejected 0", n-1)) {
		t.Fatalf("the same event again: exit %d, %s%s", code, out, errOut)
	}
}
