package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// replays keeps the models of the last as-of and known-at filters asked for, so that the pages of one
// listing, or an auditor's successive queries at one date, replay the store once. A kept model is brought up
// to date with the events stored since (a filter admits or refuses each new event by itself), so it never
// serves stale data. Each kept model holds what it admits of the store in memory, like the live model: the
// number kept is Limits.ReplayCache, and a model unused for Limits.ReplayIdle is dropped.
type replays struct {
	store eventstore.Store
	slots chan struct{} // a slot per replay allowed to read the store at once
	keep  int
	idle  time.Duration

	mu      sync.Mutex
	entries []*replayed // most recently used first
}

// replayed is a model of the store under a filter.
type replayed struct {
	filter projections.Filter
	mu     sync.RWMutex // held exclusively while events are applied
	m      *projections.Model
	used   time.Time
}

func newReplays(store eventstore.Store, lim Limits) *replays {
	return &replays{store: store, slots: make(chan struct{}, lim.MaxReplays), keep: lim.ReplayCache, idle: lim.ReplayIdle}
}

// read runs fn on a view of the store under f, judged at f's clock (or clock, if f sets none).
func (r *replays) read(ctx context.Context, f projections.Filter, clock time.Time, fn func(*projections.View) error) error {
	e := r.entry(f, time.Now())
	if err := r.catchUp(ctx, e); err != nil {
		return err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return fn(e.m.View(f.Clock(clock)))
}

// entry finds the kept model of a filter, or starts one, dropping the least recently used and idle ones.
func (r *replays) entry(f projections.Filter, now time.Time) *replayed {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.entries[:0]
	var found *replayed
	for _, e := range r.entries {
		switch {
		case e.filter == f:
			found = e
		case now.Sub(e.used) < r.idle:
			kept = append(kept, e)
		}
	}
	if found == nil {
		found = &replayed{filter: f, m: projections.New(f)}
	}
	found.used = now
	r.entries = append([]*replayed{found}, kept[:min(len(kept), max(r.keep-1, 0))]...)
	return found
}

// catchUp applies the events stored after the model's checkpoint.
func (r *replays) catchUp(ctx context.Context, e *replayed) error {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for a replay slot: %w", ctx.Err())
	}
	defer func() { <-r.slots }()
	e.mu.Lock()
	defer e.mu.Unlock()
	for rec, err := range r.store.ReadAll(ctx, e.m.Checkpoint()) {
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if err := e.m.Apply(rec); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	return nil
}
