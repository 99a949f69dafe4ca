package kurrent_test

import (
	"context"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// TestLogCache checks the tree kept in a cache directory: a second process continues it and ends at the same
// tree as one computed from $all.
func TestLogCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := t.TempDir()
	fill := func(s *kurrent.Store, worker string, n int) {
		for i := range n {
			ev := storetest.Event(t, worker, time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
			if _, err := s.Append(ctx, eventstore.AppendRequest{Stream: "worker-" + worker, Events: []eventstore.Proposed{ev}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	root := func(s *kurrent.Store, want int64) string {
		n, err := s.TreeSize(ctx)
		if err != nil || n != want {
			t.Fatalf("tree size %d (%v), want %d", n, err, want)
		}
		h, err := s.TreeHash(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	a, srv := openDouble(t, kurrenttest.Options{SystemEvery: 2}, kurrent.Options{CacheDir: cache})
	fill(a, "c1", 5)
	first := root(a, 5)
	a.Close()
	b, err := kurrent.Open(ctx, srv.URL(), kurrent.Options{Logger: quiet(), CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := root(b, 5); got != first {
		t.Fatalf("tree from the cache %s, want %s", got, first)
	}
	fill(b, "c2", 3)
	fresh, err := kurrent.Open(ctx, srv.URL(), kurrent.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, want := root(b, 8), root(fresh, 8); got != want {
		t.Fatalf("continued cache %s, computed from $all %s", got, want)
	}
}
