package kurrent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// TestOnAFollower connects the backend to a cluster through its follower (gossip seeds, nodePreference=
// follower): the follower forwards writes and answers reads from a copy that lags (the test never replicates
// it). Every call requires the leader, so the follower refuses them and the client moves to the leader: appends
// are planned on the stream as the leader holds it, read back there, and reads see every event.
func TestOnAFollower(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{Follower: true, SystemEvery: 3})
	url := "kurrentdb://" + srv.FollowerAddr() + "," + srv.Addr() + "?tls=false&nodePreference=follower"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kurrent.Open(ctx, url, kurrent.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var all []eventstore.AppendResult
	for i, exp := range []eventstore.ExpectedRevision{eventstore.NoStream(), eventstore.Exact(1), eventstore.Exact(3)} {
		evs := []eventstore.Proposed{storetest.Event(t, "f", base.Add(time.Duration(2*i)*time.Hour)),
			storetest.Event(t, "f", base.Add(time.Duration(2*i+1)*time.Hour))}
		res, err := s.Append(ctx, eventstore.AppendRequest{Stream: "worker-f", Expected: exp, Events: evs})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		all = append(all, res)
	}
	stored := readStream(t, s, "worker-f")
	if len(stored) != 6 || srv.Appends() != 3 {
		t.Fatalf("%d events stored in %d appends, want 6 in 3", len(stored), srv.Appends())
	}
	for i, rec := range stored {
		if a := all[i/2].Events[i%2]; a.Position != rec.Position || a.Revision != rec.Revision || a.Duplicate {
			t.Errorf("event %d answered %+v, stored at revision %d, %v", i, a, rec.Revision, rec.Position)
		}
	}
	if head, err := s.Head(ctx); err != nil || head != stored[5].Position {
		t.Errorf("head %v (%v), want the last event's %v", head, err, stored[5].Position)
	}
	if rep, err := eventstore.Verify(ctx, s); err != nil || rep.Bad != nil || rep.Events != 6 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	// A store given the follower alone moves to the leader (its first call is refused) and follows it there.
	sub, err := kurrent.Open(ctx, srv.FollowerURL(), kurrent.Options{Logger: quiet(), Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := 0
	err = sub.Subscribe(ctx, eventstore.Start, func(eventstore.Recorded) error {
		if got++; got == len(stored) {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("subscription through the follower: %v after %d events", err, got)
	}
}

// TestRacingWritersOfOneIDWithDifferentContent: two writers read the same stream state and append the same
// event id with different content. KurrentDB matches ids only and tells both they succeeded; the one whose
// event is not stored must get ErrEventIDReused, and the stored one must stand.
func TestRacingWritersOfOneIDWithDifferentContent(t *testing.T) {
	first := storetest.Event(t, "race", base)
	other := first
	data, err := domain.EncodeData(&domain.WorkerArrived{WorkerID: "race", Country: "TH"})
	if err != nil {
		t.Fatal(err)
	}
	other.Data = data
	var winner *kurrent.Store
	var winnerErr error
	raced := false
	hook := func(string) {
		if raced {
			return
		}
		raced = true // the winner's own append comes through here too, after this line
		_, winnerErr = winner.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-race",
			Events: []eventstore.Proposed{first}})
	}
	loser, srv := openDouble(t, kurrenttest.Options{BeforeAppend: hook}, kurrent.Options{})
	if winner, err = kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	defer winner.Close()
	_, err = loser.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-race",
		Events: []eventstore.Proposed{other}})
	if winnerErr != nil {
		t.Fatalf("the first writer: %v", winnerErr)
	}
	if !errors.Is(err, eventstore.ErrEventIDReused) {
		t.Fatalf("the second writer was answered %v, want ErrEventIDReused", err)
	}
	stored := readStream(t, loser, "worker-race")
	if len(stored) != 1 || string(stored[0].Data) == string(other.Data) {
		t.Fatalf("stored %+v, want the first writer's event alone", stored)
	}
}

// TestTimedOutAppendsAreNeitherLostNorDoubled: KurrentDB answers Aborted "Operation timed out" when it cannot
// confirm a write, whether or not it was written. The backend reads the stream again and writes what is not
// there: every event is stored once, and answered as new.
func TestTimedOutAppendsAreNeitherLostNorDoubled(t *testing.T) {
	s, srv := openDouble(t, kurrenttest.Options{SystemEvery: 2}, kurrent.Options{})
	cases := []struct {
		name      string
		committed []bool
	}{
		{"written, then timed out", []bool{true}},
		{"not written, timed out", []bool{false}},
		{"timed out twice, written the second time", []bool{false, true}},
	}
	total := 0
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range tc.committed {
				srv.TimeOutAppends(1, c)
			}
			evs := []eventstore.Proposed{storetest.Event(t, "t", base.Add(time.Duration(2*i)*time.Hour)),
				storetest.Event(t, "t", base.Add(time.Duration(2*i+1)*time.Hour))}
			res, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-t", Events: evs})
			if err != nil {
				t.Fatalf("append: %v", err)
			}
			total += len(evs)
			stored := readStream(t, s, "worker-t")
			if len(stored) != total {
				t.Fatalf("%d events stored, want %d", len(stored), total)
			}
			for j, a := range res.Events {
				rec := stored[total-len(evs)+j]
				if a.Duplicate || a.ID != rec.ID || a.Position != rec.Position {
					t.Errorf("answered %+v, stored %s at %v", a, rec.ID, rec.Position)
				}
			}
		})
	}
	if rep, err := eventstore.Verify(context.Background(), s); err != nil || rep.Bad != nil {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// readStream reads a whole stream.
func readStream(t *testing.T, s eventstore.Store, stream string) []eventstore.Recorded {
	t.Helper()
	var out []eventstore.Recorded
	for rec, err := range s.ReadStream(context.Background(), stream, 0) {
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		out = append(out, rec)
	}
	return out
}
