package readmodel

import (
	"context"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
)

// Follow keeps the model caught up with store until ctx ends, then returns ctx.Err(): it catches up whenever
// the store's head has moved, looking every interval, and at least once per Options.ClockStep, which moves
// the model's clock on while nothing is written (reads, which do not catch up unless they must, leave that to
// it). A failed catch-up is logged and tried again at the next look, from the checkpoint, so nothing is lost
// or applied twice.
func (m *Model) Follow(ctx context.Context, store eventstore.Store, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last eventstore.Position
	var at time.Time
	caughtUp := false
	for {
		head, err := store.Head(ctx)
		if err == nil && (!caughtUp || head != last || m.opts.Now().Sub(at) >= m.opts.ClockStep) {
			now := m.opts.Now()
			if _, err = m.CatchUp(ctx, store); err == nil {
				last, caughtUp, at = head, true, now
			}
		}
		if err != nil && ctx.Err() == nil {
			m.opts.Logger.Warn("read model: catch-up failed; trying again", "path", m.path, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
