package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// loadBase maps events.idx and checks it against the log: the record at the last position it covers must be
// where it says, whole, with that position and the hash it holds for the record's stream, and end where it
// says the log ended. Nil (with a note in the log) when the file is missing, corrupt, stale or ahead of the
// log: the index is then rebuilt from the log, never trusted. A writable store checks every block of the file
// now; a read-only one checks each block as it reads it (see Store.lookup).
func (s *Store) loadBase() *frozen {
	fz, err := loadFrozen(filepath.Join(s.dir, indexName), !s.opts.ReadOnly)
	if err == nil {
		err = checkBase(s.f, fz)
	}
	switch {
	case err == nil:
		return fz
	case errors.Is(err, os.ErrNotExist):
		s.opts.Logger.Debug("event log: no persisted index yet; scanning the log")
	default:
		s.opts.Logger.Warn("event log: persisted index not used; scanning the log", "err", err)
	}
	fz.close()
	return nil
}

func checkBase(f *os.File, fz *frozen) error {
	if fz.n == 0 {
		if fz.logEnd != int64(len(fileMagic)) {
			return fmt.Errorf("%w: empty index ends at offset %d", errIndexFile, fz.logEnd)
		}
		return nil
	}
	off, err := fz.offset(fz.n)
	if err != nil {
		return err
	}
	var hdr [headerSize]byte
	if _, err := f.ReadAt(hdr[:], off); err != nil {
		return fmt.Errorf("%w: covers position %d at offset %d, beyond the log: %w", errIndexFile, fz.n, off, err)
	}
	n := int64(binary.LittleEndian.Uint32(hdr[:]))
	if n < fixedPartBytes || n > maxPayload || off+headerSize+n != fz.logEnd {
		return fmt.Errorf("%w: the record at offset %d does not end where the index says the log ended", errIndexFile, off)
	}
	payload := make([]byte, n)
	if _, err := f.ReadAt(payload, off+headerSize); err != nil {
		return fmt.Errorf("%w: %w", errIndexFile, err)
	}
	h, _, err := decodeHeader(payload)
	if err != nil || !checkPayload(payload, binary.LittleEndian.Uint32(hdr[4:])) || h.position != fz.n {
		return fmt.Errorf("%w: the log's record at offset %d is not position %d as indexed", errIndexFile, off, fz.n)
	}
	e, ok, err := fz.stream(string(h.stream))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: stream %s of position %d is not indexed", errIndexFile, h.stream, fz.n)
	}
	if !bytes.Equal(e.hash[:], h.hash[:]) {
		return fmt.Errorf("%w: stream %s's last hash differs from the log's", errIndexFile, h.stream)
	}
	return nil
}

// persistIndex writes the index as it stands to events.idx, unless it holds nothing new. The log is synced
// up to the end written (every commit syncs before it is indexed).
func (s *Store) persistIndex() error {
	if s.ix == nil || s.opts.ReadOnly || (s.ix.base != nil && len(s.ix.offsets) == 0) {
		return nil
	}
	if err := writeFrozenFile(s.dir, s.ix, s.size.Load(), s.indexBlock); err != nil {
		return fmt.Errorf("persist index: %w", err)
	}
	return nil
}

// checkpointMin is the fewest events appended after the persisted index before the writer persists it again,
// so that a process killed during a long import leaves an index that covers most of the log. The threshold
// grows with the index up to four times this (rewriting costs about O(1) per event up to 4M events, and the
// events kept in maps, about 60 bytes each, stay under 4M).
const checkpointMin = 1 << 20

// maybeCheckpoint persists the index when enough was appended since it was last persisted. It runs in the
// writer goroutine between group commits. A failure only costs the next open a longer scan.
func (s *Store) maybeCheckpoint() {
	due := min(max(s.checkpointAt, s.ix.baseN()), 4*s.checkpointAt)
	if s.failed.Load() != nil || uint64(len(s.ix.offsets)) < due {
		return
	}
	if err := s.checkpointIndex(); err != nil {
		s.opts.Logger.Warn("event log: persisting the index failed; the next open scans more of the log", "err", err)
	}
}

// checkpointIndex persists the index and continues on top of the file written. The replaced base stays
// mapped until Close: a reader may still hold the index it belongs to.
func (s *Store) checkpointIndex() error {
	if err := s.persistIndex(); err != nil {
		return err
	}
	fz, err := loadFrozen(filepath.Join(s.dir, indexName), true)
	if err != nil {
		return err
	}
	ix := newIndex(fz)
	s.mu.Lock()
	if s.ix.base != nil {
		s.retired = append(s.retired, s.ix.base)
	}
	s.ix = ix
	s.mu.Unlock()
	s.opts.Logger.Debug("event log: index persisted", "events", fz.n)
	return nil
}
