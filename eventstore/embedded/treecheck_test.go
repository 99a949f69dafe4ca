package embedded

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// treeEvents is how many events the tree crash tests store.
const treeEvents = 40

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// writeHashAt overwrites the stored hash at index x of the hashes file in dir.
func writeHashAt(t *testing.T, dir string, x int64, h tlog.Hash) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, hashesName), os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt(h[:], x*tlog.HashSize)
	must(t, errors.Join(err, f.Close()))
}

// zeroLeaves zeroes the stored hashes of leaves [from, to), keeping the file's length, as blocks written but
// never synced read back after a power loss.
func zeroLeaves(t *testing.T, dir string, from, to int64) {
	t.Helper()
	for x := tlog.StoredHashCount(from); x < tlog.StoredHashCount(to); x++ {
		writeHashAt(t, dir, x, tlog.Hash{})
	}
}

// treeDir is a closed store of treeEvents events and its tree hash.
func treeDir(t *testing.T) (string, tlog.Hash) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir, Options{Logger: quiet})
	populate(t, s, []string{"worker-a", "worker-b", "worker-c"}, treeEvents)
	want := treeHash(t, s, treeEvents)
	closeStore(t, s)
	return dir, want
}

// TestTreeRepairsWhatACrashLeft damages the hashes file in the ways a crash can leave it now that it is not
// synced per commit (short, cut inside an entry, missing, blocks read back as zeros) and checks that a
// read-only store beside it has the right tree, and that a writable open repairs the file from the log.
func TestTreeRepairsWhatACrashLeft(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"missing", func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, hashesName))) }},
		{"empty", func(t *testing.T, dir string) { must(t, os.Truncate(filepath.Join(dir, hashesName), 0)) }},
		{"shorter than the log", func(t *testing.T, dir string) {
			must(t, os.Truncate(filepath.Join(dir, hashesName), tlog.StoredHashCount(25)*tlog.HashSize))
		}},
		{"cut inside an entry", func(t *testing.T, dir string) {
			must(t, os.Truncate(filepath.Join(dir, hashesName), tlog.StoredHashCount(treeEvents-1)*tlog.HashSize+7))
		}},
		{"last leaf zeroed", func(t *testing.T, dir string) { zeroLeaves(t, dir, treeEvents-1, treeEvents) }},
		{"last ten leaves zeroed", func(t *testing.T, dir string) { zeroLeaves(t, dir, treeEvents-10, treeEvents) }},
		{"one leaf zeroed among good ones", func(t *testing.T, dir string) { zeroLeaves(t, dir, 31, 32) }},
		{"longer than the log", func(t *testing.T, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, hashesName), os.O_WRONLY|os.O_APPEND, 0)
			must(t, err)
			_, err = f.Write(bytes.Repeat([]byte{7}, 3*tlog.HashSize))
			must(t, errors.Join(err, f.Close()))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, want := treeDir(t)
			tc.damage(t, dir)
			ro := openStore(t, dir, Options{ReadOnly: true, Logger: quiet})
			if got := treeHash(t, ro, treeEvents); got != want {
				t.Fatalf("read-only store has tree %v, want %v", got, want)
			}
			closeStore(t, ro)
			s := openStore(t, dir, Options{Logger: quiet})
			if got := treeHash(t, s, treeEvents); got != want {
				t.Fatalf("reopened store has tree %v, want %v", got, want)
			}
			closeStore(t, s)
			st, err := os.Stat(filepath.Join(dir, hashesName))
			must(t, err)
			if st.Size() != tlog.StoredHashCount(treeEvents)*tlog.HashSize {
				t.Fatalf("hashes file is %d bytes, want %d", st.Size(), tlog.StoredHashCount(treeEvents)*tlog.HashSize)
			}
			stored, err := Open(dir, Options{ReadOnly: true})
			must(t, err)
			defer stored.Close()
			r, n, done, err := stored.StoredTree(context.Background())
			must(t, err)
			defer done()
			if got, err := tlog.TreeHash(n, r); err != nil || got != want {
				t.Fatalf("repaired hashes file has tree %v (%v), want %v", got, err, want)
			}
		})
	}
}

// TestTreeContradictingTheLogIsRefused edits hashes of the tree so that they contradict the log (what
// rewriting an event under its tree does) and checks that the writable open refuses with ErrTreeMismatch and
// leaves the file as it was (verify --checkpoint reads it; see attack_test.go).
func TestTreeContradictingTheLogIsRefused(t *testing.T) {
	t.Parallel()
	other := tlog.RecordHash([]byte("another event"))
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"last leaf's hash rewritten", func(t *testing.T, dir string) {
			writeHashAt(t, dir, tlog.StoredHashIndex(0, treeEvents-1), other)
		}},
		{"an earlier leaf's hash rewritten", func(t *testing.T, dir string) {
			writeHashAt(t, dir, tlog.StoredHashIndex(0, 12), other)
		}},
		{"an interior hash rewritten", func(t *testing.T, dir string) {
			writeHashAt(t, dir, tlog.StoredHashIndex(3, 2), other)
		}},
		{"a leaf rewritten before leaves zeroed", func(t *testing.T, dir string) {
			writeHashAt(t, dir, tlog.StoredHashIndex(0, 30), other)
			zeroLeaves(t, dir, 35, treeEvents)
		}},
		{"a leaf rewritten after one zeroed", func(t *testing.T, dir string) {
			zeroLeaves(t, dir, 30, 31)
			writeHashAt(t, dir, tlog.StoredHashIndex(0, 35), other)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, _ := treeDir(t)
			tc.damage(t, dir)
			before := readFile(t, filepath.Join(dir, hashesName))
			if s, err := Open(dir, Options{Logger: quiet}); !errors.Is(err, ErrTreeMismatch) {
				if err == nil {
					s.Close()
				}
				t.Fatalf("writable open: %v, want ErrTreeMismatch", err)
			}
			if !bytes.Equal(readFile(t, filepath.Join(dir, hashesName)), before) {
				t.Fatal("the refused open changed the hashes file, the evidence of what the log held")
			}
		})
	}
}

// TestTreeSyncedBeforeItIsHandedOut checks when the hashes file is made durable: not by every commit, but
// before a tree hash or a proof covers its leaves, by the commit that leaves treeSyncAt leaves unsynced, and
// at close.
func TestTreeSyncedBeforeItIsHandedOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{Logger: quiet})
	durable := func(want int64, after string) {
		t.Helper()
		if got := s.durable.n.Load(); got != want {
			t.Fatalf("after %s: %d leaves durable, want %d", after, got, want)
		}
	}
	populate(t, s, []string{"worker-a"}, 5)
	durable(0, "5 single-event commits")
	treeHash(t, s, 5)
	durable(5, "a tree hash of 5 leaves")
	populate(t, s, []string{"worker-a"}, 3)
	if _, err := s.ProveLeaf(ctx, 1, 8); err != nil {
		t.Fatal(err)
	}
	durable(8, "an inclusion proof in the tree of 8")
	populate(t, s, []string{"worker-a"}, 2)
	if _, err := s.ProveTree(ctx, 8, 10); err != nil {
		t.Fatal(err)
	}
	durable(10, "a consistency proof to 10")
	s.treeSyncAt = 4 // read by the writer only after the next append is queued
	populate(t, s, []string{"worker-a"}, 3)
	durable(10, "3 commits under the writer's threshold")
	populate(t, s, []string{"worker-a"}, 1)
	durable(14, "the commit reaching the writer's threshold")
	populate(t, s, []string{"worker-a"}, 1)
	closeStore(t, s)
	durable(15, "close")
}
