package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestRebuildEqualsApply holds the parallel rebuild to applying the store's events one by one, with and
// without a filter.
func TestRebuildEqualsApply(t *testing.T) {
	s := generatedStore(t, 600, 11)
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, filter := range []projections.Filter{{}, {AsOf: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}} {
		want := projections.New(filter)
		for rec, err := range s.ReadAll(context.Background(), eventstore.Start) {
			if err != nil {
				t.Fatal(err)
			}
			if err := want.Apply(rec); err != nil {
				t.Fatal(err)
			}
		}
		got, err := projections.Rebuild(context.Background(), s, filter)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() != want.Len() || got.Checkpoint() != want.Checkpoint() {
			t.Fatalf("filter %+v: rebuild has %d events to %v, apply %d to %v", filter, got.Len(), got.Checkpoint(), want.Len(), want.Checkpoint())
		}
		g := flagsJSON(t, got.View(clock).Flags(projections.FlagQuery{}))
		w := flagsJSON(t, want.View(clock).Flags(projections.FlagQuery{}))
		if string(g) != string(w) || len(g) < 100 {
			t.Fatalf("filter %+v: flags differ (%d vs %d bytes)", filter, len(g), len(w))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := projections.Rebuild(ctx, s, projections.Filter{}); err == nil {
		t.Fatal("a cancelled rebuild succeeded")
	}
}
