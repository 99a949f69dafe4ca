package embedded

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

// zeroHash is what a block a crash left unwritten holds.
var zeroHash tlog.Hash

// errTreeHole: the stored tree has a hash of all zeros, a block a crash left unwritten (see checkTreeTail).
var errTreeHole = errors.New("event log tree: hashes lost to a crash")

// tailCheck is what checkTreeTail found: the leaves whose stored hashes hold, and the recomputed leaf hashes
// of those after them.
type tailCheck struct {
	keep   int64
	repair [][32]byte
}

// checkTreeTail recomputes from the log the tree's stored hashes of leaves [from, end) and compares them with
// the hashes file. A stored hash of all zeros is a hole a crash left (file systems show blocks written but
// never synced as zeros), never evidence: keep is the first leaf with one, and repair the leaf hashes from
// there to end. Any other difference is a contradiction between the log and its tree, ErrTreeMismatch naming
// the first leaf that differs: the tree is then left as it is, the evidence of what the log held.
func (s *Store) checkTreeTail(ctx context.Context, t *treefile.File, from, end int64) (tailCheck, error) {
	res := tailCheck{keep: end}
	if from >= end {
		return res, nil
	}
	first, stored, err := storedHashes(t, from, end)
	if err != nil {
		return res, err
	}
	// want holds the recomputed hashes from index first on; older ones come from the file (already checked
	// by earlier opens, or covered by a sync).
	want := make([]tlog.Hash, 0, len(stored))
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return overlayHashes(t, first, want, idx)
	})
	leaves := make([][32]byte, 0, end-from)
	i := from
	for rec, err := range s.ReadAll(ctx, eventstore.Position{Commit: uint64(from), Prepare: uint64(from)}) {
		if i == end {
			break
		}
		if err != nil {
			return res, fmt.Errorf("check the log's tree at leaf %d: %w", i, err)
		}
		leaf := eventstore.LeafHash(eventstore.Leaf(rec))
		hs, err := tlog.StoredHashesForRecordHash(i, leaf, r)
		if err != nil {
			return res, fmt.Errorf("check the log's tree at leaf %d: %w", i, err)
		}
		base := int64(len(want))
		want = append(want, hs...)
		if err := compareHashes(stored[base:base+int64(len(hs))], hs, i); errors.Is(err, errTreeHole) {
			res.keep = min(res.keep, i)
		} else if err != nil {
			return res, err
		}
		leaves = append(leaves, leaf)
		i++
	}
	if i < end {
		return res, fmt.Errorf("check the log's tree: the log ends at leaf %d, before leaf %d", i, end)
	}
	res.repair = leaves[res.keep-from:]
	return res, nil
}

// storedHashes reads the hashes file's hashes of leaves [from, end): every stored hash from index first on
// that those leaves add.
func storedHashes(t *treefile.File, from, end int64) (first int64, stored []tlog.Hash, err error) {
	first = tlog.StoredHashCount(from)
	indexes := make([]int64, tlog.StoredHashCount(end)-first)
	for i := range indexes {
		indexes[i] = first + int64(i)
	}
	stored, err = t.ReadHashes(indexes)
	return first, stored, err
}

// firstHole is the first leaf in [from, end) with an all-zero stored hash, or end when there is none.
func firstHole(t *treefile.File, from, end int64) (int64, error) {
	if from >= end {
		return end, nil
	}
	first, stored, err := storedHashes(t, from, end)
	if err != nil {
		return 0, err
	}
	for i := from; i < end; i++ {
		for x := tlog.StoredHashCount(i); x < tlog.StoredHashCount(i+1); x++ {
			if stored[x-first] == zeroHash {
				return i, nil
			}
		}
	}
	return end, nil
}

// overlayHashes reads hashes from want (those from index first on) or else from the file.
func overlayHashes(t *treefile.File, first int64, want []tlog.Hash, idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for k, x := range idx {
		if x >= first {
			if x-first >= int64(len(want)) {
				return nil, fmt.Errorf("tree hash %d not computed yet", x)
			}
			out[k] = want[x-first]
			continue
		}
		hs, err := t.ReadHashes([]int64{x})
		if err != nil {
			return nil, err
		}
		out[k] = hs[0]
	}
	return out, nil
}

// compareHashes compares the stored hashes of leaf i with the recomputed ones: nil, errTreeHole, or
// ErrTreeMismatch.
func compareHashes(stored, want []tlog.Hash, i int64) error {
	hole := false
	for k := range want {
		switch {
		case stored[k] == want[k]:
		case stored[k] == zeroHash:
			hole = true
		default:
			// Never overwritten: the stored tree is the evidence of what the log held (see verify --checkpoint).
			return fmt.Errorf("leaf %d of the log's tree (%s) does not match the event at position %d, so the "+
				"log was changed after it was written (run fairtrail verify --checkpoint; move %s away only to "+
				"start a new tree from the log as it is): %w", i, hashesName, i+1, hashesName, ErrTreeMismatch)
		}
	}
	if hole {
		return errTreeHole
	}
	return nil
}
