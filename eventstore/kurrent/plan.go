package kurrent

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// streamState is what an append needs to know of a stream: its head and its events by id.
type streamState struct {
	head eventstore.StreamHead
	byID map[domain.EventID]eventstore.Recorded
}

func newStreamState() *streamState {
	return &streamState{byID: make(map[domain.EventID]eventstore.Recorded)}
}

// add records a stored event; events must come in revision order.
func (st *streamState) add(rec eventstore.Recorded) {
	st.head = eventstore.StreamHead{Exists: true, Last: rec.Revision}
	// A hash that is not hex leaves a zero head: the next append's chain then differs, as Verify reports.
	_, _ = hex.Decode(st.head.Hash[:], []byte(rec.Hash))
	st.byID[rec.ID] = rec
}

// lookup finds an event of the stream by id (KurrentDB keeps ids per stream).
func (st *streamState) lookup(id domain.EventID) (eventstore.Recorded, bool, error) {
	rec, ok := st.byID[id]
	return rec, ok, nil
}

// precision is how finely the backend keeps recorded_at: RFC 3339 with nanoseconds in the metadata.
const precision = time.Nanosecond

// plan decides a request against a stream's state with the port's planner.
func plan(req eventstore.AppendRequest, st *streamState, now time.Time) (eventstore.Plan, error) {
	return eventstore.PlanAppend(req, st.head, st.lookup, now, precision)
}

// record answers the k-th new event of a plan from what the stream holds (see confirm) and adds it to the
// stream's state. An event another writer stored first, identical but for recorded_at or recorded_by, is a
// duplicate, answered with the stored event's receipt.
func record(p *eventstore.Plan, st *streamState, k int, rec eventstore.Recorded) {
	f := p.Fresh[k]
	p.Place(k, rec.Position)
	if !rec.RecordedAt.Equal(f.RecordedAt) || rec.RecordedBy != f.RecordedBy {
		leaf := eventstore.LeafHash(eventstore.Leaf(rec))
		p.Result.Events[f.Index] = eventstore.Appended{ID: f.ID, Revision: rec.Revision, Position: rec.Position,
			Duplicate: true, Hash: rec.Hash, LeafHash: hex.EncodeToString(leaf[:])}
	}
	st.add(rec)
}

// chunks splits the new events into appends of at most max bytes, counted as KurrentDB counts an append's
// size (appendSize); an event that alone is larger cannot be stored.
func chunks(fresh []eventstore.Planned, max int) ([][]eventstore.Planned, error) {
	var out [][]eventstore.Planned
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
func appendSize(f eventstore.Planned) int {
	return len(f.Data) + len(encodeMetadata(f.OccurredAt, f.RecordedAt, f.RecordedBy, hex.EncodeToString(f.Hash[:]))) + 2*len(f.Type)
}
