package kurrenttest_test

import (
	"context"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
)

// next receives subscription messages until an event, the end of the subscription or the timeout.
func next(t *testing.T, sub *esdb.Subscription, seen *[]string) (*esdb.RecordedEvent, error) {
	t.Helper()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return nil, ev.SubscriptionDropped.Error
		case ev.EventAppeared != nil:
			*seen = append(*seen, "event")
			return ev.EventAppeared.OriginalEvent(), nil
		case ev.CaughtUp != nil:
			*seen = append(*seen, "caught_up")
		case ev.CheckPointReached != nil:
			*seen = append(*seen, "checkpoint")
		}
	}
}

func TestSubscriptionFiltersResumesExclusivelyAndDrops(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{SystemEvery: 2})
	c := client(t, srv.URL())
	appendTo(t, c, "worker-s", esdb.Any{}, events(3, "A")...)
	appendTo(t, c, "other-s", esdb.Any{}, events(3, "A")...)
	stored := readAll(t, c, esdb.ReadAllOptions{}, 1000)
	var ws []*esdb.RecordedEvent
	for _, e := range stored {
		if e.StreamID == "worker-s" {
			ws = append(ws, e)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	from := esdb.Position{Commit: ws[0].Position.Commit, Prepare: ws[0].Position.Prepare}
	sub, err := c.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: from, MaxSearchWindow: 2,
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"worker-"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var seen []string
	for _, want := range ws[1:] {
		got, err := next(t, sub, &seen)
		if err != nil || got.EventID != want.EventID {
			t.Fatalf("got %v (%v), want %s: the start is exclusive and other streams are filtered out", got, err, want.EventID)
		}
	}
	live := events(1, "A")
	appendTo(t, c, "worker-s", esdb.Any{}, live...)
	got, err := next(t, sub, &seen)
	if err != nil || got.EventID != live[0].EventID {
		t.Fatalf("live event: got %v (%v)", got, err)
	}
	if !contains(seen, "caught_up") || !contains(seen, "checkpoint") {
		t.Errorf("messages %v: want caught_up and filter checkpoints", seen)
	}
	if n := srv.DropSubscriptions(); n != 1 {
		t.Fatalf("dropped %d subscriptions, want 1", n)
	}
	if _, err := next(t, sub, &seen); err == nil {
		t.Fatal("the subscription did not end when dropped")
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestCredentialsOverTLS(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{TLS: true, Username: "admin", Password: "s3cret"})
	c := client(t, srv.URL())
	appendTo(t, c, "worker-tls", esdb.Any{}, events(1, "A")...)
	// (A read, not an append: a client-streaming call refused before its first message may see only EOF.)
	bad := client(t, "esdb://admin:wrong@"+srv.Addr()+"?tls=true&tlsCAFile="+srv.CAFile())
	if _, err := readStream(bad, "worker-tls", esdb.ReadStreamOptions{}); code(err) != esdb.ErrorCodeUnauthenticated {
		t.Fatalf("read with a wrong password: %v, want Unauthenticated", err)
	}
	if got, err := readStream(c, "worker-tls", esdb.ReadStreamOptions{}); err != nil || len(got) != 1 {
		t.Fatalf("read with the right password: %d events, %v", len(got), err)
	}
}

func TestGossipSeedsReachTheNode(t *testing.T) {
	srv := kurrenttest.Start(t, kurrenttest.Options{})
	for _, url := range []string{
		"esdb://127.0.0.1:1," + srv.Addr() + "?tls=false&maxDiscoverAttempts=3",
		"esdb+discover://" + srv.Addr() + "?tls=false",
	} {
		c := client(t, url)
		appendTo(t, c, "worker-g", esdb.Any{}, events(1, "A")...)
	}
	if n := srv.Events(); n != 2 {
		t.Fatalf("%d events stored through gossip, want 2", n)
	}
}
