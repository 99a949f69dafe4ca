package kurrent_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// realServerEnv names the connection string of a real KurrentDB for the conformance suite; the suite skips
// the real server, saying so, when it is unset.
const realServerEnv = "FAIRTRAIL_TEST_KURRENTDB"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openDouble starts a test double and opens the backend on it through the real client.
func openDouble(t *testing.T, sopts kurrenttest.Options, opts kurrent.Options) (*kurrent.Store, *kurrenttest.Server) {
	t.Helper()
	srv := kurrenttest.Start(t, sopts)
	if opts.Logger == nil {
		opts.Logger = quiet()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kurrent.Open(ctx, srv.URL(), opts)
	if err != nil {
		t.Fatalf("open the backend on the test double: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, srv
}

// TestConformance runs the store suite, unchanged, against the backend talking to the wire-protocol test
// double over loopback TCP. The double puts a system event between every few events, so every read, the
// subscription and Head must see past them.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, _ := openDouble(t, kurrenttest.Options{SystemEvery: 3}, kurrent.Options{})
		return s
	})
}

// TestConformanceNamespaced runs the suite with a namespace, on a double that already holds another store's
// events under the plain names: the namespaced store must neither see nor disturb them.
func TestConformanceNamespaced(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		plain, srv := openDouble(t, kurrenttest.Options{SystemEvery: 5}, kurrent.Options{})
		for _, stream := range []string{"worker-a", "worker-w1", "worker-r", "worker-h"} {
			ev := storetest.Event(t, stream[7:], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
			if _, err := plain.Append(context.Background(), eventstore.AppendRequest{Stream: stream,
				Events: []eventstore.Proposed{ev}}); err != nil {
				t.Fatal(err)
			}
		}
		s, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet(), Namespace: "brand-b."})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceRealServer runs the same suite against a real KurrentDB named by FAIRTRAIL_TEST_KURRENTDB,
// for example esdb://127.0.0.1:2113?tls=false. A real database is not emptied between tests, so each store
// gets a namespace of its own.
func TestConformanceRealServer(t *testing.T) {
	conn := os.Getenv(realServerEnv)
	if conn == "" {
		t.Skipf("no real KurrentDB: set %s to a connection string (e.g. esdb://127.0.0.1:2113?tls=false) to run the "+
			"conformance suite against one", realServerEnv)
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ns := fmt.Sprintf("fairtrail-test-%d.", time.Now().UnixNano())
		s, err := kurrent.Open(ctx, conn, kurrent.Options{Logger: quiet(), Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
