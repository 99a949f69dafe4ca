package embedded

import (
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// batch is a group commit being prepared: records encoded but not yet written, with the stream heads and
// event ids they add on top of the index.
type batch struct {
	s       *Store
	next    uint64 // position of the next staged event
	now     time.Time
	buf     []byte
	offsets []int64 // offset of each staged record within buf
	headers []header
	heads   map[string]stagedHead
	ids     map[domain.EventID]eventstore.Appended
}

type stagedHead struct {
	last uint64
	hash [32]byte
}

type batchMark struct {
	next    uint64
	buf     int
	records int
}

func newBatch(s *Store, next uint64, now time.Time) *batch {
	return &batch{s: s, next: next, now: now, heads: make(map[string]stagedHead),
		ids: make(map[domain.EventID]eventstore.Appended)}
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
		b.heads[string(h.stream)] = stagedHead{last: h.revision, hash: h.hash}
	}
	b.next, b.buf, b.headers, b.offsets = m.next, b.buf[:m.buf], b.headers[:m.records], b.offsets[:m.records]
}

// head is a stream's last revision and hash, staged or committed.
func (b *batch) head(stream string) (stagedHead, bool) {
	if h, ok := b.heads[stream]; ok {
		return h, true
	}
	st := b.s.ix.streams[stream]
	if st == nil {
		return stagedHead{}, false
	}
	return stagedHead{last: uint64(len(st.positions) - 1), hash: st.hash}, true
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
	res := eventstore.AppendResult{Stream: req.Stream, Events: make([]eventstore.Appended, len(req.Events))}
	// same[i] is -1 for a new event, -2 for one already stored, or the index of an earlier event of this
	// request with the same id.
	same := make([]int, len(req.Events))
	first := make(map[domain.EventID]int, len(req.Events))
	fresh := 0
	for i, p := range req.Events {
		if k, ok := first[p.ID]; ok {
			if req.Events[k].Type != p.Type || !req.Events[k].OccurredAt.Equal(p.OccurredAt) || string(req.Events[k].Data) != string(p.Data) {
				return res, fmt.Errorf("event %s appears twice in one append with different content: %w", p.ID, eventstore.ErrEventIDReused)
			}
			same[i] = k
			continue
		}
		first[p.ID] = i
		dup, ok, err := b.duplicate(req.Stream, p)
		switch {
		case err != nil:
			return res, err
		case ok:
			res.Events[i], same[i] = dup, -2
		default:
			same[i] = -1
			fresh++
		}
	}
	if fresh == 0 {
		repeat(res, same)
		return res, nil
	}
	head, exists := b.head(req.Stream)
	if !req.Expected.Check(head.last, exists) {
		current := "no stream"
		if exists {
			current = fmt.Sprintf("revision %d", head.last)
		}
		return res, fmt.Errorf("append to %s: expected %s, stream is at %s: %w",
			req.Stream, req.Expected, current, eventstore.ErrConflict)
	}
	for i, p := range req.Events {
		if same[i] != -1 {
			continue
		}
		rev := uint64(0)
		if exists {
			rev = head.last + 1
		}
		head = stagedHead{last: rev, hash: chain(head.hash, exists, p)}
		exists = true
		res.Events[i] = b.add(req.Stream, rev, head.hash, p)
	}
	repeat(res, same)
	return res, nil
}

// repeat fills in the results of events repeated within one request from their first occurrence.
func repeat(res eventstore.AppendResult, same []int) {
	for i, k := range same {
		if k >= 0 {
			res.Events[i] = res.Events[k]
			res.Events[i].Duplicate = true
		}
	}
}

// add encodes one new event into the batch.
func (b *batch) add(stream string, rev uint64, hash [32]byte, p eventstore.Proposed) eventstore.Appended {
	recordedAt := p.RecordedAt
	if recordedAt.IsZero() {
		recordedAt = b.now
	}
	pos := eventstore.Position{Commit: b.next, Prepare: b.next}
	rec := eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: stream, Revision: rev, Position: pos,
		OccurredAt: p.OccurredAt, RecordedAt: recordedAt, RecordedBy: p.RecordedBy, Data: p.Data}
	b.offsets = append(b.offsets, int64(len(b.buf)))
	b.buf = appendRecord(b.buf, &rec, hash)
	b.headers = append(b.headers, header{position: b.next, revision: rev, id: p.ID, hash: hash, stream: []byte(stream)})
	b.heads[stream] = stagedHead{last: rev, hash: hash}
	a := eventstore.Appended{ID: p.ID, Revision: rev, Position: pos}
	b.ids[p.ID] = a
	b.next++
	return a
}

// duplicate reports whether p's id is already stored or staged. The same id for a different event, or in
// another stream, is ErrEventIDReused.
func (b *batch) duplicate(stream string, p eventstore.Proposed) (eventstore.Appended, bool, error) {
	if a, ok := b.ids[p.ID]; ok {
		// Staged in this group: compare with the staged record.
		rec, err := decodeRecord(b.stagedPayload(a.Position.Commit))
		if err != nil {
			return a, false, err
		}
		return b.sameOrReused(stream, rec, p)
	}
	pos, ok := b.s.ix.ids[p.ID]
	if !ok {
		return eventstore.Appended{}, false, nil
	}
	rec, err := b.s.readAt(pos)
	if err != nil {
		return eventstore.Appended{}, false, fmt.Errorf("read event %s to compare a retry: %w", p.ID, err)
	}
	return b.sameOrReused(stream, rec, p)
}

func (b *batch) sameOrReused(stream string, rec eventstore.Recorded, p eventstore.Proposed) (eventstore.Appended, bool, error) {
	if rec.Stream != stream || !rec.SameEvent(p) {
		return eventstore.Appended{}, false, fmt.Errorf("event %s (already stored at position %s in %s): %w",
			p.ID, rec.Position, rec.Stream, eventstore.ErrEventIDReused)
	}
	return eventstore.Appended{ID: p.ID, Revision: rec.Revision, Position: rec.Position, Duplicate: true}, true, nil
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
