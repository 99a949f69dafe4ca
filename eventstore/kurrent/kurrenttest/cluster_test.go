package kurrenttest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/metadata"

	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
)

// leaderOnly is a context whose calls carry requires-leader: true, as the fairtrail backend sends them.
func leaderOnly() context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "requires-leader", "true")
}

func TestFollowerForwardsWritesAndReadsLag(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{Follower: true})
	follower, leader := client(t, srv.FollowerURL()), client(t, srv.URL())
	appendTo(t, follower, "worker-f", esdb.NoStream{}, events(2, "WorkerArrived")...)
	if got, err := readStream(leader, "worker-f", esdb.ReadStreamOptions{}); err != nil || len(got) != 2 {
		t.Fatalf("the leader holds %d events (%v), want the 2 forwarded", len(got), err)
	}
	if _, err := readStream(follower, "worker-f", esdb.ReadStreamOptions{}); code(err) != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("the follower read its own write before replicating it: %v", err)
	}
	if n := len(readAll(t, follower, esdb.ReadAllOptions{}, 1000)); n != 2 {
		t.Fatalf("the follower's $all holds %d events before replication, want the 2 system events", n)
	}
	srv.Replicate()
	if got, err := readStream(follower, "worker-f", esdb.ReadStreamOptions{}); err != nil || len(got) != 2 {
		t.Fatalf("after replication the follower holds %d events (%v)", len(got), err)
	}
}

func TestFollowerRefusesCallsThatRequireTheLeader(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{Follower: true})
	// Both members as gossip seeds, preferring a follower: the client connects to the follower.
	c := client(t, "esdb://"+srv.FollowerAddr()+","+srv.Addr()+"?tls=false&nodePreference=follower")
	_, err := c.AppendToStream(leaderOnly(), "worker-l", esdb.AppendToStreamOptions{}, events(1, "WorkerArrived")...)
	if code(err) != esdb.ErrorCodeNotLeader {
		t.Fatalf("an append requiring the leader, sent to the follower: %v, want not-leader", err)
	}
	// The client has reconnected to the leader it was told of.
	if _, err := c.AppendToStream(leaderOnly(), "worker-l", esdb.AppendToStreamOptions{}, events(1, "WorkerArrived")...); err != nil {
		t.Fatalf("the same append on the leader: %v", err)
	}
	f := client(t, srv.FollowerURL())
	rs, err := f.ReadStream(leaderOnly(), "worker-l", esdb.ReadStreamOptions{}, 10)
	if err == nil {
		defer rs.Close()
		_, err = rs.Recv()
	}
	if code(err) != esdb.ErrorCodeNotLeader {
		t.Fatalf("a read requiring the leader, sent to the follower: %v, want not-leader", err)
	}
}

func TestAppendSizeIsCountedAsTheServerCountsIt(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{MaxAppendSize: 100})
	c := client(t, srv.URL())
	ev := func(typeLen int) esdb.EventData {
		e := events(1, "x")[0]
		e.EventType, e.Data, e.Metadata = strings.Repeat("T", typeLen), []byte(strings.Repeat("d", 40)), []byte("{}")
		return e
	}
	appendTo(t, c, "worker-s", esdb.Any{}, ev(29)) // 40 + 2 + 2 x 29 = 100
	if _, err := c.AppendToStream(context.Background(), "worker-s", esdb.AppendToStreamOptions{}, ev(30)); err == nil {
		t.Fatal("an append of 40 + 2 + 2 x 30 = 102 bytes passed a limit of 100")
	}
	if _, err := c.AppendToStream(context.Background(), "worker-s", esdb.AppendToStreamOptions{}, ev(10), ev(10)); err == nil {
		t.Fatal("two events of 62 bytes passed a limit of 100")
	}
}

func TestAppendsTimeOutCommittedOrNot(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{})
	c := client(t, srv.URL())
	for _, committed := range []bool{true, false} {
		before := srv.Events()
		srv.TimeOutAppends(1, committed)
		_, err := c.AppendToStream(context.Background(), "worker-t", esdb.AppendToStreamOptions{}, events(2, "WorkerArrived")...)
		if code(err) != esdb.ErrorAborted || !strings.Contains(err.Error(), "Operation timed out") {
			t.Fatalf("committed %v: %v, want Aborted: Operation timed out", committed, err)
		}
		if want := before + map[bool]int{true: 2, false: 0}[committed]; srv.Events() != want {
			t.Fatalf("committed %v: %d events stored, want %d", committed, srv.Events(), want)
		}
	}
	appendTo(t, c, "worker-t", esdb.Any{}, events(1, "WorkerArrived")...) // the next append is answered
}
