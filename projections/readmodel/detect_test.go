package readmodel_test

import (
	"bytes"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// copyModel copies a closed model's file into dir.
func copyModel(t *testing.T, from, dir string) {
	t.Helper()
	src, err := os.Open(filepath.Join(from, readmodel.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(filepath.Join(dir, readmodel.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
}

// TestModelsThatCannotBeTrustedAreRebuilt: a model written by other rules, one ahead of its store (restored
// from a backup) and one of another store with as many events are each rebuilt, and then answer as a model
// rebuilt in memory. The answers are compared at the last of the suite's clocks only: what this test proves is
// that each untrusted model is detected and replaced by one of its store, which any clock shows (the copied
// model answers for other rules, more events or other events); that a rebuild answers at every clock is the
// rebuild's own comparison, TestRebuildInPassesAnswersAsOnePass and TestPersistedModelAnswersAsAModelRebuiltInMemory.
func TestModelsThatCannotBeTrustedAreRebuilt(t *testing.T) {
	t.Parallel()
	ls := lines(t)
	full := t.TempDir()
	s := openStore(t, full)
	importLines(t, s, ls)
	m := openModel(t, full, readmodel.Options{})
	catchUp(t, m, s)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("written by other rules", func(t *testing.T) {
		dir := t.TempDir()
		copyModel(t, full, dir)
		db, err := sql.Open("sqlite3", filepath.Join(dir, readmodel.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("UPDATE meta SET value = 'rules of last year' WHERE key = 'rules'"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		m := openModel(t, dir, readmodel.Options{})
		if res := catchUp(t, m, s); res.Reason != readmodel.ReasonRules {
			t.Fatalf("catch-up: %+v, want a rebuild for other rules", res)
		}
		conformRebuilt(t, m, s)
	})
	t.Run("ahead of a store restored from a backup", func(t *testing.T) {
		dir := t.TempDir()
		half := openStore(t, dir)
		importLines(t, half, ls[:len(ls)/2])
		copyModel(t, full, dir)
		m := openModel(t, dir, readmodel.Options{})
		if res := catchUp(t, m, half); res.Reason != readmodel.ReasonAhead {
			t.Fatalf("catch-up: %+v, want a rebuild of a model ahead of its store", res)
		}
		conformRebuilt(t, m, half)
	})
	t.Run("of another store as long", func(t *testing.T) {
		dir := t.TempDir()
		other := openStore(t, dir)
		var buf bytes.Buffer
		if _, err := synth.Generate(&buf, synth.Options{Workers: 200, Seed: 8}); err != nil {
			t.Fatal(err)
		}
		another := strings.SplitAfter(buf.String(), "\n")[:len(ls)]
		importLines(t, other, another)
		copyModel(t, full, dir)
		m := openModel(t, dir, readmodel.Options{})
		if res := catchUp(t, m, other); res.Reason != readmodel.ReasonForeign {
			t.Fatalf("catch-up: %+v, want a rebuild of a model of another store", res)
		}
		conformRebuilt(t, m, other)
	})
}

// conformRebuilt compares a model rebuilt after a detection with a model rebuilt in memory at the suite's
// last clock, where most listings select something.
func conformRebuilt(t *testing.T, m *readmodel.Model, s eventstore.Store) {
	t.Helper()
	conformAt(t, m, s, clocks[len(clocks)-1:], 0.5)
}
