// Package treefile keeps the hashes of an append-only Merkle tree (RFC 6962, as golang.org/x/mod/sumdb/tlog
// lays them out) in a file: about two 32-byte hashes per leaf, appended in leaf order, so that a tree hash or
// a proof at any size reads a few dozen hashes. Backends of the eventstore port keep their log's tree in one;
// with no path it lives in memory (a read-only store, or a store without a cache directory).
package treefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrSize: a size or index outside the tree.
var ErrSize = errors.New("outside the tree")

// File is a tree's stored hashes. Appends and truncations must come from one goroutine at a time; reads of
// the hashes of leaves already appended may run beside them.
type File struct {
	f      *os.File // nil: in memory
	mu     sync.RWMutex
	mem    []tlog.Hash
	leaves int64
	// edge is the right edge of the tree of edgeN leaves, which is one complete subtree of 2^k leaves for
	// each bit k set in edgeN, largest first: edge[k] is that subtree's hash. Those are the only stored
	// hashes an append reads, so keeping them spares each append its reads of the file (one per level). Only
	// Append and Truncate use it; edgeN is -1 while unknown (the next append reads the edge from the file).
	edge  [64]tlog.Hash
	edgeN int64
}

// Open opens (creating when writable) the hashes file at path; with path "" the tree lives in memory. Hashes
// past the last whole leaf (a write cut short) are ignored, and cut off by the next append.
func Open(path string, readOnly bool) (*File, error) {
	if path == "" {
		return &File{edgeN: -1}, nil
	}
	flag := os.O_RDWR | os.O_CREATE
	if readOnly {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open tree hashes: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open tree hashes: %w", err)
	}
	return &File{f: f, leaves: leavesIn(st.Size() / tlog.HashSize), edgeN: -1}, nil
}

// leavesIn is the largest number of leaves whose stored hashes fit in count hashes.
func leavesIn(count int64) int64 {
	// StoredHashCount(n) >= n, so n <= count.
	return int64(sort.Search(int(count)+1, func(n int) bool { return tlog.StoredHashCount(int64(n)) > count })) - 1
}

// Leaves is the number of leaves stored.
func (t *File) Leaves() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.leaves
}

// Truncate keeps the first n leaves.
func (t *File) Truncate(n int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n > t.leaves {
		return fmt.Errorf("truncate tree to %d leaves: it has %d: %w", n, t.leaves, ErrSize)
	}
	count := tlog.StoredHashCount(n)
	if t.f == nil {
		t.mem = t.mem[:count]
	} else if err := t.f.Truncate(count * tlog.HashSize); err != nil {
		return fmt.Errorf("truncate tree hashes: %w", err)
	}
	t.leaves = n
	t.edgeN = -1
	return nil
}

// Append adds leaves (their RFC 6962 leaf hashes) after the stored ones, writing their hashes with one write
// and, when sync is set, syncing them to disk before it returns. The hashes it combines them with are the
// tree's right edge, kept in memory between appends: an append reads nothing from the file.
func (t *File) Append(leafHashes [][32]byte, sync bool) error {
	if len(leafHashes) == 0 {
		return nil
	}
	n := t.Leaves()
	if err := t.loadEdge(n); err != nil {
		return err
	}
	// Until the write below succeeds the edge describes leaves the file does not hold.
	t.edgeN = -1
	base := tlog.StoredHashCount(n)
	staged := make([]tlog.Hash, 0, tlog.StoredHashCount(n+int64(len(leafHashes)))-base)
	r := &edgeReader{t: t}
	for i, h := range leafHashes {
		leaf := n + int64(i)
		r.leaves = leaf
		hs, err := tlog.StoredHashesForRecordHash(leaf, h, r)
		if err != nil {
			return fmt.Errorf("tree hashes of leaf %d: %w", leaf, err)
		}
		staged = append(staged, hs...)
		// Leaf completes subtrees at levels 0..len(hs)-1; the largest is the edge's new entry at its level, and
		// the bits below it are clear in leaf+1.
		t.edge[len(hs)-1] = hs[len(hs)-1]
	}
	end := n + int64(len(leafHashes))
	if err := t.commit(base, staged, end, sync); err != nil {
		return err
	}
	t.edgeN = end
	return nil
}

// loadEdge reads the right edge of the tree of n leaves from the stored hashes, unless it is already known.
func (t *File) loadEdge(n int64) error {
	if t.edgeN == n {
		return nil
	}
	var levels []int
	var indexes []int64
	for k := range 64 {
		if n>>k&1 == 1 {
			levels = append(levels, k)
			indexes = append(indexes, tlog.StoredHashIndex(k, n>>k-1))
		}
	}
	hs, err := t.ReadHashes(indexes)
	if err != nil {
		return fmt.Errorf("read the tree's right edge at %d leaves: %w", n, err)
	}
	for i, k := range levels {
		t.edge[k] = hs[i]
	}
	t.edgeN = n
	return nil
}

// edgeReader serves tlog.StoredHashesForRecordHash, for the leaf after the first leaves, from the right edge:
// it asks only for the complete subtrees that leaf closes, each on the edge.
type edgeReader struct {
	t      *File
	leaves int64
}

// ReadHashes implements tlog.HashReader.
func (r *edgeReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		k, _ := tlog.SplitStoredHashIndex(x)
		if k >= len(r.t.edge) || r.leaves>>k&1 == 0 || x != tlog.StoredHashIndex(k, r.leaves>>k-1) {
			return nil, fmt.Errorf("tree hash %d is not on the right edge of %d leaves: %w", x, r.leaves, ErrSize)
		}
		out[i] = r.t.edge[k]
	}
	return out, nil
}

func (t *File) commit(base int64, staged []tlog.Hash, leaves int64, sync bool) error {
	if t.f == nil {
		t.mu.Lock()
		t.mem = append(t.mem[:base], staged...)
		t.leaves = leaves
		t.mu.Unlock()
		return nil
	}
	buf := make([]byte, 0, len(staged)*tlog.HashSize)
	for _, h := range staged {
		buf = append(buf, h[:]...)
	}
	if _, err := t.f.WriteAt(buf, base*tlog.HashSize); err != nil {
		return fmt.Errorf("write tree hashes: %w", err)
	}
	if sync {
		if err := syncData(t.f); err != nil {
			return fmt.Errorf("sync tree hashes: %w", err)
		}
	}
	t.mu.Lock()
	t.leaves = leaves
	t.mu.Unlock()
	return nil
}

// ReadHashes implements tlog.HashReader for the hashes of the leaves stored. Runs of consecutive indexes are
// read with one read each.
func (t *File) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	t.mu.RLock()
	defer t.mu.RUnlock()
	count := tlog.StoredHashCount(t.leaves)
	for i, x := range indexes {
		if x < 0 || x >= count {
			return nil, fmt.Errorf("tree hash %d of %d: %w", x, count, ErrSize)
		}
		if t.f == nil {
			out[i] = t.mem[x]
		}
	}
	if t.f == nil {
		return out, nil
	}
	for i := 0; i < len(indexes); {
		run := 1
		for i+run < len(indexes) && indexes[i+run] == indexes[i]+int64(run) {
			run++
		}
		buf := make([]byte, run*tlog.HashSize)
		if _, err := t.f.ReadAt(buf, indexes[i]*tlog.HashSize); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("read tree hash %d: %w", indexes[i], err)
		}
		for k := range run {
			copy(out[i+k][:], buf[k*tlog.HashSize:])
		}
		i += run
	}
	return out, nil
}

// LeafHash is the stored hash of leaf i.
func (t *File) LeafHash(i int64) (tlog.Hash, error) {
	hs, err := t.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}

// Close closes the file.
func (t *File) Close() error {
	if t.f == nil {
		return nil
	}
	return t.f.Close()
}

// Refresh picks up leaves another process appended to the file since it was opened (for a read-only reader
// beside a writer).
func (t *File) Refresh() error {
	if t.f == nil {
		return nil
	}
	st, err := t.f.Stat()
	if err != nil {
		return fmt.Errorf("tree hashes: %w", err)
	}
	t.mu.Lock()
	t.leaves = max(t.leaves, leavesIn(st.Size()/tlog.HashSize))
	t.mu.Unlock()
	return nil
}

// Sync makes the appended hashes durable.
func (t *File) Sync() error {
	if t.f == nil {
		return nil
	}
	if err := syncData(t.f); err != nil {
		return fmt.Errorf("sync tree hashes: %w", err)
	}
	return nil
}
