package embedded

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// treeSyncEvery is how many leaves the writer lets events.hashes run ahead of its last fdatasync: a group
// commit that leaves at least this many unsynced syncs the hashes file together with the log. The log alone
// is synced per commit; the tree is derived from it (see the package comment).
const treeSyncEvery = 8192

// treeRecheck is how many of the tree's last leaves an open recomputes from the log and compares with the
// hashes file. Before a group commit at most treeSyncEvery-1 leaves are unsynced and a commit adds at most
// maxGroupEvents (a rebuild at open syncs as often, a repair at once), so every hash a crash (even a power
// loss) can have lost, zeroed or torn belongs to one of the last treeRecheck leaves written.
const treeRecheck = treeSyncEvery + maxGroupEvents

// treeDurable is how many leaves of events.hashes are known to be on disk.
type treeDurable struct{ n atomic.Int64 }

// raise records that at least n leaves are durable.
func (d *treeDurable) raise(n int64) {
	for {
		cur := d.n.Load()
		if n <= cur || d.n.CompareAndSwap(cur, n) {
			return
		}
	}
}

// treeSyncDue reports whether a commit that brings the tree to leaves should sync the hashes file.
func (s *Store) treeSyncDue(leaves int64) bool { return leaves-s.durable.n.Load() >= s.treeSyncAt }

// syncTreeTo makes the tree's hashes of the first n leaves durable before they are handed out in a tree
// hash or a proof, so that a checkpoint signed over them, or a proof a client keeps, cannot be lost to a
// crash. A read-only store syncs the log too: the writer that wrote the events may not have synced them yet.
func (s *Store) syncTreeTo(n int64) error {
	if n <= s.durable.n.Load() {
		return nil
	}
	s.treeSyncMu.Lock()
	defer s.treeSyncMu.Unlock()
	if n <= s.durable.n.Load() {
		return nil
	}
	leaves := s.tree.Leaves()
	var err error
	if s.opts.ReadOnly {
		err = syncFile(s.f)
	}
	if err = errors.Join(err, s.tree.Sync()); err != nil {
		return fmt.Errorf("make the log's tree durable: %w", err)
	}
	s.durable.raise(leaves)
	return nil
}
