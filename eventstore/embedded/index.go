package embedded

import (
	"github.com/fairtrail/fairtrail/domain"
)

// index is the in-memory lookup over the log, rebuilt at open.
type index struct {
	offsets []int64 // offsets[p-1] is the file offset of the record at position p
	streams map[string]*streamIndex
	ids     map[domain.EventID]uint64 // event id to position
}

type streamIndex struct {
	positions []uint64 // positions[rev] is the position of revision rev
	hash      [32]byte // hash of the last event
}

func newIndex() *index {
	return &index{streams: make(map[string]*streamIndex), ids: make(map[domain.EventID]uint64)}
}

// add records an event known to follow the indexed ones.
func (ix *index) add(off int64, h header) {
	ix.offsets = append(ix.offsets, off)
	st := ix.streams[string(h.stream)]
	if st == nil {
		st = &streamIndex{}
		ix.streams[string(h.stream)] = st
	}
	st.positions = append(st.positions, h.position)
	st.hash = h.hash
	ix.ids[h.id] = h.position
}

// last is the last position indexed (0 when empty).
func (ix *index) last() uint64 { return uint64(len(ix.offsets)) }
