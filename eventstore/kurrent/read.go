package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fairtrail/fairtrail/eventstore"
)

// readAll is the count of a read meant to reach the end (the server takes it as a signed 64-bit number).
const readAll = math.MaxInt64

// errStreamDeleted is a tombstoned stream: not found to readers, refused to writers.
var errStreamDeleted = fmt.Errorf("stream was deleted in KurrentDB (tombstoned), and fairtrail streams must never be: %w",
	eventstore.ErrNotFound)

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[eventstore.Recorded, error] {
	return func(yield func(eventstore.Recorded, error) bool) {
		opCtx, end, err := s.begin(ctx)
		if err != nil {
			yield(eventstore.Recorded{}, err)
			return
		}
		defer end()
		for rec, err := range s.readStream(opCtx, stream, from, 0) {
			if !yield(rec, s.failure(ctx, err)) || err != nil {
				return
			}
		}
	}
}

// readStream yields a stream's events from revision from, count of them (0 for all), skipping system events.
// A stream without events yields ErrNotFound.
func (s *Store) readStream(ctx context.Context, stream string, from, count uint64) iter.Seq2[eventstore.Recorded, error] {
	if count == 0 {
		count = readAll
	}
	return func(yield func(eventstore.Recorded, error) bool) {
		rs, err := s.openRead(func(c *esdb.Client) (*esdb.ReadStream, error) {
			return c.ReadStream(ctx, s.kdb(stream), esdb.ReadStreamOptions{From: esdb.Revision(from)}, count)
		})
		if err != nil {
			yield(eventstore.Recorded{}, fmt.Errorf("read %s: %w", stream, err))
			return
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			switch {
			case errors.Is(err, io.EOF):
				return
			case hasCode(err, esdb.ErrorCodeResourceNotFound):
				yield(eventstore.Recorded{}, fmt.Errorf("stream %s: %w", stream, eventstore.ErrNotFound))
				return
			case hasCode(err, esdb.ErrorCodeStreamDeleted):
				yield(eventstore.Recorded{}, fmt.Errorf("stream %s: %w", stream, errStreamDeleted))
				return
			case err != nil:
				yield(eventstore.Recorded{}, fmt.Errorf("read %s: %w", stream, err))
				return
			}
			if e := ev.OriginalEvent(); s.ours(e) {
				if rec, err := s.recorded(e); !yield(rec, err) || err != nil {
					return
				}
			}
		}
	}
}

// ReadAll implements eventstore.Store: one forward read of $all from the position (KurrentDB includes the
// event at the position; it is skipped), yielding fairtrail's events only.
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position) iter.Seq2[eventstore.Recorded, error] {
	return func(yield func(eventstore.Recorded, error) bool) {
		opCtx, end, err := s.begin(ctx)
		if err != nil {
			yield(eventstore.Recorded{}, err)
			return
		}
		defer end()
		rs, err := s.openRead(func(c *esdb.Client) (*esdb.ReadStream, error) {
			return c.ReadAll(opCtx, esdb.ReadAllOptions{From: allPosition(after)}, readAll)
		})
		if err != nil {
			yield(eventstore.Recorded{}, s.failure(ctx, fmt.Errorf("read $all: %w", err)))
			return
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(eventstore.Recorded{}, s.failure(ctx, fmt.Errorf("read $all after %s: %w", after, err)))
				return
			}
			e := ev.OriginalEvent()
			if pos := position(e); !after.Less(pos) || !s.ours(e) {
				continue
			}
			rec, err := s.recorded(e)
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// headPage is how many events Head reads at a time, backwards from the end of $all, to find the last of
// fairtrail's among system events.
const headPage = 256

// Head implements eventstore.Store: the position of the last of fairtrail's events in $all.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	opCtx, end, err := s.begin(ctx)
	if err != nil {
		return eventstore.Start, err
	}
	defer end()
	var from esdb.AllPosition = esdb.End{}
	for {
		found, last, n, err := s.headPage(opCtx, from)
		if err != nil || found {
			return last, s.failure(ctx, err)
		}
		if n < headPage {
			return eventstore.Start, nil
		}
		// KurrentDB reads backwards from a position exclusively: the next page starts before the last read.
		from = esdb.Position{Commit: last.Commit, Prepare: last.Prepare}
	}
}

// headPage reads one page backwards; found reports a fairtrail event (at last), else last is the oldest read.
func (s *Store) headPage(ctx context.Context, from esdb.AllPosition) (found bool, last eventstore.Position, n int, err error) {
	rs, err := s.openRead(func(c *esdb.Client) (*esdb.ReadStream, error) {
		return c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, headPage)
	})
	if err != nil {
		return false, eventstore.Start, 0, fmt.Errorf("read the end of $all: %w", err)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return false, last, n, nil
		}
		if err != nil {
			return false, eventstore.Start, n, fmt.Errorf("read the end of $all: %w", err)
		}
		n++
		e := ev.OriginalEvent()
		last = position(e)
		if s.ours(e) {
			return true, last, n, nil
		}
	}
}

func position(e *esdb.RecordedEvent) eventstore.Position {
	return eventstore.Position{Commit: e.Position.Commit, Prepare: e.Position.Prepare}
}

func allPosition(p eventstore.Position) esdb.AllPosition {
	if p.IsStart() {
		return esdb.Start{}
	}
	return esdb.Position{Commit: p.Commit, Prepare: p.Prepare}
}

// peeked is a read whose first answer was received when it was opened.
type peeked struct {
	*esdb.ReadStream
	first *esdb.ResolvedEvent
	err   error
	taken bool
}

// Recv gives the first answer, then the read's others.
func (p *peeked) Recv() (*esdb.ResolvedEvent, error) {
	if !p.taken {
		p.taken = true
		return p.first, p.err
	}
	return p.ReadStream.Recv()
}

// openRead starts a read and receives its first answer. A follower refuses a read that requires the leader
// only then, in the stream's first answer (the call itself succeeds); the read is then started once more, on
// the leader the client has switched to, as withClient does for calls refused at once.
func (s *Store) openRead(open func(*esdb.Client) (*esdb.ReadStream, error)) (*peeked, error) {
	var p *peeked
	err := s.withClient(func(c *esdb.Client) error {
		rs, err := open(c)
		if err != nil {
			return err
		}
		first, err := rs.Recv()
		if hasCode(err, esdb.ErrorCodeNotLeader) {
			rs.Close()
			return err
		}
		p = &peeked{ReadStream: rs, first: first, err: err}
		return nil
	})
	return p, err
}
