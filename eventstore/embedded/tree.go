package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

// hashesName is the file beside events.log that holds the log's Merkle tree hashes (spec section 6).
const hashesName = "events.hashes"

// tailCheck is how many of the last leaves are recomputed from the log at open and compared with the tree.
const tailCheck = 64

var _ eventstore.Log = (*Store)(nil)

// ErrTreeMismatch: the stored tree's last leaves do not match the log's events.
var ErrTreeMismatch = errors.New("event log and its tree disagree")

// openTree opens the tree beside a writable log and brings it in line with the log: hashes past the log's
// end (a crash between the two writes) are cut off, missing ones (a tree lost, or a store from before the
// tree) computed from the log, and the last leaves checked against the log's events.
func (s *Store) openTree() error {
	t, err := treefile.Open(filepath.Join(s.dir, hashesName), false)
	if err != nil {
		return err
	}
	s.tree = t
	n := int64(s.ix.last())
	if t.Leaves() > n {
		if err := t.Truncate(n); err != nil {
			return err
		}
	}
	from := max(0, t.Leaves()-tailCheck)
	for i := from; i < t.Leaves(); i++ {
		stored, err := t.LeafHash(i)
		if err != nil {
			return err
		}
		if want, err := s.leafHash(i); err != nil || want != stored {
			if err != nil {
				return err
			}
			// Never overwritten: the stored tree is the evidence of what the log held (see verify --checkpoint).
			return fmt.Errorf("refusing to write: leaf %d of the log's tree (%s) does not match the event at "+
				"position %d, so the log was changed after it was written (run fairtrail verify --checkpoint; "+
				"move %s away only to start a new tree from the log as it is): %w", i, hashesName, i+1, hashesName,
				ErrTreeMismatch)
		}
	}
	if t.Leaves() < n {
		s.opts.Logger.Info("event log: computing the tree's hashes from the log", "from_leaf", t.Leaves(), "leaves", n)
	}
	return s.extendTree(t, n)
}

// extendTree appends the leaves of the events after the tree's end up to n.
func (s *Store) extendTree(t *treefile.File, n int64) error {
	const chunk = 4096
	for t.Leaves() < n {
		from := t.Leaves()
		hashes := make([][32]byte, 0, min(chunk, n-from))
		for i := from; i < n && len(hashes) < chunk; i++ {
			h, err := s.leafHash(i)
			if err != nil {
				return err
			}
			hashes = append(hashes, h)
		}
		if err := t.Append(hashes, false); err != nil {
			return err
		}
	}
	if err := t.Sync(); err != nil {
		return err
	}
	return nil
}

func (s *Store) leafHash(i int64) ([32]byte, error) {
	rec, err := s.readAt(uint64(i) + 1)
	if err != nil {
		return [32]byte{}, fmt.Errorf("leaf %d: %w", i, err)
	}
	return eventstore.LeafHash(eventstore.Leaf(rec)), nil
}

// logTree returns the tree and its size: for a read-only store, the hashes file if it covers the log as
// indexed, else a tree computed in memory.
func (s *Store) logTree() (*treefile.File, int64, error) {
	ix, err := s.index()
	if err != nil {
		return nil, 0, err
	}
	s.mu.RLock()
	n := int64(ix.last())
	s.mu.RUnlock()
	if !s.opts.ReadOnly {
		return s.tree, n, nil
	}
	s.treeOnce.Do(func() { s.treeErr = s.openReadOnlyTree(n) })
	return s.tree, n, s.treeErr
}

func (s *Store) openReadOnlyTree(n int64) error {
	t, err := treefile.Open(filepath.Join(s.dir, hashesName), true)
	if err == nil && t.Leaves() >= n {
		s.tree = t
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if t != nil {
		t.Close()
	}
	mem, _ := treefile.Open("", false)
	s.tree = mem
	return s.extendTree(mem, n)
}

// TreeSize implements eventstore.Log.
func (s *Store) TreeSize(ctx context.Context) (int64, error) {
	_, n, err := s.logTree()
	return n, err
}

// TreeHash implements eventstore.Log.
func (s *Store) TreeHash(ctx context.Context, n int64) (tlog.Hash, error) {
	t, size, err := s.logTree()
	if err != nil {
		return tlog.Hash{}, err
	}
	if err := eventstore.CheckSizes(-1, n, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(n, t)
}

// ProveLeaf implements eventstore.Log.
func (s *Store) ProveLeaf(ctx context.Context, i, n int64) (tlog.RecordProof, error) {
	t, size, err := s.logTree()
	if err != nil {
		return nil, err
	}
	if err := eventstore.CheckSizes(i, n, size); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(n, i, t)
}

// ProveTree implements eventstore.Log.
func (s *Store) ProveTree(ctx context.Context, n, m int64) (tlog.TreeProof, error) {
	t, size, err := s.logTree()
	if err != nil {
		return nil, err
	}
	if err := eventstore.CheckConsistencySizes(n, m, size); err != nil {
		return nil, err
	}
	return tlog.ProveTree(m, n, t)
}

// LeafEvent implements eventstore.Log: leaf i is the event at position i+1.
func (s *Store) LeafEvent(ctx context.Context, i int64) (eventstore.Recorded, error) {
	if i < 0 {
		return eventstore.Recorded{}, fmt.Errorf("leaf %d: %w", i, eventstore.ErrNotInLog)
	}
	rec, err := s.readAt(uint64(i) + 1)
	if errors.Is(err, eventstore.ErrNotFound) {
		return rec, fmt.Errorf("leaf %d: %w", i, eventstore.ErrNotInLog)
	}
	return rec, err
}

// LeafIndex implements eventstore.Log.
func (s *Store) LeafIndex(ctx context.Context, pos eventstore.Position) (int64, error) {
	_, n, err := s.logTree()
	if err != nil {
		return 0, err
	}
	if pos.Commit == 0 || int64(pos.Commit) > n {
		return 0, fmt.Errorf("position %s: %w", pos, eventstore.ErrNotInLog)
	}
	return int64(pos.Commit) - 1, nil
}

// StoredTree is the tree as events.hashes holds it, which may differ from the log after tampering (see
// checkpoint.Verify). The caller closes it.
func (s *Store) StoredTree(ctx context.Context) (tlog.HashReader, int64, func() error, error) {
	t, err := treefile.Open(filepath.Join(s.dir, hashesName), true)
	if errors.Is(err, os.ErrNotExist) {
		return tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, os.ErrNotExist }), 0,
			func() error { return nil }, nil
	}
	if err != nil {
		return nil, 0, nil, err
	}
	return t, t.Leaves(), t.Close, nil
}
