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

// blockWriter writes the body of events.idx through a bufio.Writer (which keeps the first error; Flush
// reports it) and keeps the CRC-32C of every block of it.
type blockWriter struct {
	w     *bufio.Writer
	block uint64
	crc   uint32 // of the current block so far
	fill  uint64 // bytes of the current block so far
	sums  []byte
}

func (c *blockWriter) Write(p []byte) (int, error) {
	n := len(p)
	c.w.Write(p) //nolint:errcheck // see blockWriter
	for len(p) > 0 {
		k := min(uint64(len(p)), c.block-c.fill)
		c.crc = crc32.Update(c.crc, castagnoli, p[:k])
		c.fill += k
		p = p[k:]
		if c.fill == c.block {
			c.endBlock()
		}
	}
	return n, nil
}

// endBlock records the sum of the current block and starts the next.
func (c *blockWriter) endBlock() {
	c.sums = binary.LittleEndian.AppendUint32(c.sums, c.crc)
	c.crc, c.fill = 0, 0
}

func (c *blockWriter) u64(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	c.Write(b[:]) //nolint:errcheck // see blockWriter
}

// finish records the sum of a last, short block and writes the sums after the body.
func (c *blockWriter) finish() []byte {
	if c.fill > 0 {
		c.endBlock()
	}
	c.w.Write(c.sums) //nolint:errcheck // see blockWriter
	return c.sums
}

// mergedStream is one stream of the index being written: its entry in the frozen table (frozen: none) and its
// events since (nil: none).
type mergedStream struct {
	name   string
	frozen bool
	entry  streamEntry
	tail   *streamIndex
}

// encodeFrozen writes the index (the frozen part merged with what was added since) in the events.idx layout,
// in blocks of block bytes. It holds in memory only what was added since the frozen part, besides one entry
// per stream. It fails where a block of the frozen part fails its checksum.
func encodeFrozen(f *os.File, ix *index, logEnd int64, block int) error {
	if _, err := f.Write(make([]byte, idxHeaderSize)); err != nil {
		return err
	}
	bw := &blockWriter{w: bufio.NewWriterSize(f, 1<<20), block: uint64(block)}
	fz := ix.base
	if fz != nil {
		offsets, err := fz.bytes(0, fz.n*8)
		if err != nil {
			return err
		}
		bw.Write(offsets) //nolint:errcheck // see blockWriter
	}
	for _, off := range ix.offsets {
		bw.u64(uint64(off))
	}
	if err := writeIDs(bw, fz, ix.ids); err != nil {
		return err
	}
	streams, err := mergeStreams(fz, ix.streams)
	if err != nil {
		return err
	}
	if err := writeStreams(bw, fz, streams); err != nil {
		return err
	}
	sums := bw.finish()
	if err := bw.w.Flush(); err != nil {
		return err
	}
	namesLen := uint64(0)
	for _, m := range streams {
		namesLen += uint64(len(m.name))
	}
	h := indexHeader(ix.last(), uint64(logEnd), uint64(len(streams)), namesLen, crc32.Checksum(sums, castagnoli), uint32(block))
	_, err = f.WriteAt(h[:], 0)
	return err
}

// indexHeader lays out the header of events.idx.
func indexHeader(n, logEnd, streams, namesLen uint64, sumsCRC, block uint32) [idxHeaderSize]byte {
	var h [idxHeaderSize]byte
	copy(h[:], indexMagic)
	binary.LittleEndian.PutUint64(h[8:], n)
	binary.LittleEndian.PutUint64(h[16:], logEnd)
	binary.LittleEndian.PutUint64(h[24:], streams)
	binary.LittleEndian.PutUint64(h[32:], namesLen)
	binary.LittleEndian.PutUint32(h[40:], sumsCRC)
	binary.LittleEndian.PutUint32(h[44:], block)
	binary.LittleEndian.PutUint32(h[60:], crc32.Checksum(h[:60], castagnoli))
	return h
}

type idEntry struct {
	id  domain.EventID
	pos uint64
}

// writeIDs merges the frozen sorted ids with the ones added since, sorted here.
func writeIDs(bw *blockWriter, fz *frozen, added map[domain.EventID]uint64) error {
	tail := make([]idEntry, 0, len(added))
	for id, pos := range added {
		tail = append(tail, idEntry{id, pos})
	}
	slices.SortFunc(tail, func(a, b idEntry) int { return bytes.Compare(a.id[:], b.id[:]) })
	var ids []byte
	if fz != nil {
		var err error
		if ids, err = fz.bytes(fz.idsAt, fz.n*idxIDSize); err != nil {
			return err
		}
	}
	var rec [idxIDSize]byte
	i := 0
	for _, e := range tail {
		for ; i < len(ids) && bytes.Compare(ids[i:i+16], e.id[:]) < 0; i += idxIDSize {
			bw.Write(ids[i : i+idxIDSize]) //nolint:errcheck // see blockWriter
		}
		copy(rec[:16], e.id[:])
		binary.LittleEndian.PutUint64(rec[16:], e.pos)
		bw.Write(rec[:]) //nolint:errcheck // see blockWriter
	}
	bw.Write(ids[i:]) //nolint:errcheck // see blockWriter
	return nil
}

// mergeStreams lists every stream, frozen or added since, in name order.
func mergeStreams(fz *frozen, added map[string]*streamIndex) ([]mergedStream, error) {
	names := slices.Sorted(maps.Keys(added))
	count := len(names)
	if fz != nil {
		count += fz.streams
	}
	out := make([]mergedStream, 0, count)
	next := func(i int) (mergedStream, bool, error) {
		if fz == nil || i >= fz.streams {
			return mergedStream{}, false, nil
		}
		e, err := fz.entry(i)
		if err != nil {
			return mergedStream{}, false, err
		}
		name, err := fz.name(e)
		return mergedStream{name: string(name), frozen: true, entry: e}, err == nil, err
	}
	i := 0
	f, ok, err := next(i)
	for _, name := range names {
		for ; err == nil && ok && f.name < name; f, ok, err = next(i) {
			out = append(out, f)
			i++
		}
		m := mergedStream{name: name, tail: added[name]}
		if err == nil && ok && f.name == name {
			m.frozen, m.entry = true, f.entry
			i++
			f, ok, err = next(i)
		}
		out = append(out, m)
	}
	for ; err == nil && ok; f, ok, err = next(i) {
		out = append(out, f)
		i++
	}
	return out, err
}

// writeStreams writes the stream table, then every stream's positions, then the names.
func writeStreams(bw *blockWriter, fz *frozen, streams []mergedStream) error {
	var rec [idxStreamSize]byte
	var nameOff, posStart uint64
	for _, m := range streams {
		count, hash := m.entry.count, m.entry.hash
		if m.tail != nil {
			count += uint64(len(m.tail.positions))
			hash = m.tail.hash
		}
		binary.LittleEndian.PutUint64(rec[0:], nameOff)
		binary.LittleEndian.PutUint64(rec[8:], uint64(len(m.name)))
		binary.LittleEndian.PutUint64(rec[16:], posStart)
		binary.LittleEndian.PutUint64(rec[24:], count)
		copy(rec[32:], hash[:])
		bw.Write(rec[:]) //nolint:errcheck // see blockWriter
		nameOff += uint64(len(m.name))
		posStart += count
	}
	var buf []uint64
	for _, m := range streams {
		buf = buf[:0]
		if m.frozen {
			var err error
			if buf, err = fz.streamPositions(buf, m.entry); err != nil {
				return err
			}
		}
		if m.tail != nil {
			buf = append(buf, m.tail.positions...)
		}
		for _, p := range buf {
			bw.u64(p)
		}
	}
	for _, m := range streams {
		io.WriteString(bw, m.name) //nolint:errcheck // see blockWriter
	}
	return nil
}
