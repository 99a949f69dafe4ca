package kurrenttest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
)

// client connects the real client to a double.
func client(t *testing.T, url string) *esdb.Client {
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

func events(n int, typ string) []esdb.EventData {
	out := make([]esdb.EventData, n)
	for i := range out {
		out[i] = esdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: esdb.ContentTypeJson,
			Data: []byte(fmt.Sprintf(`{"n":%d}`, i)), Metadata: []byte(`{}`)}
	}
	return out
}

func appendTo(t *testing.T, c *esdb.Client, stream string, exp esdb.ExpectedRevision, evs ...esdb.EventData) *esdb.WriteResult {
	t.Helper()
	wr, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: exp}, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return wr
}

func readAll(t *testing.T, c *esdb.Client, opts esdb.ReadAllOptions, count uint64) []*esdb.RecordedEvent {
	t.Helper()
	rs, err := c.ReadAll(context.Background(), opts, count)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.OriginalEvent())
	}
}

func readStream(c *esdb.Client, stream string, opts esdb.ReadStreamOptions) ([]*esdb.RecordedEvent, error) {
	rs, err := c.ReadStream(context.Background(), stream, opts, 1000)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev.OriginalEvent())
	}
}

func code(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

func TestPositionsArePairsWithGaps(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{})
	c := client(t, srv.URL())
	wr := appendTo(t, c, "worker-p", esdb.NoStream{}, events(3, "WorkerArrived")...)
	appendTo(t, c, "worker-q", esdb.Any{}, events(1, "WorkerArrived")...)
	all := readAll(t, c, esdb.ReadAllOptions{}, 1000)
	var user []*esdb.RecordedEvent
	for _, e := range all {
		if e.StreamID[0] != '$' {
			user = append(user, e)
		}
	}
	if len(all) == len(user) || all[0].StreamID[0] != '$' {
		t.Fatalf("$all holds no system events before the user's: %d events, first in %s", len(all), all[0].StreamID)
	}
	if len(user) != 4 {
		t.Fatalf("%d user events, want 4", len(user))
	}
	tx := user[:3]
	for i, e := range user {
		if e.Position.Commit != e.Position.Prepare || i > 0 && !(user[i-1].Position.Commit < e.Position.Commit) {
			t.Errorf("each event has its own position, commit = prepare, in order: %+v after %+v", e.Position, user[max(i-1, 0)].Position)
		}
	}
	if tx[1].Position.Prepare == tx[0].Position.Prepare+1 || user[3].Position.Commit == tx[2].Position.Commit+1 {
		t.Errorf("positions are contiguous: %+v then %+v", tx[0].Position, tx[1].Position)
	}
	if wr.CommitPosition != tx[2].Position.Commit || wr.PreparePosition != tx[2].Position.Prepare || wr.NextExpectedVersion != 2 {
		t.Errorf("append answered %+v, the last event is at %+v", wr, tx[2].Position)
	}
	for _, e := range user {
		if e.CreatedDate.IsZero() || time.Since(e.CreatedDate) > time.Minute {
			t.Errorf("created %v", e.CreatedDate)
		}
	}
}

func TestReadAllFromAPosition(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{})
	c := client(t, srv.URL())
	appendTo(t, c, "worker-r", esdb.Any{}, events(2, "A")...)
	appendTo(t, c, "worker-r", esdb.Any{}, events(2, "A")...)
	all := readAll(t, c, esdb.ReadAllOptions{}, 1000)
	mid := all[len(all)-3]
	at := esdb.Position{Commit: mid.Position.Commit, Prepare: mid.Position.Prepare}
	cases := []struct {
		name  string
		opts  esdb.ReadAllOptions
		count uint64
		want  []*esdb.RecordedEvent
	}{
		{"forwards from a position includes it", esdb.ReadAllOptions{From: at}, 1000, all[len(all)-3:]},
		{"backwards from a position excludes it", esdb.ReadAllOptions{From: at, Direction: esdb.Backwards}, 2,
			[]*esdb.RecordedEvent{all[len(all)-4], all[len(all)-5]}},
		{"backwards from the end starts at the last", esdb.ReadAllOptions{From: esdb.End{}, Direction: esdb.Backwards}, 1,
			all[len(all)-1:]},
		{"forwards from the end is empty", esdb.ReadAllOptions{From: esdb.End{}}, 10, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, c, tc.opts, tc.count)
			if len(got) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i].EventID != tc.want[i].EventID {
					t.Fatalf("event %d is %s (%+v), want %s", i, got[i].EventID, got[i].Position, tc.want[i].EventID)
				}
			}
		})
	}
}

func TestExpectedRevisionsAndIdempotentReplay(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{})
	c := client(t, srv.URL())
	first := events(2, "A")
	appendTo(t, c, "worker-e", esdb.NoStream{}, first...)
	cases := []struct {
		name  string
		exp   esdb.ExpectedRevision
		evs   []esdb.EventData
		wrong bool
	}{
		{"no stream on an existing stream", esdb.NoStream{}, events(1, "A"), true},
		{"a stale revision", esdb.Revision(0), events(1, "A"), true},
		{"stream exists on an existing stream", esdb.StreamExists{}, events(1, "A"), false},
		{"a replay of the first append is a success that writes nothing", esdb.NoStream{}, first, false},
		{"the current revision", esdb.Revision(2), events(1, "A"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AppendToStream(context.Background(), "worker-e", esdb.AppendToStreamOptions{ExpectedRevision: tc.exp}, tc.evs...)
			if got := code(err) == esdb.ErrorCodeWrongExpectedVersion; got != tc.wrong || !tc.wrong && err != nil {
				t.Fatalf("err %v, want wrong expected version %v", err, tc.wrong)
			}
		})
	}
	got, err := readStream(c, "worker-e", esdb.ReadStreamOptions{})
	if err != nil || len(got) != 4 {
		t.Fatalf("stream holds %d events (%v), want 4", len(got), err)
	}
	if _, err := readStream(c, "worker-none", esdb.ReadStreamOptions{}); code(err) != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("read of a missing stream: %v, want ResourceNotFound", err)
	}
	back, err := readStream(c, "worker-e", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(2)})
	if err != nil || len(back) != 3 || back[0].EventNumber != 2 {
		t.Fatalf("backwards from revision 2: %d events (%v)", len(back), err)
	}
}

func TestTombstoneIsSignalledByTrailers(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{})
	c := client(t, srv.URL())
	appendTo(t, c, "worker-t", esdb.Any{}, events(1, "A")...)
	if _, err := c.TombstoneStream(context.Background(), "worker-t", esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Any{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(c, "worker-t", esdb.ReadStreamOptions{}); code(err) != esdb.ErrorCodeStreamDeleted {
		t.Fatalf("read of a tombstoned stream: %v, want StreamDeleted", err)
	}
	_, err := c.AppendToStream(context.Background(), "worker-t", esdb.AppendToStreamOptions{}, events(1, "A")...)
	if code(err) != esdb.ErrorCodeStreamDeleted {
		t.Fatalf("append to a tombstoned stream: %v, want StreamDeleted", err)
	}
	all := readAll(t, c, esdb.ReadAllOptions{From: esdb.End{}, Direction: esdb.Backwards}, 1)
	if all[0].EventType != "$streamDeleted" || all[0].StreamID != "worker-t" {
		t.Fatalf("last event in $all is %s in %s, want the tombstone", all[0].EventType, all[0].StreamID)
	}
}
