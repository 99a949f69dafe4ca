package kurrent_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
	"github.com/fairtrail/fairtrail/projections"
)

var base = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// appendN appends n events over a few worker streams, three to an append, so that one append's events are
// delivered together and a drop can land between them.
func appendN(t *testing.T, s eventstore.Store, tag string, n int) {
	t.Helper()
	for i := 0; i < n; i += 3 {
		w := fmt.Sprintf("%s%d", tag, i%7)
		var evs []eventstore.Proposed
		for j := i; j < min(i+3, n); j++ {
			evs = append(evs, storetest.Event(t, w, base.Add(time.Duration(j)*time.Minute)))
		}
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-" + w, Events: evs}); err != nil {
			t.Errorf("append: %v", err)
			return
		}
	}
}

// TestSubscriptionDroppedMidStreamResumes has the server drop the subscription after every 37 events it
// sends, and the subscriber drop it after every 50 it receives, while it catches up on a backlog and while it
// follows live appends. It must resubscribe from the last event it delivered and deliver every event exactly
// once, in order.
func TestSubscriptionDroppedMidStreamResumes(t *testing.T) {
	s, srv := openDouble(t, kurrenttest.Options{SystemEvery: 4, DropEvery: 37}, kurrent.Options{Backoff: time.Millisecond})
	const backlog, live = 300, 200
	appendN(t, s, "b", backlog)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []eventstore.Recorded
	var writer sync.WaitGroup
	drops := 0
	err := s.Subscribe(ctx, eventstore.Start, func(r eventstore.Recorded) error {
		got = append(got, r)
		switch {
		case len(got) == backlog:
			writer.Go(func() { appendN(t, s, "l", live) })
		case len(got) == backlog+live:
			return errDone
		}
		if len(got)%50 == 0 {
			drops += srv.DropSubscriptions()
		}
		return nil
	})
	writer.Wait()
	if !errors.Is(err, errDone) {
		t.Fatalf("subscription ended with %v after %d events", err, len(got))
	}
	want := storetest.ReadAll(t, s, eventstore.Start)
	if len(want) != backlog+live {
		t.Fatalf("store holds %d events", len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Position != want[i].Position || got[i].Hash != want[i].Hash {
			t.Fatalf("event %d delivered is %s at %v, stored is %s at %v (lost, repeated or out of order)",
				i, got[i].ID, got[i].Position, want[i].ID, want[i].Position)
		}
	}
	if want := (backlog+live)/37 + 1; srv.Subscribed() < want {
		t.Fatalf("%d subscriptions for %d events: the test did not exercise resuming", srv.Subscribed(), backlog+live)
	}
	t.Logf("%d subscriptions; %d dropped by the subscriber, the others after every 37 events", srv.Subscribed(), drops)
}

var errDone = errors.New("done")

// countingStore records what each subscription delivers to projections.Live, to catch a repeat that the
// model would silently ignore.
type countingStore struct {
	eventstore.Store
	mu        sync.Mutex
	delivered map[domain.EventID]int
	calls     int
}

func (c *countingStore) Subscribe(ctx context.Context, after eventstore.Position, fn func(eventstore.Recorded) error) error {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Store.Subscribe(ctx, after, func(r eventstore.Recorded) error {
		c.mu.Lock()
		c.delivered[r.ID]++
		c.mu.Unlock()
		return fn(r)
	})
}

// TestLiveResumesFromItsCheckpoint has the server drop every subscription after 25 events and Subscribe give
// up at the first drop, so that projections.Live resubscribes from its own checkpoint every time; the model
// must hold every event once.
func TestLiveResumesFromItsCheckpoint(t *testing.T) {
	const dropEvery = 25
	s, _ := openDouble(t, kurrenttest.Options{SystemEvery: 3, DropEvery: dropEvery}, kurrent.Options{SubscribeRetries: -1})
	const total = 120
	appendN(t, s, "v", total)
	cs := &countingStore{Store: s, delivered: make(map[domain.EventID]int)}
	live := projections.NewLive(cs, quiet())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
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
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("live ended with %v", err)
	}
	if _, n, _ := live.Status(); n != total {
		t.Fatalf("model holds %d events, want %d", n, total)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for id, n := range cs.delivered {
		if n != 1 {
			t.Fatalf("event %s delivered %d times", id, n)
		}
	}
	if cs.calls < total/dropEvery {
		t.Fatalf("%d subscriptions: the test did not exercise resuming", cs.calls)
	}
}

func TestSubscribeEndsWhenTheStoreCloses(t *testing.T) {
	s, _ := openDouble(t, kurrenttest.Options{}, kurrent.Options{})
	appendN(t, s, "c", 3)
	got := make(chan eventstore.Recorded, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(context.Background(), eventstore.Start, func(r eventstore.Recorded) error {
			got <- r
			return nil
		})
	}()
	for range 3 {
		<-got
	}
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("subscription ended with %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("subscription still running after Close")
	}
	if _, err := s.Head(context.Background()); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("head after close: %v, want ErrClosed", err)
	}
}

// TestSubscribeGivesUpWhenTheServerIsGone closes the server under a subscription: after its retries Subscribe
// must return an error rather than wait for ever.
func TestSubscribeGivesUpWhenTheServerIsGone(t *testing.T) {
	s, srv := openDouble(t, kurrenttest.Options{}, kurrent.Options{SubscribeRetries: 1, Backoff: time.Millisecond})
	appendN(t, s, "g", 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n := 0
	err := s.Subscribe(ctx, eventstore.Start, func(eventstore.Recorded) error {
		if n++; n == 2 {
			srv.Close()
		}
		return nil
	})
	if err == nil || ctx.Err() != nil || errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("subscription to a stopped server ended with %v", err)
	}
	t.Logf("gave up with: %v", err)
}
