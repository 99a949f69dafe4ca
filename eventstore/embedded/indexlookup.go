package embedded

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// The lookups over a frozen index. Each reads through frozen.bytes, so every byte it uses has passed its
// block's checksum; a failing block, or an entry pointing outside its table, is errIndexFile (wrapped).

// u64 is the integer at body offset at.
func (fz *frozen) u64(at uint64) (uint64, error) {
	b, err := fz.bytes(at, 8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// offset is the log offset of the record at position p (1 <= p <= n).
func (fz *frozen) offset(p uint64) (int64, error) {
	v, err := fz.u64((p - 1) * 8)
	return int64(v), err
}

// idAt is entry i of the sorted ids.
func (fz *frozen) idAt(i uint64) ([]byte, error) {
	return fz.bytes(fz.idsAt+i*idxIDSize, idxIDSize)
}

// id finds an event's position by binary search over the sorted ids.
func (fz *frozen) id(id domain.EventID) (uint64, bool, error) {
	lo, hi := uint64(0), fz.n
	for lo < hi {
		mid := lo + (hi-lo)/2
		e, err := fz.idAt(mid)
		if err != nil {
			return 0, false, err
		}
		switch c := bytes.Compare(e[:16], id[:]); {
		case c == 0:
			return binary.LittleEndian.Uint64(e[16:]), true, nil
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false, nil
}

// streamEntry is one entry of the stream table, its bounds checked.
type streamEntry struct {
	nameAt, nameLen, start, count uint64
	hash                          [32]byte
}

// entry reads table entry i.
func (fz *frozen) entry(i int) (streamEntry, error) {
	b, err := fz.bytes(fz.tableAt+uint64(i)*idxStreamSize, idxStreamSize)
	if err != nil {
		return streamEntry{}, err
	}
	e := streamEntry{nameAt: binary.LittleEndian.Uint64(b), nameLen: binary.LittleEndian.Uint64(b[8:]),
		start: binary.LittleEndian.Uint64(b[16:]), count: binary.LittleEndian.Uint64(b[24:])}
	copy(e.hash[:], b[32:64])
	if e.nameAt > fz.namesLen || e.nameLen > fz.namesLen-e.nameAt || e.start > fz.n || e.count > fz.n-e.start || e.count == 0 {
		return streamEntry{}, fmt.Errorf("%w: stream entry %d out of bounds", errIndexFile, i)
	}
	return e, nil
}

// name is the stream name of an entry.
func (fz *frozen) name(e streamEntry) ([]byte, error) {
	return fz.bytes(fz.namesAt+e.nameAt, e.nameLen)
}

// streamName is the name of table entry i.
func (fz *frozen) streamName(i int) ([]byte, error) {
	e, err := fz.entry(i)
	if err != nil {
		return nil, err
	}
	return fz.name(e)
}

// stream finds a stream's table entry by binary search; ok is false when it is absent.
func (fz *frozen) stream(name string) (streamEntry, bool, error) {
	if fz == nil {
		return streamEntry{}, false, nil
	}
	lo, hi := 0, fz.streams
	for lo < hi {
		mid := lo + (hi-lo)/2
		e, err := fz.entry(mid)
		if err != nil {
			return streamEntry{}, false, err
		}
		got, err := fz.name(e)
		if err != nil {
			return streamEntry{}, false, err
		}
		switch c := bytes.Compare(got, []byte(name)); {
		case c == 0:
			return e, true, nil
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return streamEntry{}, false, nil
}

// streamPositions appends the positions of a stream's entry to dst.
func (fz *frozen) streamPositions(dst []uint64, e streamEntry) ([]uint64, error) {
	b, err := fz.bytes(fz.posAt+e.start*8, e.count*8)
	if err != nil {
		return dst, err
	}
	for k := range e.count {
		dst = append(dst, binary.LittleEndian.Uint64(b[k*8:]))
	}
	return dst, nil
}
