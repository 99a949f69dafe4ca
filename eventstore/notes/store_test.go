package notes_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

var clock = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func open(t *testing.T) (*notes.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := notes.Open(dir, notes.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

var operator = notes.Request{By: "operator", Reason: "the worker asked"}

func TestHashIsSHA256OfTheExactBytes(t *testing.T) {
	t.Parallel()
	// sha256("abc"), FIPS 180-2 appendix B.1.
	if got := notes.Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash(abc) = %s", got)
	}
	if notes.Hash("abc ") == notes.Hash("abc") {
		t.Fatal("a trailing space must change the hash: the bytes are hashed as given")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, problem string
	}{
		{"plain text", "The agent took 40,000 NPR in cash.", ""},
		{"Nepali with line breaks and tabs", "एजेन्टले\n४०,००० रुपैयाँ\tलियो", ""},
		{"empty", "", "the note is empty"},
		{"only spaces", " \n\t ", "the note is empty"},
		{"too long", strings.Repeat("a", notes.MaxBytes+1), "the note is 16385 bytes; at most 16384"},
		{"bad UTF-8", "fee \xff paid", "the note is not valid UTF-8 (byte 5)"},
		{"NUL byte", "fee\x00paid", "the note holds the control character U+0000 at byte 4"},
		{"C1 control", "fee\u0085paid", "the note holds the control character U+0085 at byte 4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := notes.Validate(tc.text)
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, domain.ErrInvalid) || notes.Problem(err) != tc.problem {
				t.Fatalf("Validate = %v; want %q", err, tc.problem)
			}
		})
	}
}

func TestPutGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	text := "Paid 40,000 NPR to the sub-agent; no receipt."
	h, err := s.Put(ctx, "w-1", text)
	if err != nil {
		t.Fatal(err)
	}
	if h != notes.Hash(text) {
		t.Fatalf("Put = %s, want the text's hash", h)
	}
	if _, err := s.Put(ctx, "w-2", text); err != nil { // the same words from another worker
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "w-1", text); err != nil { // saved again: harmless
		t.Fatal(err)
	}
	n, err := s.Get(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != text || fmt.Sprint(n.Workers) != "[w-1 w-2]" || !n.SavedAt.Equal(clock) {
		t.Fatalf("Get = %+v", n)
	}
	list, err := s.List(ctx, "w-1")
	if err != nil || len(list) != 1 || list[0].SHA256 != h || list[0].Bytes != len(text) {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

func TestGetUnknown(t *testing.T) {
	t.Parallel()
	s, _ := open(t)
	for _, h := range []string{notes.Hash("never saved"), "not-a-hash", strings.ToUpper(notes.Hash("x"))} {
		if _, err := s.Get(context.Background(), h); !errors.Is(err, notes.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", h, err)
		}
	}
}

func TestPutAllIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	_, err := s.PutAll(ctx, []notes.Entry{{Worker: "w-1", Text: "fine"}, {Worker: "w-2", Text: "bad \xff"}})
	if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "note 1:") {
		t.Fatalf("PutAll = %v, want note 1 invalid", err)
	}
	if c, _ := s.Count(ctx); c.Notes != 0 {
		t.Fatalf("a refused PutAll saved %d notes", c.Notes)
	}
	if _, err := s.PutAll(ctx, []notes.Entry{{Worker: "", Text: "no worker"}}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("PutAll without a worker = %v", err)
	}
}

func TestDiscardTakesBackOnlyWhatWasAdded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	kept, _ := s.Put(ctx, "w-1", "kept: saved before the import")
	saved, err := s.PutAll(ctx, []notes.Entry{{Worker: "w-1", Text: "kept: saved before the import"},
		{Worker: "w-1", Text: "new in the failed import"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Added) != 1 {
		t.Fatalf("Added = %v, want only the new note", saved.Added)
	}
	if err := s.Discard(ctx, saved.Added); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, kept); err != nil {
		t.Fatalf("the note saved before is gone: %v", err)
	}
	if _, err := s.Get(ctx, saved.Hashes[1]); !errors.Is(err, notes.ErrNotFound) {
		t.Fatalf("the discarded note: %v, want ErrNotFound (discarding is not an erasure)", err)
	}
}
