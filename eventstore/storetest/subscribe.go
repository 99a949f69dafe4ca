package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

func testSubscribe(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "worker-s0", eventstore.Any(), events(t, "s0", 5))
	const writers, each = 4, 25
	total := 5 + writers*each
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan eventstore.Recorded, total+10)
	subErr := make(chan error, 1)
	go func() {
		subErr <- s.Subscribe(ctx, eventstore.Start, func(r eventstore.Recorded) error {
			got <- r
			return nil
		})
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range each {
				stream := fmt.Sprintf("worker-s%d", w+1)
				if _, err := s.Append(ctx, eventstore.AppendRequest{Stream: stream, Events: events(t, stream[7:], 1)}); err != nil {
					t.Errorf("append: %v", err)
				}
			}
		})
	}
	wg.Wait()
	seen := map[domain.EventID]bool{}
	var last eventstore.Position
	for range total {
		select {
		case r := <-got:
			if seen[r.ID] {
				t.Fatalf("event %s delivered twice", r.ID)
			}
			if !last.Less(r.Position) {
				t.Fatalf("out of order: %v after %v", r.Position, last)
			}
			seen[r.ID], last = true, r.Position
		case err := <-subErr:
			t.Fatalf("subscription ended: %v", err)
		case <-ctx.Done():
			t.Fatalf("subscription delivered %d of %d events", len(seen), total)
		}
	}
	for _, rec := range ReadAll(t, s, eventstore.Start) {
		if !seen[rec.ID] {
			t.Fatalf("event %s never delivered", rec.ID)
		}
	}
	cancel()
	if err := <-subErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("subscription ended with %v, want context.Canceled", err)
	}
	select {
	case r := <-got:
		t.Fatalf("extra event delivered: %s", r.ID)
	default:
	}
}

func testSubscribeFrom(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "worker-f", eventstore.Any(), events(t, "f", 6))
	all := ReadAll(t, s, eventstore.Start)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []eventstore.Recorded
	err := s.Subscribe(ctx, all[2].Position, func(r eventstore.Recorded) error {
		got = append(got, r)
		if len(got) == 3 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("subscription ended with %v", err)
	}
	if got[0].ID != all[3].ID || got[2].ID != all[5].ID {
		t.Fatalf("subscription from %v started at %v", all[2].Position, got[0].Position)
	}
}

var errStop = errors.New("stop")
