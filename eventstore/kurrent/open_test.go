package kurrent_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestConnectionStringsArePassedThrough opens the store with the forms a deployment uses: TLS with a CA file
// and credentials, gossip seeds of a cluster (one of them down), and DNS discovery, and appends through each.
func TestConnectionStringsArePassedThrough(t *testing.T) {
	secure := kurrenttest.Start(t, kurrenttest.Options{TLS: true, Username: "admin", Password: "changeit"})
	insecure := kurrenttest.Start(t, kurrenttest.Options{})
	cases := []struct {
		name string
		url  string
		srv  *kurrenttest.Server
	}{
		{"TLS with a CA file and credentials", secure.URL(), secure},
		{"cluster gossip seeds, one down", "esdb://" + closedPort(t) + "," + insecure.Addr() + "?tls=false&maxDiscoverAttempts=3", insecure},
		{"DNS discovery", "esdb+discover://" + insecure.Addr() + "?tls=false", insecure},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := kurrent.Open(context.Background(), tc.url, kurrent.Options{Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			before := tc.srv.Events()
			ev := storetest.Event(t, "conn", base.Add(time.Duration(i)))
			if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-conn", Events: []eventstore.Proposed{ev}}); err != nil {
				t.Fatal(err)
			}
			if tc.srv.Events() != before+1 {
				t.Fatal("the event did not reach the server")
			}
		})
	}
}

func TestOpenFailsClearlyAndNeverShowsThePassword(t *testing.T) {
	secure := kurrenttest.Start(t, kurrenttest.Options{TLS: true, Username: "admin", Password: "changeit"})
	cases := []struct {
		name string
		url  string
		want string
	}{
		{"a wrong password", "esdb://admin:hunter2@" + secure.Addr() + "?tls=true&tlsCAFile=" + secure.CAFile(), "Unauthenticated"},
		{"no server", "esdb://admin:hunter2@" + closedPort(t) + "?tls=false&maxDiscoverAttempts=2", "connect to KurrentDB at esdb://127.0.0.1:"},
		{"not a KurrentDB URL", "postgres://admin:hunter2@db:5432/x", "esdb://"},
		{"an unknown setting", "esdb://admin:hunter2@db:2113?tls=false&tsl=true", `unknown setting "tsl"`},
		{"a bad port", "esdb://admin:hunter2@db:21x3?tls=false", "invalid KurrentDB connection string"},
		{"a bad deadline", "esdb://admin:hunter2@db:2113?defaultDeadline=soon", "defaultDeadline"},
		{"a bad namespace", "esdb://db:2113?tls=false", "namespace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := kurrent.Options{Logger: quiet()}
			if strings.Contains(tc.name, "namespace") {
				opts.Namespace = "$system"
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := kurrent.Open(ctx, tc.url, opts)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %q: want it to contain %q and never the password", err, tc.want)
			}
		})
	}
	if _, err := kurrent.Open(context.Background(), "esdb://db:2113?tls=false&x=1", kurrent.Options{}); !errors.Is(err, kurrent.ErrConnString) {
		t.Fatalf("bad connection string error %v does not match ErrConnString", err)
	}
}

// TestAFollowersRefusalIsRetriedOnTheLeader has the node refuse an append as a follower would, naming the
// leader: the client reconnects to it and the store retries once, so the append succeeds once. Two refusals
// in a row are reported.
func TestAFollowersRefusalIsRetriedOnTheLeader(t *testing.T) {
	for refusals, ok := range map[int]bool{1: true, 2: false} {
		s, srv := openDouble(t, kurrenttest.Options{RefuseAsFollower: refusals}, kurrent.Options{})
		ev := storetest.Event(t, "lead", base)
		_, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-lead", Events: []eventstore.Proposed{ev}})
		if (err == nil) != ok || ok && srv.Events() != 1 || !ok && !strings.Contains(fmt.Sprint(err), "NotLeader") {
			t.Fatalf("after %d refusals: err %v, %d events stored", refusals, err, srv.Events())
		}
	}
}

// TestTheStoreOutlivesANodeRestart stops the node in the middle of a read and keeps asking until the client
// library gives up on it for good, then starts a node at the same address: the store must connect again by
// itself, with a new client.
func TestTheStoreOutlivesANodeRestart(t *testing.T) {
	first := kurrenttest.Start(t, kurrenttest.Options{})
	url := "esdb://" + first.Addr() + "?tls=false&maxDiscoverAttempts=2&discoveryInterval=10"
	var logs syncBuffer
	s, err := kurrent.Open(context.Background(), url, kurrent.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	appendN(t, s, "r", 900) // more than gRPC's flow-control window holds, so the read below is cut
	var readErr error
	for _, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if first.Close(); err != nil {
			readErr = err
			break
		}
	}
	if readErr == nil {
		t.Fatal("a read cut by the node stopping ended without an error")
	}
	for range 2 { // the client tries to find a node, gives up for good; the store's next client too
		if _, err := s.Head(context.Background()); err == nil {
			t.Fatal("head answered with the node stopped")
		}
	}
	second := kurrenttest.Start(t, kurrenttest.Options{Addr: first.Addr()})
	ev := storetest.Event(t, "again", base)
	if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-again", Events: []eventstore.Proposed{ev}}); err != nil {
		t.Fatalf("append after the restart: %v", err)
	}
	if second.Events() != 1 || !strings.Contains(logs.String(), "connecting again") {
		t.Fatalf("the event did not reach the restarted node through a new client; log:\n%s", logs.String())
	}
}

// syncBuffer is a buffer for a logger used from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
