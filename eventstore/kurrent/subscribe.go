package kurrent

import (
	"context"
	"errors"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fairtrail/fairtrail/eventstore"
)

// handlerError carries fn's error out of a subscription, so it is never mistaken for a drop.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }

// Subscribe implements eventstore.Store with a catch-up subscription to $all, filtered on the server to
// fairtrail's stream prefixes. When the subscription drops (a node restart, a leader change, the network), it
// resubscribes from the last event delivered after a backoff (Options.Backoff, doubling up to MaxBackoff, and
// back to Backoff once events flow again), and returns the error after Options.SubscribeRetries attempts in a
// row that deliver nothing, or at once when the server refuses it (credentials, permissions). An event at or
// before the last position delivered is never delivered again, so a resubscription neither loses nor repeats
// events. It returns ctx.Err() when ctx ends, fn's error when fn fails, and ErrClosed when the store closes.
func (s *Store) Subscribe(ctx context.Context, after eventstore.Position, fn func(eventstore.Recorded) error) error {
	opCtx, end, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer end()
	last := after
	failures, backoff := 0, s.opts.Backoff
	for {
		from := last
		err := s.subscribeOnce(opCtx, &last, fn)
		var he handlerError
		switch {
		case errors.As(err, &he):
			return he.err
		case ctx.Err() != nil:
			return ctx.Err()
		case s.stop.Err() != nil:
			return eventstore.ErrClosed
		case permanent(err):
			return fmt.Errorf("subscribe to $all after %s: %w", last, err)
		}
		if from.Less(last) {
			failures, backoff = 0, s.opts.Backoff
		}
		if failures++; failures > s.opts.SubscribeRetries {
			return fmt.Errorf("subscription to $all dropped %d times in a row without delivering an event: %w", failures, err)
		}
		s.opts.Logger.Warn("KurrentDB subscription dropped; resubscribing after the last event delivered",
			"store", s.where, "after", last.String(), "err", err, "retry_in", backoff)
		if err := sleep(opCtx, backoff); err != nil {
			return s.failure(ctx, err)
		}
		backoff = min(backoff*2, s.opts.MaxBackoff)
	}
}

// subscribeOnce follows one subscription until it drops, advancing *last past every event it sees.
func (s *Store) subscribeOnce(ctx context.Context, last *eventstore.Position, fn func(eventstore.Recorded) error) error {
	var prefixes []string
	for _, p := range streamPrefixes() {
		prefixes = append(prefixes, s.kdb(p))
	}
	filter := &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: prefixes}
	var sub *esdb.Subscription
	err := s.withClient(func(c *esdb.Client) error {
		var err error
		sub, err = c.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: allPosition(*last), Filter: filter})
		return err
	})
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return ev.SubscriptionDropped.Error
		case ev.EventAppeared == nil:
			continue // caught up, fell behind, or a filter checkpoint
		}
		e := ev.EventAppeared.OriginalEvent()
		pos := position(e)
		if !last.Less(pos) {
			continue // already delivered
		}
		if !s.ours(e) {
			*last = pos // a system event in one of our streams (a tombstone): nothing to deliver
			continue
		}
		rec, err := s.recorded(e)
		if err != nil {
			return handlerError{err} // a corrupt event stops the subscriber, as it does a reader
		}
		if err := fn(rec); err != nil {
			return handlerError{err}
		}
		*last = pos
	}
}
