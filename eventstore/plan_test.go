package eventstore_test

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

func proposed(n byte, at time.Time) eventstore.Proposed {
	return eventstore.Proposed{ID: domain.EventID{15: n}, Type: "WorkerArrived", OccurredAt: at,
		Data: []byte(`{"country":"MY","worker_id":"w"}`), RecordedBy: "test"}
}

// stored is a stream holding the given events, chained as an append would chain them, with its lookup.
type stored struct {
	head eventstore.StreamHead
	byID map[domain.EventID]eventstore.Recorded
}

func storedOf(stream string, evs ...eventstore.Proposed) stored {
	st := stored{byID: make(map[domain.EventID]eventstore.Recorded)}
	for i, p := range evs {
		h := eventstore.ChainHash(st.head, p.Canonical())
		st.byID[p.ID] = eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: stream, Revision: uint64(i),
			Position:   eventstore.Position{Commit: uint64(100 * (i + 1)), Prepare: uint64(100 * (i + 1))},
			OccurredAt: p.OccurredAt, Data: p.Data, Hash: hex.EncodeToString(h[:])}
		st.head = eventstore.StreamHead{Exists: true, Last: uint64(i), Hash: h}
	}
	return st
}

func (st stored) lookup(id domain.EventID) (eventstore.Recorded, bool, error) {
	rec, ok := st.byID[id]
	return rec, ok, nil
}

func TestPlanAppend(t *testing.T) {
	at := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	now := at.Add(time.Hour + 1234*time.Nanosecond)
	a, b, c := proposed(1, at), proposed(2, at), proposed(3, at)
	changed := a
	changed.Data = []byte(`{"country":"SG","worker_id":"w"}`)
	copied := c
	copied.RecordedAt = at.Add(-time.Hour)
	cases := []struct {
		name     string
		st       stored
		exp      eventstore.ExpectedRevision
		evs      []eventstore.Proposed
		err      error
		fresh    []uint64 // revisions of the new events
		dups     []int    // request indexes answered as duplicates
		recorded time.Time
	}{
		{"a new stream starts at revision 0", storedOf("worker-w"), eventstore.NoStream(), []eventstore.Proposed{a, b}, nil, []uint64{0, 1}, nil, now},
		{"an existing stream continues", storedOf("worker-w", a), eventstore.Exact(0), []eventstore.Proposed{b}, nil, []uint64{1}, nil, now},
		{"only duplicates succeed whatever the expectation", storedOf("worker-w", a, b), eventstore.NoStream(), []eventstore.Proposed{a, b}, nil, nil, []int{0, 1}, now},
		{"duplicates and new events", storedOf("worker-w", a), eventstore.Any(), []eventstore.Proposed{a, c}, nil, []uint64{1}, []int{0}, now},
		{"a stored id with other content is refused", storedOf("worker-w", a), eventstore.Any(), []eventstore.Proposed{changed}, eventstore.ErrEventIDReused, nil, nil, now},
		{"a stored id in another stream is refused", storedOf("worker-x", a), eventstore.Any(), []eventstore.Proposed{a}, eventstore.ErrEventIDReused, nil, nil, now},
		{"an id twice in one request is stored once", storedOf("worker-w"), eventstore.Any(), []eventstore.Proposed{a, a}, nil, []uint64{0}, []int{1}, now},
		{"an id twice in one request with other content is refused", storedOf("worker-w"), eventstore.Any(), []eventstore.Proposed{a, changed}, eventstore.ErrEventIDReused, nil, nil, now},
		{"a stale expectation conflicts", storedOf("worker-w", a, b), eventstore.Exact(0), []eventstore.Proposed{c}, eventstore.ErrConflict, nil, nil, now},
		{"stream exists on a missing stream conflicts", storedOf("worker-w"), eventstore.StreamExists(), []eventstore.Proposed{c}, eventstore.ErrConflict, nil, nil, now},
		{"a copy keeps its recorded_at", storedOf("worker-w"), eventstore.Any(), []eventstore.Proposed{copied}, nil, []uint64{0}, nil, copied.RecordedAt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			head := tc.st.head
			p, err := eventstore.PlanAppend(eventstore.AppendRequest{Stream: "worker-w", Expected: tc.exp, Events: tc.evs},
				head, tc.st.lookup, now, time.Microsecond)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if len(p.Fresh) != len(tc.fresh) {
				t.Fatalf("%d new events, want %d", len(p.Fresh), len(tc.fresh))
			}
			for i, f := range p.Fresh {
				checkPlanned(t, f, head, tc.fresh[i], tc.recorded.Truncate(time.Microsecond))
				head = eventstore.StreamHead{Exists: true, Last: f.Revision, Hash: f.Hash}
				p.Place(i, eventstore.Position{Commit: 1000 + uint64(i), Prepare: 1000 + uint64(i)})
			}
			res := p.Finish()
			for _, i := range tc.dups {
				if !res.Events[i].Duplicate || res.Events[i].Hash == "" || res.Events[i].LeafHash == "" {
					t.Errorf("event %d is not answered as a duplicate with its receipt: %+v", i, res.Events[i])
				}
			}
		})
	}
}

// checkPlanned checks a new event's revision, recorded_at, chain hash and leaf.
func checkPlanned(t *testing.T, f eventstore.Planned, prev eventstore.StreamHead, rev uint64, recorded time.Time) {
	t.Helper()
	if f.Revision != rev || !f.RecordedAt.Equal(recorded) {
		t.Errorf("event %s: revision %d recorded_at %v, want %d at %v", f.ID, f.Revision, f.RecordedAt, rev, recorded)
	}
	if f.Hash != eventstore.ChainHash(prev, f.Canonical()) {
		t.Errorf("event %s: hash not chained on its predecessor", f.ID)
	}
	rec := f.Recorded(eventstore.Position{Commit: 7, Prepare: 7})
	if leaf := eventstore.Leaf(rec); eventstore.LeafHash(leaf) != f.LeafHash {
		t.Errorf("event %s: planned leaf hash differs from the stored event's leaf %s", f.ID, leaf)
	}
}

// TestChainHashIsTheDomains checks that the append's chain hash, kept as bytes, is spec section 5's
// (domain.ChainHash) for a stream's first event and for a later one.
func TestChainHashIsTheDomains(t *testing.T) {
	canonical := proposed(1, time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)).Canonical()
	first := eventstore.ChainHash(eventstore.StreamHead{}, canonical)
	if got, want := hex.EncodeToString(first[:]), domain.ChainHash("", canonical); got != want {
		t.Errorf("first event: ChainHash = %s, want %s", got, want)
	}
	later := eventstore.ChainHash(eventstore.StreamHead{Exists: true, Last: 0, Hash: first}, canonical)
	if got, want := hex.EncodeToString(later[:]), domain.ChainHash(hex.EncodeToString(first[:]), canonical); got != want {
		t.Errorf("later event: ChainHash = %s, want %s", got, want)
	}
}
