package embedded

import (
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// index is the lookup over the log: the indexes persisted in events.idx (base, mapped, may be nil) for the
// first events, and Go maps for the events after them (the tail scanned at open and what this process
// appended since).
type index struct {
	base    *frozen
	offsets []int64 // offsets[p-baseN-1] is the file offset of the record at position p
	streams map[string]*streamIndex
	ids     map[domain.EventID]uint64 // event id to position
}

// streamIndex is a stream's events after the persisted base.
type streamIndex struct {
	before    uint64   // events of the stream in the base
	positions []uint64 // positions of revisions before, before+1, ...
	hash      [32]byte // hash of the last event
}

func newIndex(base *frozen) *index {
	return &index{base: base, streams: make(map[string]*streamIndex), ids: make(map[domain.EventID]uint64)}
}

func (ix *index) baseN() uint64 {
	if ix.base == nil {
		return 0
	}
	return ix.base.n
}

// add records an event known to follow the indexed ones.
func (ix *index) add(off int64, h header) {
	ix.offsets = append(ix.offsets, off)
	st := ix.streams[string(h.stream)]
	if st == nil {
		st = &streamIndex{}
		if i := ix.base.stream(string(h.stream)); i >= 0 {
			st.before, _ = ix.base.streamHead(i)
		}
		ix.streams[string(h.stream)] = st
	}
	st.positions = append(st.positions, h.position)
	st.hash = h.hash
	ix.ids[h.id] = h.position
}

// last is the last position indexed (0 when empty).
func (ix *index) last() uint64 { return ix.baseN() + uint64(len(ix.offsets)) }

// offset is the file offset of the record at position p (1 <= p <= last).
func (ix *index) offset(p uint64) int64 {
	if n := ix.baseN(); p > n {
		return ix.offsets[p-n-1]
	}
	return ix.base.offset(p)
}

// position finds an event by id.
func (ix *index) position(id domain.EventID) (uint64, bool) {
	if p, ok := ix.ids[id]; ok {
		return p, true
	}
	if ix.base == nil {
		return 0, false
	}
	return ix.base.id(id)
}

// head is a stream's number of events and the hash of its last; ok is false for a stream with none.
func (ix *index) head(stream string) (count uint64, hash [32]byte, ok bool) {
	if st := ix.streams[stream]; st != nil {
		return st.before + uint64(len(st.positions)), st.hash, true
	}
	if i := ix.base.stream(stream); i >= 0 {
		count, hash = ix.base.streamHead(i)
		return count, hash, true
	}
	return 0, hash, false
}

// positions lists a stream's positions by revision (a fresh slice).
func (ix *index) positions(stream string) []uint64 {
	var out []uint64
	if i := ix.base.stream(stream); i >= 0 {
		out = ix.base.streamPositions(out, i)
	}
	if st := ix.streams[stream]; st != nil {
		out = append(out, st.positions...)
	}
	return out
}

// take records a good record met by a scan at the next position: added when past the base, else checked to be
// where the base says (errIndexFile when not).
func (ix *index) take(off int64, h header, covered uint64) error {
	if h.position > covered {
		ix.add(off, h)
		return nil
	}
	if want := ix.base.offset(h.position); want != off {
		return fmt.Errorf("%w: position %d is at offset %d of the log, not %d", errIndexFile, h.position, off, want)
	}
	return nil
}
