package embedded

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestTreeFileFollowsTheLog damages the hashes file between runs in the ways a crash or a lost file can, and
// checks that a reopened store (writable, or read-only beside it) has the same tree as before.
func TestTreeFileFollowsTheLog(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"hashes file missing", func(t *testing.T, path string) { must(t, os.Remove(path)) }},
		{"hashes file short", func(t *testing.T, path string) { must(t, os.Truncate(path, 5*tlog.HashSize+7)) }},
		{"hashes file longer than the log", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			must(t, err)
			_, err = f.Write(make([]byte, 3*tlog.HashSize))
			must(t, errors.Join(err, f.Close()))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := openStore(t, dir, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			populate(t, s, []string{"worker-a", "worker-b", "worker-c"}, 30)
			want := treeHash(t, s, 30)
			closeStore(t, s)
			tc.damage(t, filepath.Join(dir, hashesName))
			if tc.name == "hashes file missing" {
				ro := openStore(t, dir, Options{ReadOnly: true})
				if got := treeHash(t, ro, 30); got != want {
					t.Fatalf("read-only store computed tree %v, want %v", got, want)
				}
				closeStore(t, ro)
			}
			s = openStore(t, dir, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if got := treeHash(t, s, 30); got != want {
				t.Fatalf("reopened store has tree %v, want %v", got, want)
			}
			st, err := os.Stat(filepath.Join(dir, hashesName))
			must(t, err)
			if st.Size() != tlog.StoredHashCount(30)*tlog.HashSize {
				t.Fatalf("hashes file is %d bytes, want %d", st.Size(), tlog.StoredHashCount(30)*tlog.HashSize)
			}
		})
	}
}

func treeHash(t *testing.T, s *Store, n int64) tlog.Hash {
	t.Helper()
	size, err := s.TreeSize(context.Background())
	if err != nil || size != n {
		t.Fatalf("tree size %d (%v), want %d", size, err, n)
	}
	h, err := s.TreeHash(context.Background(), n)
	must(t, err)
	return h
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestTreeMismatchRefusesToWrite makes the stored tree's last leaf disagree with the log's last event and
// checks that the store refuses to open for writing instead of overwriting its tree.
func TestTreeMismatchRefusesToWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	populate(t, s, []string{"worker-a"}, 3)
	closeStore(t, s)
	path := filepath.Join(dir, hashesName)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt([]byte("garbage"), tlog.StoredHashIndex(0, 2)*tlog.HashSize)
	must(t, errors.Join(err, f.Close()))
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrTreeMismatch) {
		t.Fatalf("open after the tree and the log disagree: %v, want ErrTreeMismatch", err)
	}
}
