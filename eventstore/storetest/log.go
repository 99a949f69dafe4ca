package storetest

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
)

// testLog checks the Merkle log over the global order: every event is the leaf of its place, the tree hash is
// the one computed from the events' leaves, inclusion and consistency proofs check, and receipts name leaves.
func testLog(t *testing.T, s eventstore.Store) {
	ctx := context.Background()
	l, ok := s.(eventstore.Log)
	if !ok {
		t.Fatalf("%T does not implement eventstore.Log", s)
	}
	var results []eventstore.AppendResult
	for i, w := range []string{"l1", "l2", "l1", "l3", "l2"} {
		exp := eventstore.Any()
		res := mustAppend(t, s, "worker-"+w, exp, events(t, w, 1+i%3))
		results = append(results, res)
	}
	all := ReadAll(t, s, eventstore.Start)
	n, err := l.TreeSize(ctx)
	if err != nil || n != int64(len(all)) {
		t.Fatalf("tree size %d (%v), want %d events", n, err, len(all))
	}
	var mem memTree
	for i, rec := range all {
		leaf, err := l.LeafEvent(ctx, int64(i))
		if err != nil || leaf.ID != rec.ID || leaf.Hash != rec.Hash {
			t.Fatalf("leaf %d is %s (%v), want %s", i, leaf.ID, err, rec.ID)
		}
		mem.add(t, eventstore.LeafHash(eventstore.Leaf(rec)))
	}
	checkProofs(ctx, t, l, &mem, n)
	if err := eventstore.FillLeafIndexes(ctx, l, results); err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		for _, a := range res.Events {
			if got := all[a.LeafIndex]; got.ID != a.ID {
				t.Errorf("receipt of %s names leaf %d, which is %s", a.ID, a.LeafIndex, got.ID)
			}
		}
	}
	if _, err := l.LeafEvent(ctx, n); !errors.Is(err, eventstore.ErrNotInLog) {
		t.Errorf("leaf past the end: %v, want ErrNotInLog", err)
	}
	if _, err := l.TreeHash(ctx, n+1); !errors.Is(err, eventstore.ErrNotInLog) {
		t.Errorf("tree larger than the log: %v, want ErrNotInLog", err)
	}
}

// checkProofs checks every tree hash, an inclusion proof of every leaf, and consistency between sizes.
func checkProofs(ctx context.Context, t *testing.T, l eventstore.Log, mem *memTree, n int64) {
	t.Helper()
	for size := int64(1); size <= n; size++ {
		th, err := l.TreeHash(ctx, size)
		if want := mem.root(t, size); err != nil || th != want {
			t.Fatalf("tree hash at %d: %v (%v), want %v", size, th, err, want)
		}
		for i := range size {
			p, err := l.ProveLeaf(ctx, i, size)
			if err != nil || tlog.CheckRecord(p, size, th, i, mem.hashes[tlog.StoredHashIndex(0, i)]) != nil {
				t.Fatalf("inclusion proof of leaf %d in %d: %v", i, size, err)
			}
		}
		p, err := l.ProveTree(ctx, size, n)
		if err != nil || tlog.CheckTree(p, n, mem.root(t, n), size, th) != nil {
			t.Fatalf("consistency proof %d -> %d: %v", size, n, err)
		}
	}
}

// memTree is a tree computed in memory from leaf hashes, the reference the store's tree is compared with.
type memTree struct{ hashes []tlog.Hash }

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTree) add(t *testing.T, leaf tlog.Hash) {
	hs, err := tlog.StoredHashesForRecordHash(m.leaves(), leaf, m)
	if err != nil {
		t.Fatal(err)
	}
	m.hashes = append(m.hashes, hs...)
}

func (m *memTree) leaves() int64 {
	var n int64
	for tlog.StoredHashCount(n) < int64(len(m.hashes)) {
		n++
	}
	return n
}

func (m *memTree) root(t *testing.T, n int64) tlog.Hash {
	h, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
