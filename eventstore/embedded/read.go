package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/fairtrail/fairtrail/eventstore"
)

// readAt reads the record at a position through the index.
func (s *Store) readAt(pos uint64) (eventstore.Recorded, error) {
	var off int64
	err := s.lookup(func(ix *index) (err error) {
		if pos == 0 || pos > ix.last() {
			return fmt.Errorf("position %d: %w", pos, eventstore.ErrNotFound)
		}
		off, err = ix.offset(pos)
		return err
	})
	if err != nil {
		return eventstore.Recorded{}, err
	}
	var hdr [headerSize]byte
	if _, err := s.f.ReadAt(hdr[:], off); err != nil {
		return eventstore.Recorded{}, fmt.Errorf("read position %d: %w", pos, err)
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n < fixedPartBytes || n > maxPayload {
		return eventstore.Recorded{}, corruptAt(off, pos, nil, "impossible record length")
	}
	payload := make([]byte, n)
	if _, err := s.f.ReadAt(payload, off+headerSize); err != nil {
		return eventstore.Recorded{}, fmt.Errorf("read position %d: %w", pos, err)
	}
	rec, err := s.decodeChecked(off, pos, payload, checkPayload(payload, binary.LittleEndian.Uint32(hdr[4:])))
	if err == nil && rec.Position.Commit != pos {
		return eventstore.Recorded{}, corruptAt(off, pos, payload, fmt.Sprintf("position %d out of sequence", rec.Position.Commit))
	}
	return rec, err
}

func (s *Store) decodeChecked(off int64, pos uint64, payload []byte, crcOK bool) (eventstore.Recorded, error) {
	if !crcOK {
		return eventstore.Recorded{}, corruptAt(off, pos, payload, "stored bytes fail their checksum (edited or damaged)")
	}
	rec, err := decodeRecord(payload)
	if err != nil {
		return eventstore.Recorded{}, corruptAt(off, pos, payload, err.Error())
	}
	return rec, nil
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position) iter.Seq2[eventstore.Recorded, error] {
	return func(yield func(eventstore.Recorded, error) bool) {
		start, end, err := s.span(after)
		if err != nil {
			yield(eventstore.Recorded{}, err)
			return
		}
		sc := newScanner(s.f, start, end)
		want := after.Commit + 1
		for n := 0; ; n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				yield(eventstore.Recorded{}, ctx.Err())
				return
			}
			off, payload, crcOK, err := sc.next()
			if err == io.EOF {
				return
			}
			if errors.Is(err, errTorn) || errors.Is(err, errBadLength) {
				if s.tornTail(off, want) {
					return // a crash's torn tail, or a write still in progress in another process
				}
				err = corruptAt(off, want, nil, "record length is impossible or runs past the end, and good records follow")
			}
			if err != nil {
				yield(eventstore.Recorded{}, err)
				return
			}
			rec, err := s.decodeChecked(off, want, payload, crcOK)
			if err == nil && rec.Position.Commit != want {
				err = corruptAt(off, want, payload, fmt.Sprintf("position %d out of sequence", rec.Position.Commit))
			}
			if !yield(rec, err) || err != nil {
				return
			}
			want++
		}
	}
}

// tornTail reports whether an unreadable record at off is the log's end: never within what this process
// committed, and for a read-only store only when no good record follows it.
func (s *Store) tornTail(off int64, pos uint64) bool {
	if !s.opts.ReadOnly {
		return false
	}
	st, err := s.f.Stat()
	return err == nil && !goodRecordAfter(s.f, off, st.Size(), pos-1)
}

// span is the region of the log holding the events after a position: from its offset to the committed end
// (-1, the end of file, for a read-only store, which may be read while another process writes).
func (s *Store) span(after eventstore.Position) (int64, int64, error) {
	end := int64(-1)
	if !s.opts.ReadOnly {
		end = s.size.Load()
	}
	if after.IsStart() {
		return int64(len(fileMagic)), end, nil
	}
	var start int64
	err := s.lookup(func(ix *index) (err error) {
		switch {
		case after.Commit < ix.last():
			start, err = ix.offset(after.Commit + 1)
			return err
		case after.Commit == ix.last():
			start = end
			if s.opts.ReadOnly {
				start = s.size.Load()
			}
			return nil
		}
		return fmt.Errorf("read after position %s: beyond the end of the log (%d): %w", after, ix.last(), eventstore.ErrNotFound)
	})
	return start, end, err
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[eventstore.Recorded, error] {
	return func(yield func(eventstore.Recorded, error) bool) {
		var positions []uint64
		err := s.lookup(func(ix *index) (err error) {
			positions, err = ix.positions(stream)
			return err
		})
		if err != nil {
			yield(eventstore.Recorded{}, err)
			return
		}
		if len(positions) == 0 {
			yield(eventstore.Recorded{}, fmt.Errorf("stream %s: %w", stream, eventstore.ErrNotFound))
			return
		}
		for rev := from; rev < uint64(len(positions)); rev++ {
			if ctx.Err() != nil {
				yield(eventstore.Recorded{}, ctx.Err())
				return
			}
			rec, err := s.readAt(positions[rev])
			if err == nil && (rec.Stream != stream || rec.Revision != rev) {
				err = &eventstore.CorruptError{Position: rec.Position, EventID: rec.ID.String(), Stream: rec.Stream,
					Where: indexName, Problem: fmt.Sprintf("indexed as revision %d of %s", rev, stream)}
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// Subscribe implements eventstore.Store: it reads what is stored after the position, then waits for each
// commit's notification and reads on from the last event it delivered.
func (s *Store) Subscribe(ctx context.Context, after eventstore.Position, fn func(eventstore.Recorded) error) error {
	for {
		s.mu.RLock()
		changed := s.notify
		s.mu.RUnlock()
		for rec, err := range s.ReadAll(ctx, after) {
			if err != nil {
				return err
			}
			if err := fn(rec); err != nil {
				return err
			}
			after = rec.Position
		}
		if s.opts.ReadOnly {
			return nil // no writer in this process to wait for
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stop:
			return eventstore.ErrClosed
		}
	}
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	if s.opts.ReadOnly {
		// Another process may be writing: the last good record of the file as it is now, read on from what
		// the index covers.
		var last eventstore.Position
		err := s.lookup(func(ix *index) error {
			last = eventstore.Position{Commit: ix.last(), Prepare: ix.last()}
			return nil
		})
		if err != nil {
			return eventstore.Start, err
		}
		for rec, err := range s.ReadAll(ctx, last) {
			if err != nil {
				return eventstore.Start, err
			}
			last = rec.Position
		}
		return last, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.ix.last()
	return eventstore.Position{Commit: n, Prepare: n}, nil
}
