package eventstore

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrNotInLog: a leaf index, tree size or position that the log does not (yet) hold.
var ErrNotInLog = errors.New("not in the log")

// Log is the append-only Merkle tree over every stored event in global order (spec section 6): leaf i is the
// i-th event. Both backends implement it; the checkpoint, receipt, witness and evidence code uses it.
type Log interface {
	// TreeSize is the number of leaves: every event stored when it was called.
	TreeSize(ctx context.Context) (int64, error)
	// TreeHash is the root hash of the tree of the first n leaves.
	TreeHash(ctx context.Context, n int64) (tlog.Hash, error)
	// ProveLeaf proves that leaf i is in the tree of size n (RFC 6962 inclusion proof).
	ProveLeaf(ctx context.Context, i, n int64) (tlog.RecordProof, error)
	// ProveTree proves that the tree of size n is a prefix of the tree of size m (RFC 6962 consistency proof).
	ProveTree(ctx context.Context, n, m int64) (tlog.TreeProof, error)
	// LeafEvent is the event that is leaf i.
	LeafEvent(ctx context.Context, i int64) (Recorded, error)
	// LeafIndex is the leaf of the event stored at pos.
	LeafIndex(ctx context.Context, pos Position) (int64, error)
}

// FillLeafIndexes sets the leaf index of every event of the results from its position.
func FillLeafIndexes(ctx context.Context, l Log, results []AppendResult) error {
	for _, res := range results {
		for i, a := range res.Events {
			idx, err := l.LeafIndex(ctx, a.Position)
			if err != nil {
				return fmt.Errorf("leaf of event %s: %w", a.ID, err)
			}
			res.Events[i].LeafIndex = uint64(idx)
		}
	}
	return nil
}

// CheckConsistencySizes checks a consistency proof's request (the tree of size n is a prefix of the tree of size
// m) against a log of size leaves; ErrNotInLog when it cannot be answered.
func CheckConsistencySizes(n, m, size int64) error {
	if err := CheckSizes(-1, m, size); err != nil {
		return err
	}
	if n < 1 || n > m {
		return fmt.Errorf("consistency of tree size %d with %d: sizes must be 1 <= n <= m: %w", n, m, ErrNotInLog)
	}
	return nil
}

// CheckSizes reports whether 0 <= i < n <= size (use i = -1 to check only n), as an error naming the problem.
func CheckSizes(i, n, size int64) error {
	switch {
	case n < 0 || n > size:
		return fmt.Errorf("tree size %d: the log has %d leaves: %w", n, size, ErrNotInLog)
	case i >= n:
		return fmt.Errorf("leaf %d: the tree of size %d has leaves 0 to %d: %w", i, n, n-1, ErrNotInLog)
	case i < -1:
		return fmt.Errorf("leaf %d: %w", i, ErrNotInLog)
	}
	return nil
}
