package projections_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
	"github.com/fairtrail/fairtrail/projections"
)

// flaky drops its subscription after every few events, as a network or server failure would.
type flaky struct {
	eventstore.Store
	every int
	drops atomic.Int32
}

var errDropped = errors.New("subscription dropped")

func (f *flaky) Subscribe(ctx context.Context, after eventstore.Position, fn func(eventstore.Recorded) error) error {
	n := 0
	err := f.Store.Subscribe(ctx, after, func(r eventstore.Recorded) error {
		if n++; n > f.every {
			f.drops.Add(1)
			return errDropped
		}
		return fn(r)
	})
	return err
}

func TestLiveResumesFromTheCheckpointAfterDrops(t *testing.T) {
	s, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const total = 40
	for i := range total {
		ev := storetest.Event(t, "w1", time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-w1", Events: []eventstore.Proposed{ev}}); err != nil {
			t.Fatal(err)
		}
	}
	f := &flaky{Store: s, every: 7}
	live := projections.NewLive(f, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- live.Run(ctx) }()
	for {
		if ok, err := live.CaughtUp(ctx); err == nil && ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("never caught up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	_, n, _ := live.Status()
	if n != total {
		t.Fatalf("model holds %d events after %d drops, want %d (no loss, no duplicates)", n, f.drops.Load(), total)
	}
	live.Read(func(m *projections.Model) {
		r, ok := m.View(time.Now()).History("w1")
		if !ok || len(r.Timeline) != total {
			t.Fatalf("worker timeline has %d entries, want %d", len(r.Timeline), total)
		}
		seen := map[string]bool{}
		for _, e := range r.Timeline {
			if seen[e.EventID] {
				t.Fatalf("event %s applied twice", e.EventID)
			}
			seen[e.EventID] = true
		}
	})
	if f.drops.Load() < 5 {
		t.Fatalf("only %d drops: the test did not exercise resuming", f.drops.Load())
	}
}
