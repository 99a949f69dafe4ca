package embedded

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// crcWriter writes through and keeps the CRC-32C of what passed.
type crcWriter struct {
	w   io.Writer
	crc uint32
	n   uint64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc = crc32.Update(c.crc, castagnoli, p)
	c.n += uint64(len(p))
	return c.w.Write(p)
}

func (c *crcWriter) u64(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	c.Write(b[:]) //nolint:errcheck // bufio keeps the first error; Flush reports it
}

// mergedStream is one stream of the index being written: its entry in the frozen table (-1: none) and its
// events since (nil: none).
type mergedStream struct {
	name   string
	frozen int
	tail   *streamIndex
}

// encodeFrozen writes the index (the frozen part merged with what was added since) in the events.idx layout.
// It holds in memory only what was added since the frozen part, besides one entry per stream.
func encodeFrozen(f *os.File, ix *index, logEnd int64) error {
	if _, err := f.Write(make([]byte, idxHeaderSize)); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &crcWriter{w: bw}
	fz := ix.base
	if fz != nil {
		cw.Write(fz.offsets) //nolint:errcheck // see u64
	}
	for _, off := range ix.offsets {
		cw.u64(uint64(off))
	}
	writeIDs(cw, fz, ix.ids)
	streams := mergeStreams(fz, ix.streams)
	writeStreams(cw, fz, streams)
	if err := bw.Flush(); err != nil {
		return err
	}
	var h [idxHeaderSize]byte
	copy(h[:], indexMagic)
	binary.LittleEndian.PutUint64(h[8:], ix.last())
	binary.LittleEndian.PutUint64(h[16:], uint64(logEnd))
	binary.LittleEndian.PutUint64(h[24:], uint64(len(streams)))
	namesLen := uint64(0)
	for _, m := range streams {
		namesLen += uint64(len(m.name))
	}
	binary.LittleEndian.PutUint64(h[32:], namesLen)
	binary.LittleEndian.PutUint32(h[40:], cw.crc)
	binary.LittleEndian.PutUint32(h[44:], crc32.Checksum(h[:44], castagnoli))
	_, err := f.WriteAt(h[:], 0)
	return err
}

type idEntry struct {
	id  domain.EventID
	pos uint64
}

// writeIDs merges the frozen sorted ids with the ones added since, sorted here.
func writeIDs(cw *crcWriter, fz *frozen, added map[domain.EventID]uint64) {
	tail := make([]idEntry, 0, len(added))
	for id, pos := range added {
		tail = append(tail, idEntry{id, pos})
	}
	slices.SortFunc(tail, func(a, b idEntry) int { return bytes.Compare(a.id[:], b.id[:]) })
	var rec [idxIDSize]byte
	put := func(e idEntry) {
		copy(rec[:16], e.id[:])
		binary.LittleEndian.PutUint64(rec[16:], e.pos)
		cw.Write(rec[:]) //nolint:errcheck // see u64
	}
	i, n := 0, 0
	if fz != nil {
		n = int(fz.n)
	}
	for _, e := range tail {
		for ; i < n && bytes.Compare(fz.ids[i*idxIDSize:i*idxIDSize+16], e.id[:]) < 0; i++ {
			cw.Write(fz.ids[i*idxIDSize : (i+1)*idxIDSize]) //nolint:errcheck // see u64
		}
		put(e)
	}
	if i < n {
		cw.Write(fz.ids[i*idxIDSize:]) //nolint:errcheck // see u64
	}
}

// mergeStreams lists every stream, frozen or added since, in name order.
func mergeStreams(fz *frozen, added map[string]*streamIndex) []mergedStream {
	names := slices.Sorted(maps.Keys(added))
	count := len(names)
	if fz != nil {
		count += fz.streams
	}
	out := make([]mergedStream, 0, count)
	i := 0
	for _, name := range names {
		for ; fz != nil && i < fz.streams && string(fz.streamName(i)) < name; i++ {
			out = append(out, mergedStream{name: string(fz.streamName(i)), frozen: i})
		}
		m := mergedStream{name: name, frozen: -1, tail: added[name]}
		if fz != nil && i < fz.streams && string(fz.streamName(i)) == name {
			m.frozen = i
			i++
		}
		out = append(out, m)
	}
	for ; fz != nil && i < fz.streams; i++ {
		out = append(out, mergedStream{name: string(fz.streamName(i)), frozen: i})
	}
	return out
}

// writeStreams writes the stream table, then every stream's positions, then the names.
func writeStreams(cw *crcWriter, fz *frozen, streams []mergedStream) {
	var rec [idxStreamSize]byte
	var nameOff, posStart uint64
	for _, m := range streams {
		count, hash := uint64(0), [32]byte{}
		if m.frozen >= 0 {
			count, hash = fz.streamHead(m.frozen)
		}
		if m.tail != nil {
			count += uint64(len(m.tail.positions))
			hash = m.tail.hash
		}
		binary.LittleEndian.PutUint64(rec[0:], nameOff)
		binary.LittleEndian.PutUint64(rec[8:], uint64(len(m.name)))
		binary.LittleEndian.PutUint64(rec[16:], posStart)
		binary.LittleEndian.PutUint64(rec[24:], count)
		copy(rec[32:], hash[:])
		cw.Write(rec[:]) //nolint:errcheck // see u64
		nameOff += uint64(len(m.name))
		posStart += count
	}
	var buf []uint64
	for _, m := range streams {
		buf = buf[:0]
		if m.frozen >= 0 {
			buf = fz.streamPositions(buf, m.frozen)
		}
		if m.tail != nil {
			buf = append(buf, m.tail.positions...)
		}
		for _, p := range buf {
			cw.u64(p)
		}
	}
	for _, m := range streams {
		io.WriteString(cw, m.name) //nolint:errcheck // see u64
	}
}
