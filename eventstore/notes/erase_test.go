package notes_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore/notes"
)

func TestEraseNote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	text := "The employer keeps my passport."
	h, _ := s.Put(ctx, "w-1", text)
	s.Put(ctx, "w-2", text)
	got, err := s.EraseNote(ctx, h, operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Worker != "w-1" || got[1].Worker != "w-2" || !got[0].TextRemoved ||
		got[0].Scope != notes.ScopeNote || got[0].ErasedBy != "operator" || got[0].Reason != "the worker asked" {
		t.Fatalf("EraseNote = %+v", got)
	}
	if _, err := s.Get(ctx, h); !errors.Is(err, notes.ErrErased) {
		t.Fatalf("Get after erasure = %v, want ErrErased", err)
	}
	if _, err := s.EraseNote(ctx, h, operator); !errors.Is(err, notes.ErrErased) {
		t.Fatalf("erasing again = %v, want ErrErased", err)
	}
	if _, err := s.Put(ctx, "w-3", text); !errors.Is(err, notes.ErrErased) {
		t.Fatalf("saving a note erased by its hash = %v, want ErrErased", err)
	}
}

func TestEraseWorkerKeepsAnotherWorkersSameWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	shared, _ := s.Put(ctx, "w-1", "They took my passport.")
	s.Put(ctx, "w-2", "They took my passport.")
	own, _ := s.Put(ctx, "w-1", "I paid 900 USD for the medical.")
	got, err := s.EraseWorker(ctx, "w-1", operator)
	if err != nil {
		t.Fatal(err)
	}
	removed := map[string]bool{}
	for _, e := range got {
		removed[e.SHA256] = e.TextRemoved
	}
	if len(got) != 2 || removed[shared] || !removed[own] {
		t.Fatalf("EraseWorker = %+v; want the shared note kept for w-2, the own note removed", got)
	}
	if n, err := s.Get(ctx, shared); err != nil || fmt.Sprint(n.Workers) != "[w-2]" {
		t.Fatalf("the shared note: %+v, %v", n, err)
	}
	if list, _ := s.List(ctx, "w-1"); len(list) != 0 {
		t.Fatalf("w-1 still has %v", list)
	}
	if _, err := s.Put(ctx, "w-1", "I paid 900 USD for the medical."); !errors.Is(err, notes.ErrErased) {
		t.Fatalf("saving the worker's erased note again = %v, want ErrErased", err)
	}
	if _, err := s.Put(ctx, "w-9", "I paid 900 USD for the medical."); err != nil {
		t.Fatalf("another worker's same words after a worker's erasure: %v", err)
	}
	if none, err := s.EraseWorker(ctx, "w-nobody", operator); err != nil || len(none) != 0 {
		t.Fatalf("erasing a worker with no notes = %v, %v", none, err)
	}
}

func TestEraseRefusesBadRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	h, _ := s.Put(ctx, "w-1", "note")
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"no one named", func() error { _, err := s.EraseNote(ctx, h, notes.Request{}); return err }, nil},
		{"not a hash", func() error { _, err := s.EraseNote(ctx, "abc", operator); return err }, nil},
		{"unknown hash", func() error { _, err := s.EraseNote(ctx, notes.Hash("other"), operator); return err }, notes.ErrNotFound},
		{"no worker", func() error { _, err := s.EraseWorker(ctx, "", operator); return err }, nil},
	}
	for _, tc := range cases {
		err := tc.run()
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := s.Get(ctx, h); err != nil {
		t.Fatalf("a refused erasure erased: %v", err)
	}
}

func TestJournalIsAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := open(t)
	h, _ := s.Put(ctx, "w-1", "note")
	if _, err := s.EraseNote(ctx, h, operator); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(dir, notes.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"UPDATE erasures SET reason = 'x'", "DELETE FROM erasures"} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	j, err := s.Erasures(ctx, "w-1")
	if err != nil || len(j) != 1 || j[0].SHA256 != h || !j[0].ErasedAt.Equal(clock) {
		t.Fatalf("Erasures = %+v, %v", j, err)
	}
}

// TestErasedBytesLeaveTheDirectory saves enough notes to fill many pages (long ones overflow), erases some by
// hash and some by worker, and searches every file of the directory for their text.
func TestErasedBytesLeaveTheDirectory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := open(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	var entries []notes.Entry
	for i := range 250 {
		body := strings.Repeat(fmt.Sprintf("words %d of worker %d; ", rnd.IntN(1000), i%50), 1+rnd.IntN(200))
		entries = append(entries, notes.Entry{Worker: fmt.Sprintf("w-%d", i%50), Text: fmt.Sprintf("NOTE-%04d ", i) + body})
	}
	saved, err := s.PutAll(ctx, entries)
	if err != nil {
		t.Fatal(err)
	}
	erased := map[int]bool{}
	for i := 0; i < len(entries); i += 6 {
		if _, err := s.EraseNote(ctx, saved.Hashes[i], operator); err == nil {
			erased[i] = true
		}
	}
	for _, w := range []string{"w-3", "w-10", "w-17", "w-24", "w-31", "w-38", "w-45"} {
		if _, err := s.EraseWorker(ctx, w, operator); err != nil {
			t.Fatal(err)
		}
		for i, e := range entries {
			if e.Worker == w {
				erased[i] = true
			}
		}
	}
	all := readDir(t, dir)
	for i := range entries {
		marker := []byte(fmt.Sprintf("NOTE-%04d ", i))
		if found := bytes.Contains(all, marker); found == erased[i] {
			t.Fatalf("note %d (erased %v): found on disk %v", i, erased[i], found)
		}
	}
}

// readDir concatenates every file under dir.
func readDir(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		all = append(all, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}
