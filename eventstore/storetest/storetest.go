// Package storetest is the conformance suite of the eventstore port. Every backend runs it unchanged:
//
//	storetest.Run(t, func(t *testing.T) eventstore.Store { ... a new, empty store ... })
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// Open returns a new, empty store that the test may use and close.
type Open func(t *testing.T) eventstore.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.Store)
	}{
		{"append then read the stream back", testAppendRead},
		{"expected revisions", testExpected},
		{"a retried append is stored once and answers the original result", testIdempotentRetry},
		{"an event id reused for a different event is refused", testIDReused},
		{"read all in global order from a position", testReadAll},
		{"reading a missing stream is not found", testMissingStream},
		{"hash chain written at append verifies", testHashChain},
		{"batch append to many streams", testBatch},
		{"recorded metadata is set and a given recorded_at kept", testMetadata},
		{"concurrent appends to one stream: exactly one wins each revision", testConcurrentConflict},
		{"concurrent appends to many streams all land", testConcurrentStreams},
		{"subscription catches up then follows live appends without gaps or duplicates", testSubscribe},
		{"subscription from a middle position", testSubscribeFrom},
		{"head is the last position", testHead},
		{"an append answers each event's receipt", testReceipts},
		{"the log holds every event as a leaf, with proofs", testLog},
		{"stored events are found by id ahead of an append", testFind},
		{"concurrent ingests of one record id store one", testConcurrentIngests},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// Event makes a valid proposed event (a WorkerArrived of the worker) with a fresh id.
func Event(t testing.TB, worker string, at time.Time) eventstore.Proposed {
	t.Helper()
	id, err := domain.NewEventID(at, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &domain.WorkerArrived{WorkerID: worker, Country: "MY"}
	data, err := domain.EncodeData(e)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.Proposed{ID: id, Type: e.EventType(), OccurredAt: at.UTC(), Data: data, RecordedBy: "test"}
}

func events(t testing.TB, worker string, n int) []eventstore.Proposed {
	base := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	out := make([]eventstore.Proposed, n)
	for i := range out {
		out[i] = Event(t, worker, base.Add(time.Duration(i)*time.Hour))
	}
	return out
}

func mustAppend(t testing.TB, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, evs []eventstore.Proposed) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: stream, Expected: exp, Events: evs})
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

// ReadAll collects every event after a position.
func ReadAll(t testing.TB, s eventstore.Store, after eventstore.Position) []eventstore.Recorded {
	t.Helper()
	var out []eventstore.Recorded
	for rec, err := range s.ReadAll(context.Background(), after) {
		if err != nil {
			t.Fatalf("read all: %v", err)
		}
		out = append(out, rec)
	}
	return out
}

func readStream(t testing.TB, s eventstore.Store, stream string, from uint64) ([]eventstore.Recorded, error) {
	var out []eventstore.Recorded
	for rec, err := range s.ReadStream(context.Background(), stream, from) {
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func testAppendRead(t *testing.T, s eventstore.Store) {
	evs := events(t, "w1", 3)
	res := mustAppend(t, s, "worker-w1", eventstore.NoStream(), evs)
	if len(res.Events) != 3 {
		t.Fatalf("result has %d events, want 3", len(res.Events))
	}
	got, err := readStream(t, s, "worker-w1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("read %d events, want 3", len(got))
	}
	for i, rec := range got {
		p := evs[i]
		if rec.ID != p.ID || rec.Type != p.Type || !rec.OccurredAt.Equal(p.OccurredAt) || string(rec.Data) != string(p.Data) {
			t.Errorf("event %d read back as %+v, want %+v", i, rec, p)
		}
		if rec.Revision != uint64(i) || rec.Stream != "worker-w1" {
			t.Errorf("event %d: stream %s revision %d", i, rec.Stream, rec.Revision)
		}
		if res.Events[i].Revision != uint64(i) || res.Events[i].Position != rec.Position || res.Events[i].Duplicate {
			t.Errorf("append result %d = %+v, read %v", i, res.Events[i], rec.Position)
		}
		if i > 0 && !got[i-1].Position.Less(rec.Position) {
			t.Errorf("positions not increasing: %v then %v", got[i-1].Position, rec.Position)
		}
	}
	from1, err := readStream(t, s, "worker-w1", 1)
	if err != nil || len(from1) != 2 || from1[0].Revision != 1 {
		t.Errorf("read from revision 1: %d events, err %v", len(from1), err)
	}
}

func testExpected(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "worker-a", eventstore.NoStream(), events(t, "a", 2)) // revisions 0, 1
	cases := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedRevision
		conflict bool
	}{
		{"no stream on an existing stream conflicts", "worker-a", eventstore.NoStream(), true},
		{"exact but stale revision conflicts", "worker-a", eventstore.Exact(0), true},
		{"exact revision ahead conflicts", "worker-a", eventstore.Exact(5), true},
		{"exact current revision appends", "worker-a", eventstore.Exact(1), false},
		{"any appends to an existing stream", "worker-a", eventstore.Any(), false},
		{"stream exists on a missing stream conflicts", "worker-b", eventstore.StreamExists(), true},
		{"exact on a missing stream conflicts", "worker-b", eventstore.Exact(0), true},
		{"stream exists on an existing stream appends", "worker-a", eventstore.StreamExists(), false},
		{"any creates a stream", "worker-c", eventstore.Any(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(context.Background(), eventstore.AppendRequest{
				Stream: tc.stream, Expected: tc.expected, Events: events(t, tc.stream[7:], 1)})
			if got := errors.Is(err, eventstore.ErrConflict); got != tc.conflict {
				t.Fatalf("conflict = %v (err %v), want %v", got, err, tc.conflict)
			}
		})
	}
}

func testIdempotentRetry(t *testing.T, s eventstore.Store) {
	evs := events(t, "r", 2)
	first := mustAppend(t, s, "worker-r", eventstore.NoStream(), evs)
	// The same request again: NoStream no longer holds, but a retry must answer the original result.
	again := mustAppend(t, s, "worker-r", eventstore.NoStream(), evs)
	for i := range evs {
		if !again.Events[i].Duplicate || again.Events[i].Revision != first.Events[i].Revision ||
			again.Events[i].Position != first.Events[i].Position {
			t.Errorf("retry result %d = %+v, want duplicate of %+v", i, again.Events[i], first.Events[i])
		}
	}
	// The same event twice in one request is stored once.
	twice := events(t, "r2", 1)
	res2 := mustAppend(t, s, "worker-r2", eventstore.NoStream(), []eventstore.Proposed{twice[0], twice[0]})
	if res2.Events[0].Duplicate || !res2.Events[1].Duplicate || res2.Events[1].Position != res2.Events[0].Position {
		t.Errorf("an event repeated in one request: results %+v", res2.Events)
	}
	if got, _ := readStream(t, s, "worker-r2", 0); len(got) != 1 {
		t.Errorf("an event repeated in one request is stored %d times", len(got))
	}
	// A mix of old and new events stores only the new one.
	mixed := append(slices.Clone(evs), events(t, "r", 1)...)
	res := mustAppend(t, s, "worker-r", eventstore.Any(), mixed)
	if res.Events[2].Duplicate || res.Events[2].Revision != 2 || !res.Events[0].Duplicate {
		t.Errorf("mixed append result %+v", res.Events)
	}
	if n := len(ReadAll(t, s, eventstore.Start)); n != 4 {
		t.Errorf("store holds %d events, want 4", n)
	}
}

func testIDReused(t *testing.T, s eventstore.Store) {
	evs := events(t, "x", 1)
	mustAppend(t, s, "worker-x", eventstore.Any(), evs)
	other := evs[0]
	other.OccurredAt = other.OccurredAt.Add(time.Hour)
	_, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-x", Events: []eventstore.Proposed{other}})
	if !errors.Is(err, eventstore.ErrEventIDReused) {
		t.Fatalf("append of a different event under a stored id: err %v, want ErrEventIDReused", err)
	}
	if n := len(ReadAll(t, s, eventstore.Start)); n != 1 {
		t.Errorf("store holds %d events, want 1", n)
	}
}

func testReadAll(t *testing.T, s eventstore.Store) {
	for i := range 5 {
		w := fmt.Sprintf("g%d", i)
		mustAppend(t, s, "worker-"+w, eventstore.Any(), events(t, w, 2))
	}
	all := ReadAll(t, s, eventstore.Start)
	if len(all) != 10 {
		t.Fatalf("read %d events, want 10", len(all))
	}
	for i := 1; i < len(all); i++ {
		if !all[i-1].Position.Less(all[i].Position) {
			t.Fatalf("global order broken at %d: %v then %v", i, all[i-1].Position, all[i].Position)
		}
	}
	for k := range all {
		rest := ReadAll(t, s, all[k].Position)
		if len(rest) != len(all)-k-1 || len(rest) > 0 && rest[0].ID != all[k+1].ID {
			t.Fatalf("read after event %d: %d events", k, len(rest))
		}
	}
}

func testMissingStream(t *testing.T, s eventstore.Store) {
	_, err := readStream(t, s, "worker-nobody", 0)
	if !errors.Is(err, eventstore.ErrNotFound) {
		t.Fatalf("read of a missing stream: err %v, want ErrNotFound", err)
	}
}

func testHashChain(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "worker-h", eventstore.Any(), events(t, "h", 3))
	mustAppend(t, s, "worker-i", eventstore.Any(), events(t, "i", 1))
	mustAppend(t, s, "worker-h", eventstore.Any(), events(t, "h", 1))
	prev := map[string]string{}
	for _, rec := range ReadAll(t, s, eventstore.Start) {
		want := domain.ChainHash(prev[rec.Stream], domain.CanonicalBytes(rec.Type, rec.OccurredAt, rec.Data, rec.ID))
		if rec.Hash != want {
			t.Fatalf("event %s hash %s, want %s", rec.ID, rec.Hash, want)
		}
		prev[rec.Stream] = rec.Hash
	}
	rep, err := eventstore.Verify(context.Background(), s)
	if err != nil || rep.Bad != nil || rep.Events != 5 || rep.Streams != 2 {
		t.Fatalf("verify = %+v, %v", rep, err)
	}
}

func testBatch(t *testing.T, s eventstore.Store) {
	reqs := []eventstore.AppendRequest{
		{Stream: "worker-b1", Expected: eventstore.NoStream(), Events: events(t, "b1", 2)},
		{Stream: "worker-b2", Events: events(t, "b2", 1)},
		{Stream: "worker-b1", Events: events(t, "b1", 1)},
	}
	res, err := s.AppendBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || res[2].Events[0].Revision != 2 || res[1].Events[0].Revision != 0 {
		t.Fatalf("batch results %+v", res)
	}
	if n := len(ReadAll(t, s, eventstore.Start)); n != 4 {
		t.Fatalf("store holds %d events, want 4", n)
	}
}

func testMetadata(t *testing.T, s eventstore.Store) {
	before := time.Now().Add(-time.Minute)
	evs := events(t, "m", 2)
	kept := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	evs[1].RecordedAt = kept
	evs[1].RecordedBy = "org-7"
	mustAppend(t, s, "worker-m", eventstore.Any(), evs)
	got, err := readStream(t, s, "worker-m", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].RecordedAt.Before(before) || got[0].RecordedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("recorded_at %v is not the time of the append", got[0].RecordedAt)
	}
	if !got[1].RecordedAt.Equal(kept) || got[1].RecordedBy != "org-7" || got[0].RecordedBy != "test" {
		t.Errorf("metadata not kept: %+v", got[1])
	}
}

func testConcurrentConflict(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "worker-c", eventstore.NoStream(), events(t, "c", 1))
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			_, errs[i] = s.Append(context.Background(), eventstore.AppendRequest{
				Stream: "worker-c", Expected: eventstore.Exact(0), Events: events(t, "c", 1)})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, eventstore.ErrConflict):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers won revision 1, want exactly 1", won)
	}
}

func testConcurrentStreams(t *testing.T, s eventstore.Store) {
	const writers, each = 16, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("worker-cs%d", w)
			for i := range each {
				_, err := s.Append(context.Background(), eventstore.AppendRequest{
					Stream: stream, Expected: expectFor(i), Events: events(t, stream[7:], 1)})
				if err != nil {
					t.Errorf("%s append %d: %v", stream, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	all := ReadAll(t, s, eventstore.Start)
	if len(all) != writers*each {
		t.Fatalf("store holds %d events, want %d", len(all), writers*each)
	}
	next := map[string]uint64{}
	for _, rec := range all {
		if rec.Revision != next[rec.Stream] {
			t.Fatalf("%s revision %d, want %d", rec.Stream, rec.Revision, next[rec.Stream])
		}
		next[rec.Stream]++
	}
}

func expectFor(i int) eventstore.ExpectedRevision {
	if i == 0 {
		return eventstore.NoStream()
	}
	return eventstore.Exact(uint64(i - 1))
}

func testHead(t *testing.T, s eventstore.Store) {
	head, err := s.Head(context.Background())
	if err != nil || !head.IsStart() {
		t.Fatalf("head of an empty store = %v, %v; want Start", head, err)
	}
	res := mustAppend(t, s, "worker-hd", eventstore.Any(), events(t, "hd", 3))
	head, err = s.Head(context.Background())
	if err != nil || head != res.Events[2].Position {
		t.Fatalf("head = %v, %v; want %v", head, err, res.Events[2].Position)
	}
}

// testReceipts checks that an append answers each event's receipt: its stored hash and the hash of its log
// leaf, for new events and for duplicates alike.
func testReceipts(t *testing.T, s eventstore.Store) {
	evs := events(t, "rc", 2)
	first := mustAppend(t, s, "worker-rc", eventstore.NoStream(), evs[:1])
	again := mustAppend(t, s, "worker-rc", eventstore.Any(), evs)
	got, err := readStream(t, s, "worker-rc", 0)
	if err != nil || len(got) != 2 {
		t.Fatalf("read back %d events: %v", len(got), err)
	}
	answers := []eventstore.Appended{first.Events[0], again.Events[0], again.Events[1]}
	stored := []eventstore.Recorded{got[0], got[0], got[1]}
	for i, a := range answers {
		leaf := eventstore.LeafHash(eventstore.Leaf(stored[i]))
		if a.Hash != stored[i].Hash || a.LeafHash != hex.EncodeToString(leaf[:]) {
			t.Errorf("answer %d: hash %s leaf hash %s, stored event has %s and %x", i, a.Hash, a.LeafHash,
				stored[i].Hash, leaf)
		}
	}
	if !again.Events[0].Duplicate || again.Events[1].Duplicate {
		t.Errorf("duplicate flags %v %v, want true false", again.Events[0].Duplicate, again.Events[1].Duplicate)
	}
}
