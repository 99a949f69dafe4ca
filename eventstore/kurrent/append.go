package kurrent

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fairtrail/fairtrail/eventstore"
)

// maxAttempts bounds how often one request is re-planned after a concurrent writer moved its stream.
const maxAttempts = 50

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.AppendResult, error) {
	res, err := s.AppendBatch(ctx, []eventstore.AppendRequest{req})
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	return res[0], nil
}

// AppendBatch implements eventstore.Store. The streams of the batch are read first, concurrently, so a batch
// with an unreadable stream or a bad request stores nothing; then the requests are appended in order, one
// KurrentDB append each, and the positions KurrentDB does not report are found with two reads for the whole
// batch. KurrentDB has no transaction across streams: if a request fails, the results of the requests before
// it (stored) are returned with the error, and none after it was attempted. If only reading positions back
// fails, every request is stored and every result is returned with the error.
func (s *Store) AppendBatch(ctx context.Context, reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	opCtx, end, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	if err := s.checkRequests(reqs); err != nil {
		return nil, err
	}
	states, err := s.prefetch(opCtx, reqs)
	if err != nil {
		return nil, s.failure(ctx, err)
	}
	var l locator
	results := make([]eventstore.AppendResult, 0, len(reqs))
	for _, req := range reqs {
		res, err := s.appendRequest(opCtx, req, states, &l)
		if err != nil {
			err = errors.Join(err, s.fillPositions(opCtx, &l, results))
			return results, s.failure(ctx, err)
		}
		results = append(results, res)
	}
	if err := s.fillPositions(opCtx, &l, results); err != nil {
		// Everything is stored; only some positions could not be read back.
		return results, s.failure(ctx, err)
	}
	return results, nil
}

// fillPositions locates the events written and puts their positions in the results, including those of
// duplicates of events written earlier in the batch.
func (s *Store) fillPositions(ctx context.Context, l *locator, results []eventstore.AppendResult) error {
	if len(l.written) == 0 {
		return nil
	}
	if err := s.locate(ctx, l); err != nil {
		return err
	}
	for _, res := range results {
		for i, a := range res.Events {
			if a.Position.IsStart() {
				pos, ok := l.found[a.ID]
				if !ok {
					return fmt.Errorf("append to %s: no position found for event %s", res.Stream, a.ID)
				}
				res.Events[i].Position = pos
			}
		}
	}
	return nil
}

func (s *Store) checkRequests(reqs []eventstore.AppendRequest) error {
	for _, r := range reqs {
		if !isFairtrailStream(r.Stream) {
			return fmt.Errorf("append to %q: not a fairtrail stream (%s followed by an id)", r.Stream,
				strings.Join(streamPrefixes(), ", "))
		}
		for _, e := range r.Events {
			switch {
			case e.ID.IsZero():
				return fmt.Errorf("append to %s: event without an id", r.Stream)
			case e.Type == "" || strings.HasPrefix(e.Type, "$"):
				return fmt.Errorf("append to %s: event %s has type %q (empty, or a KurrentDB system type)", r.Stream, e.ID, e.Type)
			case e.OccurredAt.IsZero():
				return fmt.Errorf("append to %s: event %s has no occurred_at", r.Stream, e.ID)
			}
		}
	}
	return nil
}

// appendRequest plans a request against its stream's state and writes the new events, re-reading the stream
// and re-planning when a concurrent writer got there first. states is updated with what was written, and l
// with the appends made.
func (s *Store) appendRequest(ctx context.Context, req eventstore.AppendRequest, states map[string]*streamState, l *locator) (eventstore.AppendResult, error) {
	now := s.opts.Now().UTC()
	for attempt := 1; ; attempt++ {
		st := states[req.Stream]
		p, err := plan(req, st, now)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		err = s.write(ctx, &p, st, l)
		if !hasCode(err, esdb.ErrorCodeWrongExpectedVersion) {
			if err != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", req.Stream, err)
			}
			return p.Finish(), nil
		}
		if attempt == maxAttempts {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: the stream kept moving under %d attempts: %w",
				req.Stream, attempt, eventstore.ErrConflict)
		}
		// Another writer appended since the stream was read: read it again and decide again (the caller's
		// expectation, duplicates and hashes all depend on it).
		if err := sleep(ctx, time.Duration(rand.IntN(attempt*2+1))*time.Millisecond); err != nil {
			return eventstore.AppendResult{}, err
		}
		if states[req.Stream], err = s.readState(ctx, req.Stream); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
}

// write appends a plan's new events with the exact revision their hashes were chained on, in chunks under
// the append size limit. Each event's position is the one KurrentDB reports for the last of its append, or
// left for the locator to find.
func (s *Store) write(ctx context.Context, p *eventstore.Plan, st *streamState, l *locator) error {
	parts, err := chunks(p.Fresh, s.opts.MaxAppendBytes)
	if err != nil || len(p.Fresh) == 0 {
		return err
	}
	k := 0
	for _, part := range parts {
		var expected esdb.ExpectedRevision = esdb.NoStream{}
		if st.head.Exists {
			expected = esdb.Revision(st.head.Last)
		}
		evs := make([]esdb.EventData, len(part))
		for i, f := range part {
			evs[i] = eventData(f)
		}
		var wr *esdb.WriteResult
		err := s.withClient(func(c *esdb.Client) error {
			var err error
			wr, err = c.AppendToStream(ctx, s.kdb(p.Result.Stream), esdb.AppendToStreamOptions{ExpectedRevision: expected}, evs...)
			return err
		})
		if err != nil {
			return err
		}
		last := eventstore.Position{Commit: wr.CommitPosition, Prepare: wr.PreparePosition}
		l.add(written{stream: p.Result.Stream, events: part, last: last})
		for i, f := range part {
			pos := eventstore.Position{}
			if i == len(part)-1 {
				pos = last
			}
			p.Place(k, pos)
			st.add(f.Recorded(pos))
			k++
		}
	}
	return nil
}

// prefetch reads the state of every stream of a batch, with up to Options.Concurrency reads at once.
func (s *Store) prefetch(ctx context.Context, reqs []eventstore.AppendRequest) (map[string]*streamState, error) {
	states := make(map[string]*streamState, len(reqs))
	var names []string
	for _, r := range reqs {
		if _, ok := states[r.Stream]; !ok {
			states[r.Stream] = nil
			names = append(names, r.Stream)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for range min(s.opts.Concurrency, len(names)) {
		wg.Go(func() {
			for name := range work {
				st, err := s.readState(ctx, name)
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				states[name] = st
				mu.Unlock()
			}
		})
	}
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return states, nil
}

// readState reads a whole stream (fairtrail's streams are small) into what an append needs.
func (s *Store) readState(ctx context.Context, stream string) (*streamState, error) {
	st := newStreamState()
	for rec, err := range s.readStream(ctx, stream, 0, 0) {
		if errors.Is(err, eventstore.ErrNotFound) && !errors.Is(err, errStreamDeleted) && !st.head.Exists {
			return st, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s before appending: %w", stream, err)
		}
		st.add(rec)
	}
	return st, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
