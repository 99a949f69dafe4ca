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
	go func() {
		defer close(todo)
		b := &batch{}
		for rec, err := range s.ReadAll(ctx, eventstore.Start) {
			if err != nil {
				readErr <- err
				return
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
	return m, ctx.Err()
}
