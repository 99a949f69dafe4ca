package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
)

// benchWriters is how many goroutines append concurrently.
const benchWriters = 16

// writeFigures are the write side's measurements.
type writeFigures struct {
	ImportEvents         int     `json:"import_events"`
	ImportSeconds        float64 `json:"import_seconds"`
	ImportEventsPerS     float64 `json:"import_events_per_s"`
	ConcurrentEvents     int     `json:"concurrent_events"`
	ConcurrentEventsPerS float64 `json:"concurrent_events_per_s"`
	ConcurrentP50Ms      float64 `json:"concurrent_p50_ms"`
	ConcurrentP99Ms      float64 `json:"concurrent_p99_ms"`
	ConcurrentMaxMs      float64 `json:"concurrent_max_ms"`
	ReadEvents           int     `json:"read_events"`
	ReadEventsPerS       float64 `json:"read_events_per_s"`
}

// benchWrites appends, after the bulk import, the held-back worker streams by concurrent writers, then the
// remaining events but those for the API in one batch.
func benchWrites(ctx context.Context, s eventstore.Store, d *benchData, progress io.Writer, prof profiler, w *writeFigures) error {
	fmt.Fprintf(progress, "bench: %d writers appending %d events one at a time...\n", benchWriters, countEvents(d.held))
	var lat []time.Duration
	var took time.Duration
	err := prof.phase("concurrent", func() (err error) {
		lat, took, err = benchConcurrent(ctx, s, d.held)
		return err
	})
	if err != nil {
		return err
	}
	w.ConcurrentEvents, w.ConcurrentEventsPerS = len(lat), perSecond(len(lat), took)
	w.ConcurrentP50Ms, w.ConcurrentP99Ms, w.ConcurrentMaxMs = percentileMs(lat, 0.50), percentileMs(lat, 0.99), percentileMs(lat, 1)
	if _, err := s.AppendBatch(ctx, d.rest); err != nil {
		return fmt.Errorf("bench: append the remaining events: %w", err)
	}
	return nil
}

// benchRead reads every event back in global order, as a rebuild does before applying them.
func benchRead(ctx context.Context, s eventstore.Store, events int, w *writeFigures, prof profiler) error {
	var n int
	var took time.Duration
	err := prof.phase("read", func() (err error) {
		n, took, err = readAllTimed(ctx, s)
		return err
	})
	if err != nil {
		return err
	}
	if n != events {
		return fmt.Errorf("bench: read %d events back, want %d", n, events)
	}
	w.ReadEvents, w.ReadEventsPerS = n, perSecond(n, took)
	return nil
}

// benchConcurrent has benchWriters goroutines take whole worker streams in turn and append their events one at a
// time, the first expecting no stream and each next one the exact revision before it, and returns every
// append's latency and the time they all took.
func benchConcurrent(ctx context.Context, s eventstore.Store, held []heldStream) ([]time.Duration, time.Duration, error) {
	return writers(ctx, len(held), func(ctx context.Context, k int) ([]time.Duration, error) {
		return appendStream(ctx, s, held[k])
	})
}

// writers has benchWriters goroutines take items 0..n-1 in turn and do each, returning every latency the items
// reported and the time they all took. The first error stops them all.
func writers(ctx context.Context, n int, do func(ctx context.Context, k int) ([]time.Duration, error)) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lats := make([][]time.Duration, benchWriters)
	errs := make([]error, benchWriters)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range benchWriters {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				l, err := do(ctx, k)
				lats[w] = append(lats[w], l...)
				if err != nil {
					errs[w] = err
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	var all []time.Duration
	for w := range benchWriters {
		if errs[w] != nil {
			return nil, took, errs[w]
		}
		all = append(all, lats[w]...)
	}
	return all, took, nil
}

// appendStream appends a stream's events one by one with exact expectations, returning each append's latency.
func appendStream(ctx context.Context, s eventstore.Store, h heldStream) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, len(h.events))
	for i := range h.events {
		exp := eventstore.NoStream()
		if i > 0 {
			exp = eventstore.Exact(uint64(i - 1))
		}
		t := time.Now()
		_, err := s.Append(ctx, eventstore.AppendRequest{Stream: h.stream, Expected: exp, Events: h.events[i : i+1]})
		lat = append(lat, time.Since(t))
		if err != nil {
			return lat, fmt.Errorf("bench: concurrent append to %s: %w", h.stream, err)
		}
	}
	return lat, nil
}

// readAllTimed reads every event of the store in global order, as a projection rebuild does before applying.
// It collects the garbage of earlier phases first, as it does before the peer's read, so neither read pays
// for another phase's heap.
func readAllTimed(ctx context.Context, s eventstore.Store) (int, time.Duration, error) {
	runtime.GC()
	start := time.Now()
	n := 0
	for _, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return n, time.Since(start), fmt.Errorf("bench: read all: %w", err)
		}
		n++
	}
	return n, time.Since(start), nil
}
