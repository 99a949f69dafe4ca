package kurrent

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

func proposed(n byte, at time.Time) eventstore.Proposed {
	return eventstore.Proposed{ID: domain.EventID{15: n}, Type: "WorkerArrived", OccurredAt: at,
		Data: []byte(`{"country":"MY","worker_id":"w"}`), RecordedBy: "test"}
}

// stateOf is a stream holding the given events, chained as an append would chain them.
func stateOf(evs ...eventstore.Proposed) *streamState {
	st := newStreamState()
	for i, p := range evs {
		st.add(eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: "worker-w", Revision: uint64(i),
			Position:   eventstore.Position{Commit: uint64(100 * (i + 1)), Prepare: uint64(100 * (i + 1))},
			OccurredAt: p.OccurredAt, Data: p.Data, Hash: domain.ChainHash(st.hash, p.Canonical())})
	}
	return st
}

func TestPlan(t *testing.T) {
	at := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	now := at.Add(time.Hour)
	a, b, c := proposed(1, at), proposed(2, at), proposed(3, at)
	changed := a
	changed.Data = []byte(`{"country":"SG","worker_id":"w"}`)
	copied := c
	copied.RecordedAt = at.Add(-time.Hour)
	cases := []struct {
		name     string
		st       *streamState
		exp      eventstore.ExpectedRevision
		evs      []eventstore.Proposed
		err      error
		fresh    []uint64 // revisions of the new events
		dups     []int    // request indexes answered as duplicates
		recorded time.Time
	}{
		{"a new stream starts at revision 0", stateOf(), eventstore.NoStream(), []eventstore.Proposed{a, b}, nil, []uint64{0, 1}, nil, now},
		{"an existing stream continues", stateOf(a), eventstore.Exact(0), []eventstore.Proposed{b}, nil, []uint64{1}, nil, now},
		{"only duplicates succeed whatever the expectation", stateOf(a, b), eventstore.NoStream(), []eventstore.Proposed{a, b}, nil, nil, []int{0, 1}, now},
		{"duplicates and new events", stateOf(a), eventstore.Any(), []eventstore.Proposed{a, c}, nil, []uint64{1}, []int{0}, now},
		{"a stored id with other content is refused", stateOf(a), eventstore.Any(), []eventstore.Proposed{changed}, eventstore.ErrEventIDReused, nil, nil, now},
		{"an id twice in one request is stored once", stateOf(), eventstore.Any(), []eventstore.Proposed{a, a}, nil, []uint64{0}, []int{1}, now},
		{"an id twice in one request with other content is refused", stateOf(), eventstore.Any(), []eventstore.Proposed{a, changed}, eventstore.ErrEventIDReused, nil, nil, now},
		{"a stale expectation conflicts", stateOf(a, b), eventstore.Exact(0), []eventstore.Proposed{c}, eventstore.ErrConflict, nil, nil, now},
		{"stream exists on a missing stream conflicts", stateOf(), eventstore.StreamExists(), []eventstore.Proposed{c}, eventstore.ErrConflict, nil, nil, now},
		{"a copy keeps its recorded_at", stateOf(), eventstore.Any(), []eventstore.Proposed{copied}, nil, []uint64{0}, nil, copied.RecordedAt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := plan(eventstore.AppendRequest{Stream: "worker-w", Expected: tc.exp, Events: tc.evs}, tc.st, now)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if len(p.fresh) != len(tc.fresh) {
				t.Fatalf("%d new events, want %d", len(p.fresh), len(tc.fresh))
			}
			prev := tc.st.hash
			for i, f := range p.fresh {
				if f.revision != tc.fresh[i] || f.hash != domain.ChainHash(prev, f.Canonical()) || !f.recordedAt.Equal(tc.recorded) {
					t.Errorf("new event %d: revision %d, recorded_at %v, hash chained: %v", i, f.revision, f.recordedAt,
						f.hash == domain.ChainHash(prev, f.Canonical()))
				}
				prev = f.hash
			}
			for _, i := range tc.dups {
				if j, echo := p.echoes[i]; !p.result.Events[i].Duplicate && !(echo && j < i) {
					t.Errorf("event %d is not answered as a duplicate", i)
				}
			}
		})
	}
}

func TestChunks(t *testing.T) {
	ev := func(size int) planned {
		return planned{Proposed: eventstore.Proposed{Type: "T", Data: make([]byte, size)}}
	}
	cases := []struct {
		name  string
		sizes []int
		max   int
		want  []int // events per chunk
		err   string
	}{
		{"all in one", []int{10, 10, 10}, 2000, []int{3}, ""},
		{"split at the limit", []int{500, 500, 500}, 1600, []int{2, 1}, ""},
		{"one per chunk", []int{900, 900}, 1200, []int{1, 1}, ""},
		{"an event over the limit", []int{10, 5000}, 2000, nil, "over the 2000 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fresh []planned
			for _, n := range tc.sizes {
				fresh = append(fresh, ev(n))
			}
			got, err := chunks(fresh, tc.max)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("%d chunks (%v), want %v", len(got), err, tc.want)
			}
			for i, c := range got {
				if len(c) != tc.want[i] {
					t.Fatalf("chunk %d holds %d events, want %d", i, len(c), tc.want[i])
				}
			}
		})
	}
}
