package main

import (
	"context"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// replay builds the read model of the store under a filter and returns a view at the filter's clock. A
// --known-at before the first record is noted on standard error, with the time of that record, so that an
// empty answer says why.
func replay(ctx context.Context, sf storeFlags, tf timeFlags) (*projections.View, error) {
	filter, err := tf.filter()
	if err != nil {
		return nil, err
	}
	s, err := sf.open(true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	m, err := projections.Rebuild(ctx, s, filter)
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", sf, err)
	}
	if !filter.KnownAt.IsZero() {
		if err := noteFirstRecord(ctx, s, filter.KnownAt, sf.env); err != nil {
			return nil, err
		}
	}
	return m.View(filter.Clock(time.Now().UTC())), nil
}

// noteFirstRecord notes on standard error when knownAt is before the store's first record.
func noteFirstRecord(ctx context.Context, s eventstore.Store, knownAt time.Time, env environment) error {
	for first, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return fmt.Errorf("read the first event: %w", err)
		}
		if knownAt.Before(first.RecordedAt) {
			fmt.Fprintf(env.stderr, "note: nothing had been recorded by --known-at %s: the first event was recorded at %s\n",
				when(knownAt), when(first.RecordedAt))
		}
		break
	}
	return nil
}
