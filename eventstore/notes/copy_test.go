package notes_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// TestCopyMovesNotesAndTheirErasures copies a store holding notes, a note erased by its hash and a worker's
// erasure into an empty one, then into one that holds an older copy, and checks what each destination holds.
func TestCopyMovesNotesAndTheirErasures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, _ := open(t)
	put := func(s *notes.Store, worker, text string) string {
		t.Helper()
		h, err := s.Put(ctx, worker, text)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	kept := put(src, "w-1", "The agent took 40,000 NPR in cash.")
	put(src, "w-2", "The agent took 40,000 NPR in cash.")
	gone := put(src, "w-1", "My passport is with the supervisor.")
	hers := put(src, "w-3", "I signed a second contract on arrival.")

	// older: a copy made before the erasures below, which still holds both erased notes.
	older, _ := open(t)
	if _, err := notes.Copy(ctx, src, older); err != nil {
		t.Fatal(err)
	}
	if _, err := src.EraseNote(ctx, gone, operator); err != nil {
		t.Fatal(err)
	}
	if _, err := src.EraseWorker(ctx, "w-3", operator); err != nil {
		t.Fatal(err)
	}

	empty, _ := open(t)
	for name, dst := range map[string]*notes.Store{"into an empty store": empty, "over an older copy": older} {
		rep, err := notes.Copy(ctx, src, dst)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Erasures != 2 {
			t.Errorf("%s: %d erasures added, want 2", name, rep.Erasures)
		}
		if _, err := dst.Get(ctx, gone); !errors.Is(err, notes.ErrErased) {
			t.Errorf("%s: the note erased by its hash: %v, want ErrErased", name, err)
		}
		if _, err := dst.Get(ctx, hers); !errors.Is(err, notes.ErrErased) {
			t.Errorf("%s: the worker's erased note: %v, want ErrErased", name, err)
		}
		n, err := dst.Get(ctx, kept)
		if err != nil || !reflect.DeepEqual(n.Workers, []string{"w-1", "w-2"}) || !n.SavedAt.Equal(clock) {
			t.Errorf("%s: the kept note: %+v, %v", name, n, err)
		}
		want, _ := src.Erasures(ctx, "")
		got, _ := dst.Erasures(ctx, "")
		if len(got) != len(want) {
			t.Fatalf("%s: journal %d rows, want %d", name, len(got), len(want))
		}
		for i := range want {
			got[i].Seq, want[i].Seq = 0, 0
			if got[i] != want[i] {
				t.Errorf("%s: journal row %d: %+v, want %+v", name, i, got[i], want[i])
			}
		}
		again, err := notes.Copy(ctx, src, dst)
		if err != nil || again != (notes.CopyReport{}) {
			t.Errorf("%s: copying again added %+v (%v), want nothing", name, again, err)
		}
	}
}

// TestCopyKeepsTheDestinationsErasures: a note the destination erased is not brought back by a copy.
func TestCopyKeepsTheDestinationsErasures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, _ := open(t)
	dst, _ := open(t)
	h, err := src.Put(ctx, "w-1", "The recruiter kept my passport.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notes.Copy(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.EraseWorker(ctx, "w-1", operator); err != nil {
		t.Fatal(err)
	}
	rep, err := notes.Copy(ctx, src, dst)
	if err != nil || rep.Refused != 1 || rep.Links != 0 {
		t.Fatalf("copy over an erasure: %+v, %v; want 1 refused, none added", rep, err)
	}
	if _, err := dst.Get(ctx, h); !errors.Is(err, notes.ErrErased) {
		t.Fatalf("the erased note came back: %v", err)
	}
}

// TestCopyRefusesADamagedSource: a text that does not hash to its name stops the copy before anything is
// written.
func TestCopyRefusesADamagedSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, dir := open(t)
	if _, err := src.Put(ctx, "w-1", "first note"); err != nil {
		t.Fatal(err)
	}
	h, err := src.Put(ctx, "w-2", "second note")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(dir, notes.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE notes SET text = 'altered' WHERE sha256 = ?`, h); err != nil {
		t.Fatal(err)
	}
	dst, _ := open(t)
	if _, err := notes.Copy(ctx, src, dst); !errors.Is(err, notes.ErrDamaged) {
		t.Fatalf("copy of a damaged store: %v, want ErrDamaged", err)
	}
	if c, err := dst.Count(ctx); err != nil || c != (notes.Counts{}) {
		t.Fatalf("the refused copy left %+v (%v) in the destination", c, err)
	}
}
