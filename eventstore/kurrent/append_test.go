package kurrent_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// TestConcurrentWritersKeepTheChain has two stores (two fairtrail processes) and eight writers append to one
// stream, expecting any revision: every append must land, and the hash chain must hold, because each append
// is chained on the revision it read and KurrentDB refuses it if another got there first.
func TestConcurrentWritersKeepTheChain(t *testing.T) {
	a, srv := openDouble(t, kurrenttest.Options{SystemEvery: 2}, kurrent.Options{})
	b, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for w := range writers {
		s := []eventstore.Store{a, b}[w%2]
		wg.Go(func() {
			for i := range each {
				ev := storetest.Event(t, "shared", base.Add(time.Duration(w*each+i)*time.Second))
				if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-shared",
					Events: []eventstore.Proposed{ev}}); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		})
	}
	wg.Wait()
	rep, err := eventstore.Verify(context.Background(), a)
	if err != nil || rep.Bad != nil || rep.Events != writers*each {
		t.Fatalf("verify after concurrent writers: %+v, %v", rep, err)
	}
}

// TestConflictsAreErrConflict checks the mapping of KurrentDB's wrong-expected-version, seen by two stores
// that both read revision 0 and append expecting it.
func TestConflictsAreErrConflict(t *testing.T) {
	a, srv := openDouble(t, kurrenttest.Options{}, kurrent.Options{})
	b, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ev := func(i int) []eventstore.Proposed {
		return []eventstore.Proposed{storetest.Event(t, "k", base.Add(time.Duration(i)))}
	}
	if _, err := a.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-k", Expected: eventstore.NoStream(), Events: ev(0)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		s := []eventstore.Store{a, b}[i%2]
		wg.Go(func() {
			_, errs[i] = s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-k",
				Expected: eventstore.Exact(0), Events: ev(i + 1)})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, eventstore.ErrConflict) || !strings.Contains(err.Error(), "worker-k"):
			t.Fatalf("conflict reported as %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers won revision 1, want 1", won)
	}
}

// TestLargeRequestIsSplitUnderTheAppendLimit appends requests larger than the server accepts at once, with the
// store's limit equal to the server's: each is written in several appends, chained, with every position right.
// The size is counted as the server counts it, metadata included, so even metadata at its worst (a recorded_by
// of characters JSON escapes six bytes wide) never makes an append cross the limit.
func TestLargeRequestIsSplitUnderTheAppendLimit(t *testing.T) {
	cases := []struct {
		name       string
		recordedBy func(i int) string
	}{
		{"large data", func(i int) string { return fmt.Sprintf("agency-%d", i) }},
		{"worst-case metadata", func(int) string { return strings.Repeat("<", 200) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := openDouble(t, kurrenttest.Options{MaxAppendSize: 3000}, kurrent.Options{MaxAppendBytes: 3000})
			var evs []eventstore.Proposed
			for i := range 12 {
				e := &domain.WorkerRecruited{WorkerID: "big", JobOrderID: strings.Repeat("j", 300), OriginCountry: "NP",
					RecruitedBy: fmt.Sprintf("agency-%d", i), Languages: []string{"ne"}}
				data, err := domain.EncodeData(e)
				if err != nil {
					t.Fatal(err)
				}
				p := storetest.Event(t, "big", base.Add(time.Duration(i)*time.Hour))
				p.Type, p.Data, p.RecordedBy = e.EventType(), data, tc.recordedBy(i)
				evs = append(evs, p)
			}
			res, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-big", Expected: eventstore.NoStream(), Events: evs})
			if err != nil {
				t.Fatal(err)
			}
			all := storetest.ReadAll(t, s, eventstore.Start)
			if len(all) != len(evs) {
				t.Fatalf("%d events stored, want %d", len(all), len(evs))
			}
			for i, rec := range all {
				if res.Events[i].Position != rec.Position || res.Events[i].Revision != uint64(i) || rec.RecordedBy != evs[i].RecordedBy {
					t.Fatalf("result %d = %+v, stored at %v by %q", i, res.Events[i], rec.Position, rec.RecordedBy)
				}
			}
			if srv.Appends() < 3 {
				t.Fatalf("written in %d appends; the limit should have split it in at least 3", srv.Appends())
			}
			if rep, err := eventstore.Verify(context.Background(), s); err != nil || rep.Bad != nil {
				t.Fatalf("verify: %+v, %v", rep, err)
			}
		})
	}
}

func TestBadRequestsAreRefusedBeforeAnythingIsStored(t *testing.T) {
	s, _ := openDouble(t, kurrenttest.Options{}, kurrent.Options{})
	good := storetest.Event(t, "x", base)
	noID, noTime, sysType := good, good, good
	noID.ID = domain.EventID{}
	noTime.OccurredAt = time.Time{}
	sysType.Type = "$metadata"
	cases := []struct {
		name string
		req  eventstore.AppendRequest
		want string
	}{
		{"a stream that is not fairtrail's", eventstore.AppendRequest{Stream: "orders-1", Events: []eventstore.Proposed{good}}, "not a fairtrail stream"},
		{"a system stream", eventstore.AppendRequest{Stream: "$all", Events: []eventstore.Proposed{good}}, "not a fairtrail stream"},
		{"a prefix without an id", eventstore.AppendRequest{Stream: "worker-", Events: []eventstore.Proposed{good}}, "not a fairtrail stream"},
		{"an event without an id", eventstore.AppendRequest{Stream: "worker-x", Events: []eventstore.Proposed{noID}}, "without an id"},
		{"an event without occurred_at", eventstore.AppendRequest{Stream: "worker-x", Events: []eventstore.Proposed{noTime}}, "no occurred_at"},
		{"a system event type", eventstore.AppendRequest{Stream: "worker-x", Events: []eventstore.Proposed{sysType}}, "system type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok := eventstore.AppendRequest{Stream: "worker-ok", Events: []eventstore.Proposed{storetest.Event(t, "ok", base)}}
			_, err := s.AppendBatch(context.Background(), []eventstore.AppendRequest{ok, tc.req})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if n := len(storetest.ReadAll(t, s, eventstore.Start)); n != 0 {
				t.Fatalf("%d events stored from a refused batch", n)
			}
		})
	}
}

// rawClient is the client library itself, for writing what fairtrail never would.
func rawClient(t *testing.T, url string) *esdb.Client {
	t.Helper()
	conf, err := esdb.ParseConnectionString(url)
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTombstonedStream(t *testing.T) {
	s, srv := openDouble(t, kurrenttest.Options{}, kurrent.Options{})
	appendN(t, s, "t", 3)
	c := rawClient(t, srv.URL())
	if _, err := c.TombstoneStream(context.Background(), "worker-t0", esdb.TombstoneStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	var err error
	for _, err = range s.ReadStream(context.Background(), "worker-t0", 0) {
		break
	}
	if !errors.Is(err, eventstore.ErrNotFound) || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("read of a tombstoned stream: %v", err)
	}
	_, err = s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-t0", Events: []eventstore.Proposed{storetest.Event(t, "t0", base)}})
	if err == nil || errors.Is(err, eventstore.ErrConflict) || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("append to a tombstoned stream: %v", err)
	}
	if n := len(storetest.ReadAll(t, s, eventstore.Start)); n != 3 {
		t.Fatalf("read all yields %d events; the tombstone is not fairtrail's", n)
	}
}

// TestForeignAndTamperedEventsAreReported writes, with the client library, an event in a fairtrail stream
// without fairtrail's metadata, and one whose data was changed after hashing: reads name the first as
// corrupt, and verify names the second.
func TestForeignAndTamperedEventsAreReported(t *testing.T) {
	s, srv := openDouble(t, kurrenttest.Options{}, kurrent.Options{})
	appendN(t, s, "z", 1)
	stored := storetest.ReadAll(t, s, eventstore.Start)[0]
	c := rawClient(t, srv.URL())
	meta := fmt.Sprintf(`{"fairtrail":1,"occurred_at":%q,"recorded_at":%q,"recorded_by":"x","hash":%q}`,
		stored.OccurredAt.Format(time.RFC3339Nano), stored.RecordedAt.Format(time.RFC3339Nano), stored.Hash)
	tampered := esdb.EventData{EventID: uuid.New(), EventType: stored.Type, ContentType: esdb.ContentTypeJson,
		Data: []byte(strings.Replace(string(stored.Data), "MY", "SG", 1)), Metadata: []byte(meta)}
	if _, err := c.AppendToStream(context.Background(), "worker-z1", esdb.AppendToStreamOptions{}, tampered); err != nil {
		t.Fatal(err)
	}
	rep, err := eventstore.Verify(context.Background(), s)
	if err != nil || rep.Bad == nil || rep.Bad.EventID != tampered.EventID.String() || !strings.Contains(rep.Bad.Problem, "hash mismatch") {
		t.Fatalf("verify of a tampered event: %+v, %v", rep.Bad, err)
	}
	foreign := esdb.EventData{EventID: uuid.New(), EventType: "WorkerArrived", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)}
	if _, err := c.AppendToStream(context.Background(), "worker-z2", esdb.AppendToStreamOptions{}, foreign); err != nil {
		t.Fatal(err)
	}
	var ce *eventstore.CorruptError
	err = nil
	for _, err = range s.ReadStream(context.Background(), "worker-z2", 0) {
		break
	}
	if !errors.As(err, &ce) || ce.EventID != foreign.EventID.String() || !strings.Contains(ce.Where, "worker-z2") {
		t.Fatalf("read of an event without fairtrail's metadata: %v", err)
	}
}
