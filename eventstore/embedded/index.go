package embedded

import (
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// index is the lookup over the log: the indexes persisted in events.idx (base, mapped, may be nil) for the
// first events, and Go maps for the events after them (the tail scanned at open and what this process
// appended since). Lookups that read the base return errIndexFile (wrapped) where a block of it fails its
// checksum (see Store.lookup).
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
func (ix *index) add(off int64, h header) error {
	st := ix.streams[string(h.stream)]
	if st == nil {
		st = &streamIndex{}
		e, ok, err := ix.base.stream(string(h.stream))
		if err != nil {
			return err
		}
		if ok {
			st.before = e.count
		}
		ix.streams[string(h.stream)] = st
	}
	ix.offsets = append(ix.offsets, off)
	st.positions = append(st.positions, h.position)
	st.hash = h.hash
	ix.ids[h.id] = h.position
	return nil
}

// last is the last position indexed (0 when empty).
func (ix *index) last() uint64 { return ix.baseN() + uint64(len(ix.offsets)) }

// offset is the file offset of the record at position p (1 <= p <= last).
func (ix *index) offset(p uint64) (int64, error) {
	if n := ix.baseN(); p > n {
		return ix.offsets[p-n-1], nil
	}
	return ix.base.offset(p)
}

// position finds an event by id.
func (ix *index) position(id domain.EventID) (uint64, bool, error) {
	if p, ok := ix.ids[id]; ok {
		return p, true, nil
	}
	if ix.base == nil {
		return 0, false, nil
	}
	return ix.base.id(id)
}

// head is a stream's number of events and the hash of its last; ok is false for a stream with none.
func (ix *index) head(stream string) (count uint64, hash [32]byte, ok bool, err error) {
	if st := ix.streams[stream]; st != nil {
		return st.before + uint64(len(st.positions)), st.hash, true, nil
	}
	e, ok, err := ix.base.stream(stream)
	return e.count, e.hash, ok, err
}

// positions lists a stream's positions by revision (a fresh slice).
func (ix *index) positions(stream string) ([]uint64, error) {
	var out []uint64
	e, ok, err := ix.base.stream(stream)
	if err != nil {
		return nil, err
	}
	if ok {
		if out, err = ix.base.streamPositions(out, e); err != nil {
			return nil, err
		}
	}
	if st := ix.streams[stream]; st != nil {
		out = append(out, st.positions...)
	}
	return out, nil
}

// take records a good record met by a scan at the next position: added when past the base, else checked to be
// where the base says (errIndexFile when not).
func (ix *index) take(off int64, h header, covered uint64) error {
	if h.position > covered {
		return ix.add(off, h)
	}
	want, err := ix.base.offset(h.position)
	if err != nil {
		return err
	}
	if want != off {
		return fmt.Errorf("%w: position %d is at offset %d of the log, not %d", errIndexFile, h.position, off, want)
	}
	return nil
}
