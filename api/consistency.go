package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
)

// A read sees every write answered before it came: a write waits, before it answers, until the read model has
// applied what it stored (settle); a read makes sure the model holds what it must see (fresh), which with a
// sole writer is the writes answered so far, usually applied already, so that the read waits for no catch-up.

// watermark is a position that only moves forward, safe for concurrent use.
type watermark struct {
	mu  sync.Mutex
	pos eventstore.Position
}

// advance moves the watermark to pos if pos is after it.
func (w *watermark) advance(pos eventstore.Position) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pos.Less(pos) {
		w.pos = pos
	}
}

// load returns the watermark.
func (w *watermark) load() eventstore.Position {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pos
}

// settle is the end of a write, before it answers: it waits, up to Limits.ConsistencyWait, until the read
// model has applied every event this server has stored so far (its own among them), catching the model up
// itself (with the writes waiting beside it, in one catch-up) rather than waiting for the follower, and counts
// them as answered. A write that answers without its events applied (the wait ran out) is caught up by the
// next read, which asks for the answered position.
func (s *Server) settle(ctx context.Context) {
	pos := s.store.written.load()
	s.awaitApplied(ctx, pos)
	s.answered.advance(pos)
}

// mustSee is the position up to which the read model must have applied the store for a read to see every
// write answered before it: the last write this server answered when it is the store's sole writer, else the
// store's head.
func (s *Server) mustSee(ctx context.Context) (eventstore.Position, error) {
	if s.cfg.SoleWriter {
		return s.answered.load(), nil
	}
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return head, fmt.Errorf("store head: %w", err)
	}
	return head, nil
}

// awaitApplied waits, up to Limits.ConsistencyWait, until the persisted read model has applied the event at
// pos, and reports whether it has. It catches a current model up itself rather than wait for the follower
// (joining a catch-up in progress, which may cover pos); a model being rebuilt is waited for.
func (s *Server) awaitApplied(ctx context.Context, pos eventstore.Position) bool {
	ctx, cancel := context.WithTimeout(ctx, s.lim.ConsistencyWait)
	defer cancel()
	wait := 50 * time.Microsecond
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		cp, current, err := s.cfg.Model.Status(ctx)
		if err == nil && current && !cp.Position.Less(pos) {
			return true
		}
		if err == nil && current {
			if err = s.cfg.Model.CatchUpTo(ctx, s.cfg.Store, pos); err == nil {
				return true
			}
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("read model: catch-up failed", "err", err)
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		wait = min(wait*2, 5*time.Millisecond)
	}
}
