package readmodel

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// shardChunk is how many spilled events a decoding goroutine takes at a time.
const shardChunk = 512

// shardModel applies to pm (a fork of the model of every event that is not a worker's) the workers' events
// spilled to the buckets [from, to): read back on one goroutine, decoded on every core, and applied in the
// store's order, which the buckets hold each for its own workers.
func shardModel(ctx context.Context, sp *spill, from, to int, pm *projections.Model) (*projections.Model, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan []eventstore.Recorded, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(todo)
		readErr <- readBuckets(ctx, sp, from, to, todo)
	}()
	var (
		mu     sync.Mutex
		facts  = make([]projections.Fact, 0, sp.events(from, to)) // sized once: a shard's facts are most of its memory
		decErr error
		wg     sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for recs := range todo {
				fs, err := decodeChunk(recs)
				mu.Lock()
				if err != nil && decErr == nil {
					decErr = err
					cancel()
				}
				facts = append(facts, fs...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := <-readErr; err != nil && decErr == nil {
		return nil, err
	}
	if decErr != nil {
		return nil, decErr
	}
	slices.SortFunc(facts, func(a, b projections.Fact) int {
		return cmp.Or(cmp.Compare(a.Position.Commit, b.Position.Commit), cmp.Compare(a.Position.Prepare, b.Position.Prepare))
	})
	for _, f := range facts {
		pm.ApplyFact(f)
	}
	return pm, nil
}

// readBuckets sends the events spilled to the buckets [from, to) to todo, shardChunk at a time.
func readBuckets(ctx context.Context, sp *spill, from, to int, todo chan<- []eventstore.Recorded) error {
	chunk := make([]eventstore.Recorded, 0, shardChunk)
	send := func() error {
		select {
		case todo <- chunk:
			chunk = make([]eventstore.Recorded, 0, shardChunk)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for b := from; b < to; b++ {
		for rec, err := range sp.read(b) {
			if err != nil {
				return err
			}
			if chunk = append(chunk, rec); len(chunk) == shardChunk {
				if err := send(); err != nil {
					return err
				}
			}
		}
	}
	if len(chunk) == 0 {
		return nil
	}
	return send()
}

// decodeChunk decodes spilled events.
func decodeChunk(recs []eventstore.Recorded) ([]projections.Fact, error) {
	out := make([]projections.Fact, len(recs))
	for i, rec := range recs {
		f, err := projections.Decode(rec)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}
