package embedded

import (
	"errors"
)

// lookup runs f over the index under the read lock. A read-only store checks the blocks of events.idx as
// lookups read them: when f meets one that fails its checksum (errIndexFile), the persisted index is dropped,
// the log indexed by a scan instead, and f run again over that, so a damaged index file costs a scan, never a
// wrong answer. A writable store checked every block at open, so f's errors are returned as they are.
func (s *Store) lookup(f func(ix *index) error) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	s.mu.RLock()
	err = f(ix)
	s.mu.RUnlock()
	if !s.opts.ReadOnly || ix.base == nil || !errors.Is(err, errIndexFile) {
		return err
	}
	if ix, err = s.rescan(ix, err); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return f(ix)
}

// rescan replaces a read-only store's index whose persisted part failed a check (cause) by one built from a
// scan of the log, unless another lookup replaced it already. The dropped base stays mapped until Close: a
// reader may still hold it.
func (s *Store) rescan(damaged *index, cause error) (*index, error) {
	s.rescanMu.Lock()
	defer s.rescanMu.Unlock()
	s.mu.RLock()
	current := s.ix
	s.mu.RUnlock()
	if current != damaged {
		return current, nil
	}
	s.opts.Logger.Warn("event log: the persisted index failed a check as it was read; scanning the log", "err", cause)
	ix, end, err := s.scanReadOnly(nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retired = append(s.retired, damaged.base)
	s.ix, s.ixErr = ix, err
	s.size.Store(max(end, s.size.Load()))
	return ix, err
}

// scanReadOnly indexes the log after what base covers (all of it without a base). A base that turns out not
// to match as the tail is added (a block of it failing its checksum) is dropped for a scan of the whole log.
func (s *Store) scanReadOnly(base *frozen) (*index, int64, error) {
	ix, end, damaged, err := scanIndex(s.f, newIndex(base), false)
	if errors.Is(err, errIndexFile) && base != nil {
		s.opts.Logger.Warn("event log: the persisted index does not match the log; scanning the log", "err", err)
		s.mu.Lock()
		s.retired = append(s.retired, base)
		s.mu.Unlock()
		ix, end, damaged, err = scanIndex(s.f, newIndex(nil), false)
	}
	switch {
	case err != nil:
		return ix, end, err
	case damaged != nil && !damaged.lastRecord:
		return ix, end, damaged.err
	}
	return ix, end, nil
}
