package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportAppliesTheReportRule checks, on the embedded store and on KurrentDB (the wire double), that import
// refuses a file whose WorkerReported reuses a report_id of its worker (stored by an earlier file, or earlier
// in the same file) and a file that resolves a report its worker does not have, naming FILE:LINE:
// data.report_id and storing nothing from the file; and that the first file again is all duplicates.
func TestImportAppliesTheReportRule(t *testing.T) {
	t.Parallel() // it may wait for the double's build
	id := func(n int) string { return fmt.Sprintf("0190b6a4-0000-7000-8000-%012d", n) }
	report := func(n int, worker, report, kind string) string {
		return fmt.Sprintf(`{"event_id":"%s","type":"WorkerReported","occurred_at":"2025-05-01T09:00:00Z",`+
			`"data":{"worker_id":"%s","report_id":"%s","kind":"%s","channel":"hotline","language":"ne"}}`, id(n), worker, report, kind)
	}
	resolved := func(n int, worker, report string) string {
		return fmt.Sprintf(`{"event_id":"%s","type":"WorkerReportResolved","occurred_at":"2025-06-01T09:00:00Z",`+
			`"data":{"worker_id":"%s","report_id":"%s","outcome":"withdrawn"}}`, id(n), worker, report)
	}
	files := t.TempDir()
	write := func(name string, lines ...string) string {
		file := filepath.Join(files, name)
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	first := write("a.ndjson", report(1, "w-1", "rep-1", "threat"), resolved(2, "w-1", "rep-1"))
	refused := []struct{ file, want string }{
		{write("b.ndjson", report(3, "w-1", "rep-1", "deception")),
			":1: data.report_id: already used for worker w-1 by event " + id(1)},
		{write("c.ndjson", report(4, "w-2", "rep-1", "threat"), report(5, "w-2", "rep-1", "deception")),
			":2: data.report_id: already used for worker w-2 by event " + id(4)},
		{write("d.ndjson", report(6, "w-3", "rep-1", "threat"), resolved(7, "w-1", "rep-9")),
			":2: data.report_id: report rep-9 of worker w-1 not found"},
	}
	srv := startKurrentChild(t, 0)
	for _, store := range []struct {
		name   string
		where  []string
		stored func() int
	}{
		{"embedded", []string{"--data", filepath.Join(t.TempDir(), "data")}, nil},
		{"KurrentDB", []string{"--store", srv.URL(), "--cache", t.TempDir()}, func() int { return srv.Events(t) }},
	} {
		t.Run(store.name, func(t *testing.T) {
			if store.stored == nil {
				store.stored = func() int { return storedCount(t, store.where[1]) }
			}
			importing := func(file string) (int, string, string) {
				return cliEnv(t, nil, append([]string{"import", "--progress", "none", file}, store.where...)...)
			}
			if code, out, errOut := importing(first); code != 0 || !strings.Contains(out, "appended 2, duplicate 0") {
				t.Fatalf("import a.ndjson: exit %d, %s%s", code, out, errOut)
			}
			for _, tc := range refused {
				code, _, errOut := importing(tc.file)
				if code != 1 || !strings.Contains(errOut, tc.file+tc.want) {
					t.Errorf("import %s: exit %d, stderr %q; want 1 naming %q", filepath.Base(tc.file), code, errOut, tc.file+tc.want)
				}
			}
			if got := store.stored(); got != 2 {
				t.Errorf("%d events stored, want the 2 of a.ndjson", got)
			}
			if code, out, errOut := importing(first); code != 0 || !strings.Contains(out, "appended 0, duplicate 2, rejected 0") {
				t.Errorf("import a.ndjson again: exit %d, %s%s", code, out, errOut)
			}
		})
	}
}
