package storetest

import (
	"context"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// testFind checks a Finder: stored ids are found with their events and places, others are not.
func testFind(t *testing.T, s eventstore.Store) {
	f, ok := s.(eventstore.Finder)
	if !ok {
		t.Skip("the store is not an eventstore.Finder")
	}
	evs := events(t, "f", 2)
	res := mustAppend(t, s, "worker-f", eventstore.Any(), evs)
	unknown := Event(t, "f", evs[0].OccurredAt).ID
	keys := []eventstore.EventKey{{Stream: "worker-f", ID: evs[1].ID}, {Stream: "worker-f", ID: unknown},
		{Stream: "worker-f", ID: evs[0].ID}, {Stream: "worker-nobody", ID: unknown}}
	found, err := f.FindEvents(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id  domain.EventID
		pos eventstore.Position
	}{{evs[1].ID, res.Events[1].Position}, {}, {evs[0].ID, res.Events[0].Position}, {}}
	if len(found) != len(want) {
		t.Fatalf("%d events found for %d keys", len(found), len(want))
	}
	for i, w := range want {
		if found[i].ID != w.id || found[i].Position != w.pos {
			t.Errorf("key %d: found %s at %v, want %s at %v", i, found[i].ID, found[i].Position, w.id, w.pos)
		}
	}
	if !found[0].SameEvent(evs[1]) || found[0].Stream != "worker-f" || eventstore.Reused(found[0], "worker-f", evs[1]) {
		t.Errorf("found %+v, want the stored event %s of worker-f", found[0], evs[1].ID)
	}
	other := evs[1]
	other.OccurredAt = other.OccurredAt.Add(1)
	if !eventstore.Reused(found[0], "worker-f", other) || !eventstore.Reused(found[0], "worker-g", evs[1]) {
		t.Errorf("another event under a stored id, or the same in another stream, is not Reused")
	}
}
