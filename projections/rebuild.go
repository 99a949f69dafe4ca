package projections

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/fairtrail/fairtrail/eventstore"
)

// rebuildBatch is how many stored events a decoding goroutine takes at a time.
const rebuildBatch = 512

// Rebuild builds a model of every event in the store that passes filter: the store is read in global order
// on one goroutine, events are decoded on every core, and applied in order. It is Apply over ReadAll, faster.
func Rebuild(ctx context.Context, s eventstore.Store, filter Filter) (*Model, error) {
	return RebuildWith(ctx, s, filter, RebuildOptions{})
}

// RebuildOptions narrow a rebuild.
type RebuildOptions struct {
	// Keep keeps only the workers it accepts (every worker when nil) with every job order, policy and
	// organisation; other workers' events are skipped before they are decoded (the read model's rebuild keeps
	// none: it spills the workers' events and judges them a shard at a time).
	Keep func(worker string) bool
	// Until stops the rebuild after the event at this position (Start: read to the end).
	Until eventstore.Position
	// Observe, when set, sees every stored event read, in global order, on the reading goroutine; an error
	// stops the rebuild.
	Observe func(eventstore.Recorded) error
}

// RebuildWith is Rebuild narrowed by opts.
func RebuildWith(ctx context.Context, s eventstore.Store, filter Filter, opts RebuildOptions) (*Model, error) {
	keep := opts.Keep
	m := New(filter)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		seq   int
		recs  []eventstore.Recorded
		facts []Fact
		err   error
	}
	todo := make(chan *batch, 4)
	done := make(chan *batch, 4)
	readErr := make(chan error, 1)
	var skipped eventstore.Position // the last event skipped, read once readErr is received
	go func() {
		defer close(todo)
		b := &batch{}
		for rec, err := range s.ReadAll(ctx, eventstore.Start) {
			if err != nil {
				readErr <- err
				return
			}
			if !opts.Until.IsStart() && opts.Until.Less(rec.Position) {
				break
			}
			if opts.Observe != nil {
				if err := opts.Observe(rec); err != nil {
					readErr <- err
					return
				}
			}
			if keep != nil {
				if w, ok := WorkerStreamID(rec.Stream); ok && !keep(w) {
					skipped = rec.Position
					continue
				}
			}
			if b.recs = append(b.recs, rec); len(b.recs) == rebuildBatch {
				select {
				case todo <- b:
				case <-ctx.Done():
					readErr <- ctx.Err()
					return
				}
				b = &batch{seq: b.seq + 1}
			}
		}
		if len(b.recs) > 0 {
			select {
			case todo <- b:
			case <-ctx.Done():
			}
		}
		readErr <- nil
	}()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for b := range todo {
				b.facts = make([]Fact, len(b.recs))
				for i, rec := range b.recs {
					ev, err := decodeStored(rec.Type, rec.Data)
					if err != nil {
						b.err = fmt.Errorf("event %s at position %s: %w", rec.ID, rec.Position, err)
						break
					}
					b.facts[i] = Fact{Meta: Meta{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt,
						RecordedAt: rec.RecordedAt, RecordedBy: rec.RecordedBy, Position: rec.Position}, Event: ev}
				}
				b.recs = nil
				select {
				case done <- b:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	pending := map[int]*batch{}
	next := 0
	var applyErr error
	for b := range done {
		pending[b.seq] = b
		for b := pending[next]; b != nil && applyErr == nil; b = pending[next] {
			delete(pending, next)
			next++
			if b.err != nil {
				applyErr = b.err
				cancel()
				break
			}
			for _, f := range b.facts {
				m.ApplyFact(f)
			}
		}
	}
	if err := <-readErr; err != nil && applyErr == nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	if applyErr != nil {
		return nil, applyErr
	}
	if m.checkpoint.Less(skipped) {
		m.checkpoint = skipped
	}
	return m, ctx.Err()
}
