package projections

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
)

// Live keeps a model up to date with a store: it subscribes from the model's checkpoint and applies each
// event as it arrives. When the subscription drops, it resubscribes from the checkpoint, with backoff, so no
// event is lost or applied twice. The checkpoint lives with the model in memory; on start the model is
// rebuilt from the beginning (see the package comment).
type Live struct {
	store  eventstore.Store
	logger *slog.Logger

	mu      sync.RWMutex
	m       *Model
	applied time.Time // when the last event was applied
	last    time.Time // recorded_at of the last event applied
}

// NewLive returns a live model of store, empty until Run applies events.
func NewLive(store eventstore.Store, logger *slog.Logger) *Live {
	return &Live{store: store, logger: logger, m: New(Filter{})}
}

// Run follows the store until ctx ends, returning ctx.Err(). A failing subscription is retried from the
// checkpoint with exponential backoff (up to 30 s); an event that cannot be decoded stops Run with its error,
// since skipping it would make every judgement after it wrong.
func (l *Live) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		l.mu.RLock()
		from := l.m.Checkpoint()
		l.mu.RUnlock()
		err := l.store.Subscribe(ctx, from, l.apply)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var decode *decodeError
		if errors.As(err, &decode) {
			return err
		}
		l.mu.RLock()
		progressed := from.Less(l.m.Checkpoint())
		l.mu.RUnlock()
		if progressed {
			backoff = 100 * time.Millisecond // it worked for a while: retry soon
		}
		l.logger.Warn("projection subscription dropped; resubscribing from the checkpoint",
			"checkpoint", from.String(), "err", err, "retry_in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

func (l *Live) apply(rec eventstore.Recorded) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.m.Apply(rec); err != nil {
		return &decodeError{err}
	}
	l.applied, l.last = time.Now(), rec.RecordedAt
	return nil
}

// Read calls fn with the model while no event is being applied. fn must not keep the model.
func (l *Live) Read(fn func(m *Model)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	fn(l.m)
}

// Status reports the checkpoint, how many events were admitted and the recorded_at of the last one applied.
func (l *Live) Status() (checkpoint eventstore.Position, events int, lastRecorded time.Time) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.m.Checkpoint(), l.m.Len(), l.last
}

// CaughtUp reports whether the model has applied everything the store held when asked.
func (l *Live) CaughtUp(ctx context.Context) (bool, error) {
	head, err := l.store.Head(ctx)
	if err != nil {
		return false, err
	}
	cp, _, _ := l.Status()
	return !cp.Less(head), nil
}
