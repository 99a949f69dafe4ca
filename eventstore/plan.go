package eventstore

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// StreamHead is what an append needs to know of its stream: whether it has events, and the revision and hash
// of its last one.
type StreamHead struct {
	Exists bool
	Last   uint64
	Hash   [32]byte
}

// Lookup finds an event already stored (or planned earlier in the same commit) by its id; found is false when
// the id is unknown. A backend that keeps ids per stream may look in the request's stream only.
type Lookup func(id domain.EventID) (rec Recorded, found bool, err error)

// Planned is a new event exactly as the store must persist it: revision, recorded_at (at the store's
// precision), chain hash and log leaf are decided; only the position is the backend's.
type Planned struct {
	Proposed
	// Index is the event's place in its request.
	Index    int
	Stream   string
	Revision uint64
	// Hash is the chain hash of spec section 5.
	Hash [32]byte
	// LeafHash is the RFC 6962 hash of the event's log leaf (spec section 6; see Leaf).
	LeafHash [32]byte
}

// Recorded is the stored event the plan describes, at position pos.
func (p Planned) Recorded(pos Position) Recorded {
	return Recorded{ID: p.ID, Type: p.Type, Stream: p.Stream, Revision: p.Revision, Position: pos,
		OccurredAt: p.OccurredAt, RecordedAt: p.RecordedAt, RecordedBy: p.RecordedBy, Data: p.Data,
		Hash: hex.EncodeToString(p.Hash[:])}
}

// Plan is how one append request is answered: the events already stored are answered in Result, the new ones
// are in Fresh, for the backend to persist and then Place.
type Plan struct {
	Result AppendResult
	Fresh  []Planned
	echoes map[int]int // request index of a repeated id -> index of its first occurrence
}

// PlanAppend decides an append (a pure function: it neither reads storage nor writes it). Events whose id is
// already stored are duplicates answered with the original revision and position, or ErrEventIDReused when
// the stored event differs or lives in another stream; an id repeated within the request must repeat the same
// event. When anything is new, the expectation must hold against head (else ErrConflict, naming the stream);
// new events get the next revisions, recorded_at (now unless the event carries its own, as a copy does)
// truncated to the store's precision, their chain hashes and their log leaves.
func PlanAppend(req AppendRequest, head StreamHead, lookup Lookup, now time.Time, precision time.Duration) (Plan, error) {
	p := Plan{Result: AppendResult{Stream: req.Stream, Events: make([]Appended, len(req.Events))}}
	if err := p.sortOut(req, lookup); err != nil {
		return p, err
	}
	if len(p.Fresh) == 0 {
		return p, nil
	}
	if !req.Expected.Check(head.Last, head.Exists) {
		current := "no stream"
		if head.Exists {
			current = fmt.Sprintf("revision %d", head.Last)
		}
		return p, fmt.Errorf("append to %s: expected %s, stream is at %s: %w", req.Stream, req.Expected, current,
			ErrConflict)
	}
	now = StoredTime(now, precision)
	var leaf [512]byte // most leaves fit: no allocation per event
	for k := range p.Fresh {
		f := &p.Fresh[k]
		f.Revision, f.Hash = 0, ChainHash(head, f.Canonical())
		if head.Exists {
			f.Revision = head.Last + 1
		}
		head = StreamHead{Exists: true, Last: f.Revision, Hash: f.Hash}
		if f.RecordedAt.IsZero() {
			f.RecordedAt = now
		}
		f.RecordedAt = StoredTime(f.RecordedAt, precision)
		f.LeafHash = LeafHash(AppendLeaf(leaf[:0], f.ID, f.Hash, f.RecordedAt, f.RecordedBy, f.Revision, f.Stream))
	}
	return p, nil
}

// sortOut answers the events already stored and the ids repeated within the request, and lists the new
// events in Fresh.
func (p *Plan) sortOut(req AppendRequest, lookup Lookup) error {
	first := make(map[domain.EventID]int, len(req.Events))
	p.Fresh = make([]Planned, 0, len(req.Events))
	for i, ev := range req.Events {
		if j, ok := first[ev.ID]; ok {
			if prev := req.Events[j]; !SameEvent(prev, ev) {
				return fmt.Errorf("event %s appears twice in one append to %s with different content: %w",
					ev.ID, req.Stream, ErrEventIDReused)
			}
			if p.echoes == nil {
				p.echoes = make(map[int]int)
			}
			p.echoes[i] = j
			continue
		}
		first[ev.ID] = i
		rec, found, err := lookup(ev.ID)
		switch {
		case err != nil:
			return fmt.Errorf("look up event %s to compare a retry: %w", ev.ID, err)
		case found && Reused(rec, req.Stream, ev):
			return fmt.Errorf("event %s (already stored at position %s in %s): %w", ev.ID, rec.Position,
				rec.Stream, ErrEventIDReused)
		case found:
			p.Result.Events[i] = receiptOf(rec, true)
		default:
			p.Fresh = append(p.Fresh, Planned{Proposed: ev, Index: i, Stream: req.Stream})
		}
	}
	return nil
}

// StoredTime is t as a store of the given precision keeps it: in UTC, without a monotonic reading, truncated.
func StoredTime(t time.Time, precision time.Duration) time.Time {
	t = t.UTC().Round(0)
	if precision > 1 {
		t = t.Truncate(precision)
	}
	return t
}

// ChainHash is the section 5 hash of an event whose canonical bytes follow head in its stream.
func ChainHash(head StreamHead, canonical []byte) [32]byte {
	if !head.Exists {
		return domain.ChainSum(nil, canonical)
	}
	var prev [64]byte // the previous hash as the lower-case hex text that is hashed
	hex.Encode(prev[:], head.Hash[:])
	return domain.ChainSum(prev[:], canonical)
}

// Place records where the backend stored the k-th fresh event.
func (p *Plan) Place(k int, pos Position) {
	f := p.Fresh[k]
	p.Result.Events[f.Index] = Appended{ID: f.ID, Revision: f.Revision, Position: pos,
		Hash: hex.EncodeToString(f.Hash[:]), LeafHash: hex.EncodeToString(f.LeafHash[:])}
}

// Finish answers the ids repeated within the request from their first occurrence and returns the result.
func (p *Plan) Finish() AppendResult {
	for i, j := range p.echoes {
		a := p.Result.Events[j]
		a.Duplicate = true
		p.Result.Events[i] = a
	}
	return p.Result
}

// receiptOf is the answer for an event already stored.
func receiptOf(rec Recorded, duplicate bool) Appended {
	leaf := LeafHash(Leaf(rec))
	return Appended{ID: rec.ID, Revision: rec.Revision, Position: rec.Position, Duplicate: duplicate,
		Hash: rec.Hash, LeafHash: hex.EncodeToString(leaf[:])}
}
