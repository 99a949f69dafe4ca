package embedded

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

func TestAfterClose(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	want := populate(t, s, []string{"worker-a"}, 3)
	closeStore(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	_, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-a", Events: []eventstore.Proposed{storetest.Event(t, "late", day)}})
	if !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("append after close: %v, want ErrClosed", err)
	}
	sameEvents(t, storetest.ReadAll(t, openStore(t, dir, Options{}), eventstore.Start), want)
}

// Every Append racing Close must return (committed, or ErrClosed), never wait forever.
func TestAppendRacingCloseReturns(t *testing.T) {
	const writers = 8
	for round := range 40 {
		s := openStore(t, t.TempDir(), Options{})
		results := make(chan error, writers)
		for w := range writers {
			go func() {
				for i := 0; ; i++ {
					ev := storetest.Event(t, fmt.Sprintf("w%d-%d", w, i), day)
					_, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: fmt.Sprintf("worker-%d", w), Events: []eventstore.Proposed{ev}})
					if err != nil {
						results <- err
						return
					}
				}
			}()
		}
		time.Sleep(time.Millisecond)
		closeStore(t, s)
		for range writers {
			select {
			case err := <-results:
				if !errors.Is(err, eventstore.ErrClosed) {
					t.Fatalf("round %d: append racing close: %v, want ErrClosed", round, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("round %d: an Append still waits 5s after Close returned", round)
			}
		}
	}
}
