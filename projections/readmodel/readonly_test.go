package readmodel_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// dirSums is every file of dir by name, with its SHA-256.
func dirSums(t *testing.T, dir string) map[string][sha256.Size]byte {
	t.Helper()
	sums := map[string][sha256.Size]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		sums[path] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// readAnswers is what the tests compare of two models: the audit by agency and the count of fee flags.
func readAnswers(t *testing.T, m *readmodel.Model) string {
	t.Helper()
	rows, err := m.Audit(context.Background(), projections.AuditQuery{By: "agency"}, clocks[1])
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return mustJSON(t, rows) + mustJSON(t, countFlags(t, m, "fee.", clocks[1]))
}

// TestReadOnlyModelReadsWithoutWriting opens a model that a catch-up wrote, read-only: it answers as the model
// did and writes nothing, not even beside the file; once the store has moved on it refuses to catch up or
// rebuild with ErrReadOnly rather than answer from behind.
func TestReadOnlyModelReadsWithoutWriting(t *testing.T) {
	t.Parallel()
	ls := smallLines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, ls[:len(ls)/2])
	rw := openModel(t, dir, readmodel.Options{})
	catchUp(t, rw, s)
	want := readAnswers(t, rw)
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	before := dirSums(t, dir)

	ro := openModel(t, dir, readmodel.Options{ReadOnly: true})
	if _, err := ro.CatchUp(context.Background(), s); err != nil {
		t.Fatalf("catch-up of a current read-only model: %v", err)
	}
	if got := readAnswers(t, ro); got != want {
		t.Errorf("read-only model answers\n%s\nwant\n%s", got, want)
	}
	if after := dirSums(t, dir); len(after) != len(before) || mustJSON(t, after) != mustJSON(t, before) {
		t.Errorf("reading read-only changed the directory: %d files before, %d after", len(before), len(after))
	}

	importLines(t, s, ls[len(ls)/2:])
	if _, err := ro.CatchUp(context.Background(), s); !errors.Is(err, readmodel.ErrReadOnly) {
		t.Errorf("catch-up of a model behind the store: %v, want ErrReadOnly", err)
	}
	if _, err := ro.Rebuild(context.Background(), s, "test"); !errors.Is(err, readmodel.ErrReadOnly) {
		t.Errorf("rebuild: %v, want ErrReadOnly", err)
	}
}

// TestReadOnlyOpenRefusesWhatItCannotRead: no model, or a model a process is writing (a write-ahead log
// beside it), is an error naming the file, and nothing is created.
func TestReadOnlyOpenRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"no directory", func(t *testing.T, dir string) {}},
		{"an empty directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o750); err != nil {
				t.Fatal(err)
			}
		}},
		{"an empty model file", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, readmodel.FileName), nil, 0o640); err != nil {
				t.Fatal(err)
			}
		}},
		{"a model being written", func(t *testing.T, dir string) {
			m := openModel(t, dir, readmodel.Options{})
			catchUp(t, m, openStore(t, t.TempDir()))
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, readmodel.FileName+"-wal"), []byte("frames"), 0o640); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "model")
			tc.prepare(t, dir)
			before := dirSums(t, filepath.Dir(dir))
			m, err := readmodel.Open(dir, readmodel.Options{ReadOnly: true})
			if err == nil {
				m.Close()
				t.Fatal("opened")
			}
			t.Logf("%v", err)
			if after := dirSums(t, filepath.Dir(dir)); mustJSON(t, after) != mustJSON(t, before) {
				t.Errorf("a refused open changed the directory")
			}
		})
	}
}
