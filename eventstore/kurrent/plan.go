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

// chunks splits the new events into appends of at most max bytes (of data and metadata, estimated); an event
// that alone is larger cannot be stored.
func chunks(fresh []eventstore.Planned, max int) ([][]eventstore.Planned, error) {
	var out [][]eventstore.Planned
	start, size := 0, 0
	for i, f := range fresh {
		n := len(f.Data) + len(f.Type) + len(f.RecordedBy) + metadataOverhead
		if n > max {
			return nil, fmt.Errorf("event %s is about %d bytes, over the %d bytes KurrentDB accepts in one append", f.ID, n, max)
		}
		if size+n > max {
			out = append(out, fresh[start:i])
			start, size = i, 0
		}
		size += n
	}
	return append(out, fresh[start:]), nil
}

// metadataOverhead is the size of fairtrail's metadata without recorded_by, rounded up.
const metadataOverhead = 256
