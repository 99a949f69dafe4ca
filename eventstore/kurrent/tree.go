package kurrent

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

var _ eventstore.Log = (*Store)(nil)

// logCache is the log's Merkle tree derived from fairtrail's events in $all order, kept in Options.CacheDir
// (or memory): the tree's hashes, and each leaf's position in $all.
type logCache struct {
	mu        sync.Mutex // one catch-up at a time
	opened    bool
	tree      *treefile.File
	posFile   *os.File // nil in memory
	positions []eventstore.Position
}

// cacheName names a store's cache files: the same database and namespace share them, others do not.
func (s *Store) cacheName() string {
	sum := sha256.Sum256([]byte(s.where + "\x00" + s.opts.Namespace))
	return "kurrent-" + hex.EncodeToString(sum[:8])
}

// openCache loads the cache and checks that its last leaf is still the event at its place in $all; a cache
// of another database, or of one restored from a backup, is thrown away and rebuilt.
func (s *Store) openCache(ctx context.Context) error {
	c := &s.log
	hashes, positions := "", ""
	if s.opts.CacheDir != "" {
		if err := os.MkdirAll(s.opts.CacheDir, 0o750); err != nil {
			return fmt.Errorf("log cache: %w", err)
		}
		base := filepath.Join(s.opts.CacheDir, s.cacheName())
		hashes, positions = base+".hashes", base+".positions"
	}
	t, err := treefile.Open(hashes, false)
	if err != nil {
		return err
	}
	c.tree = t
	if positions != "" {
		if c.posFile, err = os.OpenFile(positions, os.O_RDWR|os.O_CREATE, 0o640); err != nil {
			return fmt.Errorf("log cache: %w", err)
		}
		if c.positions, err = readPositions(c.posFile); err != nil {
			return err
		}
	}
	n := min(t.Leaves(), int64(len(c.positions)))
	if n > 0 && !s.cachedLeafHolds(ctx, n-1) {
		if hashes == "" {
			return s.cutCache(0)
		}
		// Kept aside, not overwritten: it is evidence of what the database held (see checkpoint.Verify).
		aside := fmt.Sprintf(".mismatch-%d", s.opts.Now().Unix())
		s.opts.Logger.Warn("KurrentDB log cache does not match the database; kept aside and rebuilt",
			"dir", s.opts.CacheDir, "suffix", aside)
		err := errors.Join(c.tree.Close(), c.posFile.Close(), os.Rename(hashes, hashes+aside), os.Rename(positions, positions+aside))
		c.tree, c.posFile, c.positions = nil, nil, nil
		if err != nil {
			return fmt.Errorf("log cache: %w", err)
		}
		return s.openCache(ctx)
	}
	return s.cutCache(n)
}

// cachedLeafHolds reports whether leaf i of the cache is the event at its position, unchanged.
func (s *Store) cachedLeafHolds(ctx context.Context, i int64) bool {
	rec, err := s.leafAt(ctx, i)
	if err != nil || rec.Position != s.log.positions[i] {
		return false
	}
	h, err := s.log.tree.LeafHash(i)
	return err == nil && h == eventstore.LeafHash(eventstore.Leaf(rec))
}

func (s *Store) cutCache(n int64) error {
	c := &s.log
	c.positions = c.positions[:n]
	if c.posFile != nil {
		if err := c.posFile.Truncate(n * 16); err != nil {
			return fmt.Errorf("log cache: %w", err)
		}
	}
	if c.tree.Leaves() > n {
		return c.tree.Truncate(n)
	}
	return nil
}

func readPositions(f *os.File) ([]eventstore.Position, error) {
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("log cache positions: %w", err)
	}
	out := make([]eventstore.Position, len(b)/16)
	for i := range out {
		out[i] = eventstore.Position{Commit: binary.LittleEndian.Uint64(b[16*i:]), Prepare: binary.LittleEndian.Uint64(b[16*i+8:])}
	}
	return out, nil
}

// catchUp brings the tree up to the end of $all and returns its size.
func (s *Store) catchUp(ctx context.Context) (int64, error) {
	c := &s.log
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.opened {
		if err := s.openCache(ctx); err != nil {
			return 0, err
		}
		c.opened = true
	}
	after := eventstore.Start
	if n := len(c.positions); n > 0 {
		after = c.positions[n-1]
	}
	var leaves [][32]byte
	var added []eventstore.Position
	for rec, err := range s.ReadAll(ctx, after) {
		if err != nil {
			return 0, fmt.Errorf("log of $all after leaf %d: %w", len(c.positions)+len(added)-1, err)
		}
		leaves = append(leaves, eventstore.LeafHash(eventstore.Leaf(rec)))
		added = append(added, rec.Position)
	}
	if err := s.addLeaves(leaves, added); err != nil {
		return 0, err
	}
	return int64(len(c.positions)), nil
}

func (s *Store) addLeaves(leaves [][32]byte, added []eventstore.Position) error {
	c := &s.log
	if len(leaves) == 0 {
		return nil
	}
	if c.posFile != nil {
		b := make([]byte, 0, 16*len(added))
		for _, p := range added {
			b = binary.LittleEndian.AppendUint64(b, p.Commit)
			b = binary.LittleEndian.AppendUint64(b, p.Prepare)
		}
		if _, err := c.posFile.WriteAt(b, int64(16*len(c.positions))); err != nil {
			return fmt.Errorf("log cache positions: %w", err)
		}
	}
	if err := c.tree.Append(leaves, false); err != nil {
		return err
	}
	c.positions = append(c.positions, added...)
	return nil
}

// closeCache releases the cache's files.
func (s *Store) closeCache() error {
	c := &s.log
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.tree != nil {
		err = c.tree.Close()
	}
	if c.posFile != nil {
		err = errors.Join(err, c.posFile.Close())
	}
	return err
}

// leafAt reads the event that is leaf i: the first of fairtrail's events after leaf i-1's position.
func (s *Store) leafAt(ctx context.Context, i int64) (eventstore.Recorded, error) {
	after := eventstore.Start
	if i > 0 {
		after = s.log.positions[i-1]
	}
	for rec, err := range s.ReadAll(ctx, after) {
		return rec, err
	}
	return eventstore.Recorded{}, fmt.Errorf("leaf %d: %w", i, eventstore.ErrNotInLog)
}

// TreeSize implements eventstore.Log: the tree catches up with $all first.
func (s *Store) TreeSize(ctx context.Context) (int64, error) { return s.catchUp(ctx) }

// TreeHash implements eventstore.Log.
func (s *Store) TreeHash(ctx context.Context, n int64) (tlog.Hash, error) {
	size, err := s.catchUp(ctx)
	if err != nil {
		return tlog.Hash{}, err
	}
	if err := eventstore.CheckSizes(-1, n, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(n, s.log.tree)
}

// ProveLeaf implements eventstore.Log.
func (s *Store) ProveLeaf(ctx context.Context, i, n int64) (tlog.RecordProof, error) {
	size, err := s.catchUp(ctx)
	if err != nil {
		return nil, err
	}
	if err := eventstore.CheckSizes(i, n, size); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(n, i, s.log.tree)
}

// ProveTree implements eventstore.Log.
func (s *Store) ProveTree(ctx context.Context, n, m int64) (tlog.TreeProof, error) {
	size, err := s.catchUp(ctx)
	if err != nil {
		return nil, err
	}
	if err := eventstore.CheckConsistencySizes(n, m, size); err != nil {
		return nil, err
	}
	return tlog.ProveTree(m, n, s.log.tree)
}

// LeafEvent implements eventstore.Log.
func (s *Store) LeafEvent(ctx context.Context, i int64) (eventstore.Recorded, error) {
	size, err := s.catchUp(ctx)
	if err != nil {
		return eventstore.Recorded{}, err
	}
	if err := eventstore.CheckSizes(i, size, size); err != nil || i < 0 {
		return eventstore.Recorded{}, fmt.Errorf("leaf %d: %w", i, eventstore.ErrNotInLog)
	}
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.leafAt(ctx, i)
}

// LeafIndex implements eventstore.Log.
func (s *Store) LeafIndex(ctx context.Context, pos eventstore.Position) (int64, error) {
	if _, err := s.catchUp(ctx); err != nil {
		return 0, err
	}
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	ps := s.log.positions
	i := sort.Search(len(ps), func(i int) bool { return !ps[i].Less(pos) })
	if i == len(ps) || ps[i] != pos {
		return 0, fmt.Errorf("position %s: %w", pos, eventstore.ErrNotInLog)
	}
	return int64(i), nil
}

// StoredTree is the tree as the cache directory holds it, before it catches up with $all (see
// checkpoint.Verify); without a cache directory there is none. The caller closes it.
func (s *Store) StoredTree(ctx context.Context) (tlog.HashReader, int64, func() error, error) {
	none := tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, os.ErrNotExist })
	if s.opts.CacheDir == "" {
		return none, 0, func() error { return nil }, nil
	}
	t, err := treefile.Open(filepath.Join(s.opts.CacheDir, s.cacheName()+".hashes"), true)
	if errors.Is(err, os.ErrNotExist) {
		return none, 0, func() error { return nil }, nil
	}
	if err != nil {
		return nil, 0, nil, err
	}
	return t, t.Leaves(), t.Close, nil
}
