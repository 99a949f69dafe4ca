package kurrent

import (
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// streamState is what an append needs to know of a stream: whether it has events, its last revision and
// hash, and its events by id.
type streamState struct {
	exists bool
	last   uint64
	hash   string
	byID   map[domain.EventID]eventstore.Recorded
}

func newStreamState() *streamState {
	return &streamState{byID: make(map[domain.EventID]eventstore.Recorded)}
}

// add records a stored event; events must come in revision order.
func (st *streamState) add(rec eventstore.Recorded) {
	st.exists, st.last, st.hash = true, rec.Revision, rec.Hash
	st.byID[rec.ID] = rec
}

// planned is a new event with what the store adds to it.
type planned struct {
	eventstore.Proposed
	index      int // in the request
	revision   uint64
	hash       string
	recordedAt time.Time
}

// appendPlan is how one request will be answered: duplicates already filled in, new events to write.
type appendPlan struct {
	result eventstore.AppendResult
	fresh  []planned
	echoes map[int]int // request index of a repeated id -> index of its first occurrence
}

// plan decides a request against a stream's state (pure: it neither reads nor writes). Events whose id is in
// the stream are duplicates carrying the original revision and position, or ErrEventIDReused if they differ.
// When anything is new, the caller's expectation must hold (else ErrConflict), and the new events get the next
// revisions and their chain hashes; recorded_at is now unless the event carries its own (a copy).
func plan(req eventstore.AppendRequest, st *streamState, now time.Time) (appendPlan, error) {
	p := appendPlan{result: eventstore.AppendResult{Stream: req.Stream, Events: make([]eventstore.Appended, len(req.Events))}}
	first := make(map[domain.EventID]int)
	for i, ev := range req.Events {
		if rec, ok := st.byID[ev.ID]; ok {
			if !rec.SameEvent(ev) {
				return p, fmt.Errorf("event %s (already stored at position %s in %s): %w", ev.ID, rec.Position,
					rec.Stream, eventstore.ErrEventIDReused)
			}
			p.result.Events[i] = eventstore.Appended{ID: ev.ID, Revision: rec.Revision, Position: rec.Position, Duplicate: true}
			continue
		}
		if j, ok := first[ev.ID]; ok {
			if prev := req.Events[j]; prev.Type != ev.Type || !prev.OccurredAt.Equal(ev.OccurredAt) || string(prev.Data) != string(ev.Data) {
				return p, fmt.Errorf("event %s appears twice in one append to %s with different content: %w", ev.ID,
					req.Stream, eventstore.ErrEventIDReused)
			}
			if p.echoes == nil {
				p.echoes = make(map[int]int)
			}
			p.echoes[i] = j
			continue
		}
		first[ev.ID] = i
		p.fresh = append(p.fresh, planned{Proposed: ev, index: i})
	}
	if len(p.fresh) == 0 {
		return p, nil
	}
	if !req.Expected.Check(st.last, st.exists) {
		current := "no stream"
		if st.exists {
			current = fmt.Sprintf("revision %d", st.last)
		}
		return p, fmt.Errorf("append to %s: expected %s, stream is at %s: %w", req.Stream, req.Expected, current,
			eventstore.ErrConflict)
	}
	rev, prev, exists := st.last, st.hash, st.exists
	for k := range p.fresh {
		f := &p.fresh[k]
		if exists {
			rev++
		}
		exists = true
		f.revision, f.hash = rev, domain.ChainHash(prev, f.Canonical())
		prev = f.hash
		f.recordedAt = f.RecordedAt
		if f.recordedAt.IsZero() {
			f.recordedAt = now
		}
	}
	return p, nil
}

// record fills in a written event from what the stream holds (see confirm) and adds it to the stream's state.
// An event another writer stored first, identical but for recorded_at or recorded_by, is a duplicate.
func (p *appendPlan) record(st *streamState, f planned, rec eventstore.Recorded) {
	dup := !rec.RecordedAt.Equal(f.recordedAt) || rec.RecordedBy != f.RecordedBy
	p.result.Events[f.index] = eventstore.Appended{ID: f.ID, Revision: rec.Revision, Position: rec.Position, Duplicate: dup}
	st.add(rec)
}

// finish answers the repeated ids of the request from their first occurrence.
func (p *appendPlan) finish() eventstore.AppendResult {
	for i, j := range p.echoes {
		a := p.result.Events[j]
		a.Duplicate = true
		p.result.Events[i] = a
	}
	return p.result
}

// chunks splits the new events into appends of at most max bytes, counted as KurrentDB counts an append's
// size (appendSize); an event that alone is larger cannot be stored.
func chunks(fresh []planned, max int) ([][]planned, error) {
	var out [][]planned
	start, size := 0, 0
	for i, f := range fresh {
		n := appendSize(f)
		if n > max {
			return nil, fmt.Errorf("event %s is %d bytes (data, metadata and twice its type), over the %d bytes "+
				"KurrentDB accepts in one append", f.ID, n, max)
		}
		if size+n > max {
			out = append(out, fresh[start:i])
			start, size = i, 0
		}
		size += n
	}
	return append(out, fresh[start:]), nil
}

// appendSize is what an event counts towards KurrentDB's append size limit: its data, its metadata and twice
// the length of its type (the server's Event.SizeOnDisk).
func appendSize(f planned) int {
	return len(f.Data) + len(encodeMetadata(f.OccurredAt, f.recordedAt, f.RecordedBy, f.hash)) + 2*len(f.Type)
}
