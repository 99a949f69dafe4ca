package embedded

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// batch is a group commit being prepared: records the planner decided, encoded but not yet written, with the
// stream heads, event ids and log leaves they add on top of the index.
type batch struct {
	s       *Store
	next    uint64 // position of the next staged event
	now     time.Time
	buf     []byte
	offsets []int64 // offset of each staged record within buf
	headers []header
	leaves  [][32]byte // leaf hash of each staged record
	heads   map[string]eventstore.StreamHead
	ids     map[domain.EventID]uint64 // staged event id -> position
}

type batchMark struct {
	next    uint64
	buf     int
	records int
}

// newBatch prepares a group commit of the ops' events, its buffer sized for all of them so that encoding
// never copies it to grow (a 2,000-event commit is about 1.6 MB, which growing by append copied about five
// times over).
func newBatch(s *Store, next uint64, now time.Time, group []*appendOp) *batch {
	events, size := 0, 0
	for _, op := range group {
		for _, r := range op.reqs {
			events += len(r.Events)
			for _, e := range r.Events {
				size += recordSize(r.Stream, e)
			}
		}
	}
	return &batch{s: s, next: next, now: now, buf: make([]byte, 0, size), offsets: make([]int64, 0, events),
		headers: make([]header, 0, events), leaves: make([][32]byte, 0, events),
		heads: make(map[string]eventstore.StreamHead), ids: make(map[domain.EventID]uint64, events)}
}

// recordSize is the most bytes appendRecord writes for an event as proposed (a duplicate writes none).
func recordSize(stream string, e eventstore.Proposed) int {
	return headerSize + fixedPartBytes + 4*binary.MaxVarintLen64 + len(stream) + len(e.Type) + len(e.RecordedBy) + len(e.Data)
}

func (b *batch) mark() batchMark {
	return batchMark{next: b.next, buf: len(b.buf), records: len(b.headers)}
}

// rollback forgets what was staged after m.
func (b *batch) rollback(m batchMark) {
	for _, h := range b.headers[m.records:] {
		delete(b.ids, h.id)
		delete(b.heads, string(h.stream))
	}
	// Heads of streams touched both before and after the mark are restored from the kept records.
	for _, h := range b.headers[:m.records] {
		b.heads[string(h.stream)] = eventstore.StreamHead{Exists: true, Last: h.revision, Hash: h.hash}
	}
	b.next, b.buf, b.headers, b.offsets = m.next, b.buf[:m.buf], b.headers[:m.records], b.offsets[:m.records]
	b.leaves = b.leaves[:m.records]
}

// head is a stream's last revision and hash, staged or committed (Exists false for a stream with none).
func (b *batch) head(stream string) (eventstore.StreamHead, error) {
	if h, ok := b.heads[stream]; ok {
		return h, nil
	}
	count, hash, ok, err := b.s.ix.head(stream)
	if err != nil || !ok {
		return eventstore.StreamHead{}, err
	}
	return eventstore.StreamHead{Exists: true, Last: count - 1, Hash: hash}, nil
}

// stage checks and encodes the requests of one op.
func (b *batch) stage(reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	results := make([]eventstore.AppendResult, len(reqs))
	for i, req := range reqs {
		res, err := b.stageOne(req)
		if err != nil {
			return nil, err
		}
		results[i] = res
	}
	return results, nil
}

func (b *batch) stageOne(req eventstore.AppendRequest) (eventstore.AppendResult, error) {
	head, err := b.head(req.Stream)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", req.Stream, err)
	}
	p, err := eventstore.PlanAppend(req, head, b.lookup, b.now, precision)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	for k, f := range p.Fresh {
		p.Place(k, b.add(f))
	}
	res := p.Finish()
	for i := range res.Events {
		res.Events[i].LeafIndex = res.Events[i].Position.Commit - 1
	}
	return res, nil
}

// precision is how finely the embedded store keeps recorded_at: nanoseconds since the Unix epoch.
const precision = time.Nanosecond

// add encodes one planned event into the batch and returns its position.
func (b *batch) add(f eventstore.Planned) eventstore.Position {
	pos := eventstore.Position{Commit: b.next, Prepare: b.next}
	rec := f.Recorded(pos)
	b.offsets = append(b.offsets, int64(len(b.buf)))
	b.buf = appendRecord(b.buf, &rec, f.Hash)
	b.headers = append(b.headers, header{position: b.next, revision: f.Revision, id: f.ID, hash: f.Hash, stream: []byte(f.Stream)})
	b.leaves = append(b.leaves, f.LeafHash)
	b.heads[f.Stream] = eventstore.StreamHead{Exists: true, Last: f.Revision, Hash: f.Hash}
	b.ids[f.ID] = pos.Commit
	b.next++
	return pos
}

// lookup finds an event by id among those staged in this group, then those stored.
func (b *batch) lookup(id domain.EventID) (eventstore.Recorded, bool, error) {
	if pos, ok := b.ids[id]; ok {
		rec, err := decodeRecord(b.stagedPayload(pos))
		if err != nil {
			return rec, false, err
		}
		rec.Position = eventstore.Position{Commit: pos, Prepare: pos}
		return rec, true, nil
	}
	pos, ok, err := b.s.ix.position(id)
	if err != nil || !ok {
		return eventstore.Recorded{}, false, err
	}
	rec, err := b.s.readAt(pos)
	return rec, err == nil, err
}

// stagedPayload returns the payload of a staged record by position.
func (b *batch) stagedPayload(pos uint64) []byte {
	i := int(pos - b.headers[0].position)
	start := b.offsets[i] + headerSize
	end := int64(len(b.buf))
	if i+1 < len(b.offsets) {
		end = b.offsets[i+1]
	}
	return b.buf[start:end]
}
