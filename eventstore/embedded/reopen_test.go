package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

func TestReopenKeepsEverything(t *testing.T) {
	tests := []struct {
		name string
		// write stores events in s (called once per session before the last reopen).
		write    func(t *testing.T, s *Store)
		sessions int
	}{
		{
			name:     "single appends interleaved over several streams",
			write:    func(t *testing.T, s *Store) { populate(t, s, []string{"worker-a", "worker-b", "worker-c"}, 30) },
			sessions: 1,
		},
		{
			name:     "one batch across many streams",
			write:    appendBatchOfStreams,
			sessions: 1,
		},
		{
			name: "three sessions, each adding to the streams of the last",
			write: func(t *testing.T, s *Store) {
				populate(t, s, []string{"worker-a", "worker-b", "worker-c", "worker-d"}, 13)
			},
			sessions: 3,
		},
		{
			name:     "a session that writes nothing",
			write:    func(t *testing.T, s *Store) {},
			sessions: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var want []eventstore.Recorded
			for range tc.sessions {
				s := openStore(t, dir, Options{})
				sameEvents(t, storetest.ReadAll(t, s, eventstore.Start), want)
				tc.write(t, s)
				want = storetest.ReadAll(t, s, eventstore.Start)
				closeStore(t, s)
			}

			s := openStore(t, dir, Options{})
			sameEvents(t, storetest.ReadAll(t, s, eventstore.Start), want)
			sameStreams(t, s, want)
			continuesChains(t, s, want)
		})
	}
}

// appendBatchOfStreams stores ten streams of five events in one AppendBatch.
func appendBatchOfStreams(t *testing.T, s *Store) {
	var reqs []eventstore.AppendRequest
	for w := range 10 {
		req := eventstore.AppendRequest{Stream: fmt.Sprintf("worker-%02d", w), Expected: eventstore.NoStream()}
		for i := range 5 {
			req.Events = append(req.Events, storetest.Event(t, fmt.Sprintf("B%02d-%d", w, i), day.Add(time.Duration(i)*time.Hour)))
		}
		reqs = append(reqs, req)
	}
	if _, err := s.AppendBatch(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
}

// sameStreams checks that reading each stream gives its events of want, in revision order.
func sameStreams(t *testing.T, s *Store, want []eventstore.Recorded) {
	t.Helper()
	byStream := map[string][]eventstore.Recorded{}
	for _, r := range want {
		byStream[r.Stream] = append(byStream[r.Stream], r)
	}
	for stream, evs := range byStream {
		var got []eventstore.Recorded
		for rec, err := range s.ReadStream(context.Background(), stream, 0) {
			if err != nil {
				t.Fatalf("read stream %s: %v", stream, err)
			}
			got = append(got, rec)
		}
		sameEvents(t, got, evs)
	}
}

// continuesChains appends after a reopen to the last-written stream, to a new stream, and retries an old
// event, checking revisions, positions, hashes and a passing verify.
func continuesChains(t *testing.T, s *Store, before []eventstore.Recorded) {
	t.Helper()
	next := uint64(len(before) + 1)
	total := len(before)
	if len(before) > 0 {
		last := before[len(before)-1]
		got, ev := appendOne(t, s, last.Stream, "after-reopen", eventstore.Exact(last.Revision))
		if got.Revision != last.Revision+1 || got.Position.Commit != next || got.Duplicate {
			t.Fatalf("append after reopen: revision %d position %s duplicate %v, want revision %d position %d",
				got.Revision, got.Position, got.Duplicate, last.Revision+1, next)
		}
		chainsFrom(t, storetest.ReadAll(t, s, last.Position)[0], ev, last.Hash)
		next++
		total++

		first := before[0]
		retry := eventstore.Proposed{ID: first.ID, Type: first.Type, OccurredAt: first.OccurredAt, Data: first.Data, RecordedBy: first.RecordedBy}
		res, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: first.Stream, Expected: eventstore.NoStream(), Events: []eventstore.Proposed{retry}})
		if err != nil {
			t.Fatalf("retry of the first event after reopen: %v", err)
		}
		if a := res.Events[0]; !a.Duplicate || a.Position != first.Position || a.Revision != first.Revision {
			t.Fatalf("retry of the first event after reopen answered %+v, want the original (revision %d, position %s)",
				a, first.Revision, first.Position)
		}
	}
	got, ev := appendOne(t, s, "worker-new-after-reopen", "fresh", eventstore.NoStream())
	if got.Revision != 0 || got.Position.Commit != next {
		t.Fatalf("new stream after reopen: revision %d position %s, want 0 and %d", got.Revision, got.Position, next)
	}
	all := storetest.ReadAll(t, s, eventstore.Start)
	chainsFrom(t, all[len(all)-1], ev, "")
	mustVerify(t, s, total+1)
}
