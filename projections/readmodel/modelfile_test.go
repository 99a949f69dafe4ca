package readmodel_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// inode is the inode of the model's file in dir: a rebuild alone with the model puts a new file in place, one
// that shares it writes inside the file.
func inode(t *testing.T, dir string) uint64 {
	t.Helper()
	st, err := os.Stat(filepath.Join(dir, readmodel.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// TestARebuildSharingTheModelWritesInsideIt rebuilds a model another Model (as another process would) has
// open: the rebuild writes inside the file, which the other reads rebuilt; once the other is closed, a rebuild
// puts a new file in place. Both answer as a model rebuilt in memory. A store within a shard is rebuilt inside
// the file as well.
func TestARebuildSharingTheModelWritesInsideIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t))
	a := openModel(t, dir, readmodel.Options{ShardEvents: 500}) // a store larger than a shard: see Rebuild
	catchUp(t, a, s)
	b := openModel(t, dir, readmodel.Options{ShardEvents: 500})
	before := inode(t, dir)
	if _, err := a.Rebuild(context.Background(), s, "shared"); err != nil {
		t.Fatal(err)
	}
	if got := inode(t, dir); got != before {
		t.Fatal("a rebuild of a model another opener holds replaced its file")
	}
	conformSome(t, b, s, 0.3)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Rebuild(context.Background(), s, "alone"); err != nil {
		t.Fatal(err)
	}
	if got := inode(t, dir); got == before {
		t.Fatal("a rebuild alone with the model wrote inside its file")
	}
	small := openModel(t, t.TempDir(), readmodel.Options{})
	before = inode(t, filepath.Dir(small.Path()))
	if _, err := small.Rebuild(context.Background(), s, "a store within a shard"); err != nil {
		t.Fatal(err)
	}
	if got := inode(t, filepath.Dir(small.Path())); got != before {
		t.Fatal("a rebuild of a store within a shard replaced the model's file")
	}
	if _, err := os.Stat(filepath.Join(dir, readmodel.FileName+".rebuild")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the rebuilt model's file is left beside it: %v", err)
	}
	conformSome(t, a, s, 0.3)
}

// TestAListingInProgressEndsWholeAcrossARebuild rebuilds the model (a new file put in place) while a listing
// of every flag holds its first flag: the listing ends on the file it began with, giving every flag, and the
// next listing reads the new file.
func TestAListingInProgressEndsWholeAcrossARebuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t))
	m := openModel(t, dir, readmodel.Options{ShardEvents: 500})
	catchUp(t, m, s)
	ctx := context.Background()
	list := func(during func()) []string {
		var keys []string
		err := m.Flags(ctx, projections.FlagQuery{}, clocks[0], readmodel.FlagSeek{}, func(key []byte, flag string) error {
			if len(keys) == 0 && during != nil {
				during()
			}
			keys = append(keys, string(key)+flag)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	want := list(nil)
	before := inode(t, dir)
	got := list(func() {
		if _, err := m.Rebuild(ctx, s, "during a listing"); err != nil {
			t.Fatal(err)
		}
	})
	if inode(t, dir) == before {
		t.Fatal("the rebuild did not put a new file in place")
	}
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Fatalf("a listing across a rebuild gave %d flags, want the %d it began with", len(got), len(want))
	}
	if again := list(nil); !slices.Equal(again, want) {
		t.Fatalf("a listing of the rebuilt model gave %d flags, want %d", len(again), len(want))
	}
	conformSome(t, m, s, 0.3)
}
