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

// File is a tree's stored hashes. Appends must come from one goroutine at a time; reads of the hashes of
// leaves already appended may run beside them.
type File struct {
	f      *os.File // nil: in memory
	mu     sync.RWMutex
	mem    []tlog.Hash
	leaves int64
}

// Open opens (creating when writable) the hashes file at path; with path "" the tree lives in memory. Hashes
// past the last whole leaf (a write cut short) are ignored, and cut off by the next append.
func Open(path string, readOnly bool) (*File, error) {
	if path == "" {
		return &File{}, nil
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
	return &File{f: f, leaves: leavesIn(st.Size() / tlog.HashSize)}, nil
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
	return nil
}

// Append adds leaves (their RFC 6962 leaf hashes) after the stored ones, writing their hashes with one write
// and, when sync is set, syncing them to disk before it returns.
func (t *File) Append(leafHashes [][32]byte, sync bool) error {
	if len(leafHashes) == 0 {
		return nil
	}
	n := t.Leaves()
	base := tlog.StoredHashCount(n)
	staged := make([]tlog.Hash, 0, tlog.StoredHashCount(n+int64(len(leafHashes)))-base)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		var old []int64
		for i, x := range idx {
			if x >= base {
				out[i] = staged[x-base]
			} else {
				old = append(old, x)
			}
		}
		got, err := t.ReadHashes(old)
		if err != nil {
			return nil, err
		}
		for i, x := range idx {
			if x < base {
				out[i], got = got[0], got[1:]
			}
		}
		return out, nil
	})
	for i, h := range leafHashes {
		hs, err := tlog.StoredHashesForRecordHash(n+int64(i), h, r)
		if err != nil {
			return fmt.Errorf("tree hashes of leaf %d: %w", n+int64(i), err)
		}
		staged = append(staged, hs...)
	}
	return t.commit(base, staged, n+int64(len(leafHashes)), sync)
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
