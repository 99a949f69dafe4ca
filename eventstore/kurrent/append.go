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

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// maxAttempts bounds how often one request is re-planned after a concurrent writer moved its stream, or after
// an append the server could not confirm.
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
// KurrentDB append each (or several, for a request over the append size limit), and each append is read back
// before the next: that gives every event its position and shows whether the events stored under the ids sent
// are the ones sent (see confirm). KurrentDB has no transaction across streams: if a request fails, the results
// of the requests before it (stored) are returned with the error, and none after it was attempted.
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
	results := make([]eventstore.AppendResult, 0, len(reqs))
	for _, req := range reqs {
		res, err := s.appendRequest(opCtx, req, states)
		if err != nil {
			return results, s.failure(ctx, err)
		}
		results = append(results, res)
	}
	return results, nil
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
// and re-planning when a concurrent writer got there first, or when KurrentDB could not say whether it wrote
// them (a timeout): the fresh read then shows them stored, or not, and they are written once either way.
// states is updated with what was written.
func (s *Store) appendRequest(ctx context.Context, req eventstore.AppendRequest, states map[string]*streamState) (eventstore.AppendResult, error) {
	now := s.opts.Now().UTC()
	sent := make(map[domain.EventID]time.Time) // events sent in an earlier attempt, with their recorded_at
	for attempt := 1; ; attempt++ {
		st := states[req.Stream]
		p, err := plan(req, st, now)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		claimOwn(&p, st, sent)
		err = s.write(ctx, &p, st, sent)
		switch {
		case err == nil:
			return p.Finish(), nil
		case !hasCode(err, esdb.ErrorCodeWrongExpectedVersion) && !outcomeUnknown(err):
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", req.Stream, err)
		case ctx.Err() != nil:
			return eventstore.AppendResult{}, ctx.Err()
		case attempt == maxAttempts:
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: the stream kept moving under %d attempts: %w",
				req.Stream, attempt, errors.Join(eventstore.ErrConflict, err))
		}
		// Another writer appended since the stream was read, or the server did not confirm the write: read the
		// stream again and decide again (the caller's expectation, duplicates and hashes all depend on it).
		if err := sleep(ctx, time.Duration(rand.IntN(attempt*2+1))*time.Millisecond); err != nil {
			return eventstore.AppendResult{}, err
		}
		if states[req.Stream], err = s.readState(ctx, req.Stream); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
}

// outcomeUnknown reports an append that may or may not have been written: KurrentDB answers Aborted
// ("Operation timed out") when it cannot confirm a write in time, and the client's own deadline may end a call
// the server completed.
func outcomeUnknown(err error) bool {
	return hasCode(err, esdb.ErrorAborted) || hasCode(err, esdb.ErrorCodeDeadlineExceeded)
}

// claimOwn marks as new, not duplicates, the events of a plan that an earlier attempt of the same request
// wrote (found stored with the recorded_at it sent) before the server failed to confirm it.
func claimOwn(p *eventstore.Plan, st *streamState, sent map[domain.EventID]time.Time) {
	for i, a := range p.Result.Events {
		if !a.Duplicate {
			continue
		}
		if at, ok := sent[a.ID]; ok && st.byID[a.ID].RecordedAt.Equal(at) {
			p.Result.Events[i].Duplicate = false
		}
	}
}

// write appends a plan's new events with the exact revision their hashes were chained on, in chunks under
// the append size limit, and confirms each chunk by reading it back, which gives each event its position.
// sent is told of every event sent.
func (s *Store) write(ctx context.Context, p *eventstore.Plan, st *streamState, sent map[domain.EventID]time.Time) error {
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
			sent[f.ID] = f.RecordedAt
		}
		err := s.withClient(func(c *esdb.Client) error {
			_, err := c.AppendToStream(ctx, s.kdb(p.Result.Stream), esdb.AppendToStreamOptions{ExpectedRevision: expected}, evs...)
			return err
		})
		if err != nil {
			return err
		}
		stored, err := s.confirm(ctx, p.Result.Stream, part)
		if err != nil {
			return err
		}
		for i := range part {
			record(p, st, k, stored[i])
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
