package treefile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

func leaves(from, n int) [][32]byte {
	out := make([][32]byte, n)
	for i := range out {
		out[i] = tlog.RecordHash(fmt.Appendf(nil, "leaf %d", from+i))
	}
	return out
}

// reference is the tree hash of the first n leaves computed from scratch in memory.
func reference(t *testing.T, n int) tlog.Hash {
	t.Helper()
	var hashes []tlog.Hash
	for i, h := range leaves(0, n) {
		hs, err := tlog.StoredHashesForRecordHash(int64(i), h, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for k, x := range idx {
				out[k] = hashes[x]
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	th, err := tlog.TreeHash(int64(n), tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for k, x := range idx {
			out[k] = hashes[x]
		}
		return out, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestAppendInGroupsMatchesOneByOne(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		path   bool
		reopen bool // close and open the file between groups, so that each append starts from the file
		groups []int
	}{
		{"in memory, one group", false, false, []int{37}},
		{"in a file, uneven groups", true, false, []int{1, 2, 5, 8, 21}},
		{"in a file, reopened between groups", true, true, []int{1, 1, 2, 3, 7, 16, 1, 33, 64, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.path {
				path = filepath.Join(t.TempDir(), "tree.hashes")
			}
			f, err := treefile.Open(path, false)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { f.Close() }()
			n := 0
			for _, g := range tc.groups {
				if tc.reopen {
					f.Close()
					if f, err = treefile.Open(path, false); err != nil {
						t.Fatal(err)
					}
				}
				if err := f.Append(leaves(n, g), true); err != nil {
					t.Fatal(err)
				}
				n += g
				got, err := tlog.TreeHash(int64(n), f)
				if err != nil || got != reference(t, n) {
					t.Fatalf("tree of %d leaves: %v %v, want %v", n, got, err, reference(t, n))
				}
			}
			if tc.path {
				st, _ := os.Stat(path)
				if per := float64(st.Size()) / float64(n); per > 64 {
					t.Errorf("%.1f bytes per leaf, want <= 64", per)
				}
			}
		})
	}
}

func TestReopenIgnoresAPartialLeafAndTruncates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tree.hashes")
	f, err := treefile.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Append(leaves(0, 10), true); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()-tlog.HashSize); err != nil { // leaf 9 needs more than one hash
		t.Fatal(err)
	}
	f, err = treefile.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Leaves() != 9 {
		t.Fatalf("%d leaves after a cut write, want 9", f.Leaves())
	}
	if err := f.Truncate(4); err != nil {
		t.Fatal(err)
	}
	if err := f.Append(leaves(4, 6), true); err != nil {
		t.Fatal(err)
	}
	if got, _ := tlog.TreeHash(10, f); got != reference(t, 10) {
		t.Fatal("tree rebuilt after truncation differs")
	}
	if _, err := tlog.TreeHash(11, f); err == nil {
		t.Fatal("a tree larger than the file was hashed")
	}
}

// TestTruncateThenAppendMatchesReference cuts a tree that was just appended to, without reopening it, and
// appends again: the append must combine its leaves with the shorter tree's right edge, not the longer one's.
func TestTruncateThenAppendMatchesReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		path         bool
		first, cutTo int
	}{
		{"in memory, cut inside a subtree", false, 13, 5},
		{"in a file, cut inside a subtree", true, 13, 5},
		{"in a file, cut to a power of two", true, 21, 16},
		{"in a file, cut to nothing", true, 6, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.path {
				path = filepath.Join(t.TempDir(), "tree.hashes")
			}
			f, err := treefile.Open(path, false)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Append(leaves(0, tc.first), false); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(int64(tc.cutTo)); err != nil {
				t.Fatal(err)
			}
			n := tc.first + 3
			if err := f.Append(leaves(tc.cutTo, n-tc.cutTo), false); err != nil {
				t.Fatal(err)
			}
			if got, err := tlog.TreeHash(int64(n), f); err != nil || got != reference(t, n) {
				t.Fatalf("tree of %d leaves after a cut to %d: %v %v, want %v", n, tc.cutTo, got, err, reference(t, n))
			}
		})
	}
}

// TestReadHashesInRunsAndGaps checks that a file answers a read of consecutive indexes (read in one go), of
// scattered ones and of repeated ones with the same hashes as the tree held in memory, and refuses indexes
// outside the tree.
func TestReadHashesInRunsAndGaps(t *testing.T) {
	t.Parallel()
	file, err := treefile.Open(filepath.Join(t.TempDir(), "hashes"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	mem, _ := treefile.Open("", false)
	for _, tr := range []*treefile.File{file, mem} {
		if err := tr.Append(leaves(0, 50), false); err != nil {
			t.Fatal(err)
		}
	}
	count := tlog.StoredHashCount(50)
	for _, tc := range []struct {
		name    string
		indexes []int64
	}{
		{"one", []int64{7}},
		{"a run", []int64{3, 4, 5, 6, 7, 8}},
		{"runs and gaps", []int64{0, 1, 2, 10, 11, 40, count - 2, count - 1}},
		{"descending and repeated", []int64{9, 8, 8, 8, 2}},
		{"every hash", func() []int64 {
			all := make([]int64, count)
			for i := range all {
				all[i] = int64(i)
			}
			return all
		}()},
	} {
		got, err := file.ReadHashes(tc.indexes)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want, err := mem.ReadHashes(tc.indexes)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: hash %d (index %d) differs from the tree in memory", tc.name, i, tc.indexes[i])
			}
		}
	}
	for _, bad := range [][]int64{{count}, {1, 2, count}, {-1}} {
		if _, err := file.ReadHashes(bad); err == nil {
			t.Fatalf("read of %v outside a tree of %d hashes succeeded", bad, count)
		}
	}
}
