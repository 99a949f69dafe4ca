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

var _ eventstore.Log = (*Store)(nil)

// ErrTreeMismatch: the stored tree's last leaves do not match the log's events.
var ErrTreeMismatch = errors.New("event log and its tree disagree")

// openTree opens the tree beside a writable log and brings it in line with the log: hashes past the log's
// end (a crash between the two writes) are cut off, the last treeRecheck leaves checked against the log's
// events (holes a crash left are recomputed, a contradiction refuses the store), and missing leaves (a tree
// lost, cut short, or from before the tree) computed from the log. The whole tree is durable when it returns.
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
	ctx := context.Background()
	chk, err := s.checkTreeTail(ctx, t, max(0, t.Leaves()-treeRecheck), t.Leaves())
	if err != nil {
		return fmt.Errorf("refusing to write: %w", err)
	}
	if chk.keep < t.Leaves() {
		s.opts.Logger.Warn("event log: the tree's hashes of the last leaves were lost to a crash; recomputing them "+
			"from the log", "from_leaf", chk.keep, "leaves", t.Leaves()-chk.keep)
		if err := t.Truncate(chk.keep); err != nil {
			return err
		}
		if err := t.Append(chk.repair, true); err != nil {
			return err
		}
	}
	if t.Leaves() < n {
		s.opts.Logger.Info("event log: computing the tree's hashes from the log", "from_leaf", t.Leaves(), "leaves", n)
	}
	if err := s.extendTree(ctx, t, n); err != nil {
		return err
	}
	if err := t.Sync(); err != nil {
		return err
	}
	s.durable.raise(n)
	return nil
}

// extendTree appends the leaves of the events after the tree's end up to n, reading the log in order. It
// syncs the file every treeSyncEvery leaves, as the writer does, so that a crash during a long rebuild leaves
// holes only where the next open looks for them.
func (s *Store) extendTree(ctx context.Context, t *treefile.File, n int64) error {
	const chunk = treeSyncEvery / 2
	from := t.Leaves()
	if from >= n {
		return nil
	}
	hashes := make([][32]byte, 0, min(chunk, n-from))
	i, synced := from, from
	for rec, err := range s.ReadAll(ctx, eventstore.Position{Commit: uint64(from), Prepare: uint64(from)}) {
		if i == n {
			break
		}
		if err != nil {
			return fmt.Errorf("leaf %d: %w", i, err)
		}
		hashes = append(hashes, eventstore.LeafHash(eventstore.Leaf(rec)))
		i++
		if len(hashes) < chunk && i < n {
			continue
		}
		if err := t.Append(hashes, false); err != nil {
			return err
		}
		hashes = hashes[:0]
		if i-synced >= treeSyncEvery {
			if err := t.Sync(); err != nil {
				return err
			}
			synced = i
		}
	}
	if i < n {
		return fmt.Errorf("compute the log's tree: the log ends at leaf %d, before leaf %d", i, n)
	}
	return nil
}

// logTree returns the tree and its size: for a read-only store, the hashes file if it covers the log as
// indexed and its last leaves hold, else a tree computed in memory.
func (s *Store) logTree() (*treefile.File, int64, error) {
	n, err := s.logSize()
	if err != nil {
		return nil, 0, err
	}
	if !s.opts.ReadOnly {
		return s.tree, n, nil
	}
	s.treeOnce.Do(func() { s.treeErr = s.openReadOnlyTree(n) })
	return s.tree, n, s.treeErr
}

// logSize is the number of events in the log as indexed: the tree's size.
func (s *Store) logSize() (int64, error) {
	ix, err := s.index()
	if err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return int64(ix.last()), nil
}

// openReadOnlyTree uses the hashes file when it covers n leaves and the last treeRecheck of them have no holes
// (a writer may have crashed before syncing them, and repairs them only when it opens again); otherwise,
// and when the file is missing or short, it computes the tree in memory. Recomputing those leaves from the
// log, which would also catch a file contradicting it, is left to the writable open and to verify: a query
// that signs or proves should not pay for it.
func (s *Store) openReadOnlyTree(n int64) error {
	ctx := context.Background()
	t, err := treefile.Open(filepath.Join(s.dir, hashesName), true)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err == nil && t.Leaves() >= n {
		hole, err := firstHole(t, max(0, n-treeRecheck), n)
		if err != nil {
			t.Close()
			return err
		}
		if hole == n {
			s.tree = t
			return nil
		}
		s.opts.Logger.Warn("event log: the tree's hashes have holes a crash left (the writer repairs them when it "+
			"opens); computing the tree in memory", "from_leaf", hole)
	}
	if t != nil {
		t.Close()
	}
	mem, _ := treefile.Open("", false)
	s.tree = mem
	return s.extendTree(ctx, mem, n)
}

// durableTree is logTree for a tree hash or proof of the first n leaves: their hashes are made durable first.
func (s *Store) durableTree(n int64) (*treefile.File, int64, error) {
	t, size, err := s.logTree()
	if err != nil || n < 0 || n > size {
		return t, size, err
	}
	return t, size, s.syncTreeTo(n)
}

// TreeSize implements eventstore.Log.
func (s *Store) TreeSize(ctx context.Context) (int64, error) {
	_, n, err := s.logTree()
	return n, err
}

// TreeHash implements eventstore.Log. The hashes it reads are durable when it returns, so a checkpoint signed
// over the root survives a crash.
func (s *Store) TreeHash(ctx context.Context, n int64) (tlog.Hash, error) {
	t, size, err := s.durableTree(n)
	if err != nil {
		return tlog.Hash{}, err
	}
	if err := eventstore.CheckSizes(-1, n, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(n, t)
}

// ProveLeaf implements eventstore.Log, from durable hashes.
func (s *Store) ProveLeaf(ctx context.Context, i, n int64) (tlog.RecordProof, error) {
	t, size, err := s.durableTree(n)
	if err != nil {
		return nil, err
	}
	if err := eventstore.CheckSizes(i, n, size); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(n, i, t)
}

// ProveTree implements eventstore.Log, from durable hashes.
func (s *Store) ProveTree(ctx context.Context, n, m int64) (tlog.TreeProof, error) {
	t, size, err := s.durableTree(m)
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
	n, err := s.logSize()
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
