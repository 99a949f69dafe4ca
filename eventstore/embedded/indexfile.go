package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sort"

	"github.com/fairtrail/fairtrail/domain"
)

// indexName is the file beside events.log that holds the indexes as of some position, so that an open reads
// them instead of scanning the log (see frozen).
const indexName = "events.idx"

// indexMagic opens events.idx: the format name and version.
var indexMagic = []byte("FTIDX\x00\x00\x01")

// The layout of events.idx, all integers little-endian:
//
//	header  64 bytes: magic, n (events covered), logEnd (offset after the record at position n), streams,
//	        namesLen, CRC-32C of the body (u32), CRC-32C of the header's first 44 bytes (u32), zeros
//	offsets n × u64: offsets[p-1] is the log offset of the record at position p
//	ids     n × 24 bytes: event id (16) and position (u64), sorted by id
//	streams streams × 64 bytes: name offset and length in names, first entry in positions, count, last hash;
//	        sorted by name
//	pos     n × u64: each stream's positions in revision order, streams in table order
//	names   namesLen bytes: the stream names
const (
	idxHeaderSize = 64
	idxIDSize     = 24
	idxStreamSize = 64
)

// errIndexFile: events.idx cannot be used (it is rebuilt from the log).
var errIndexFile = errors.New("index file unusable")

// frozen is events.idx mapped into memory: the indexes of the first n events, searched in place, so that
// opening costs neither a scan of the log nor memory for maps of every event.
type frozen struct {
	data    []byte // the whole file
	release func() error
	n       uint64
	logEnd  int64
	streams int
	offsets []byte
	ids     []byte
	table   []byte
	pos     []byte
	names   []byte
}

// loadFrozen maps and checks events.idx; errIndexFile (wrapped) when it is missing, short or corrupt.
func loadFrozen(path string) (*frozen, error) {
	data, release, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errIndexFile, err)
	}
	fz, err := parseFrozen(data)
	if err != nil {
		release()
		return nil, fmt.Errorf("%w: %s: %w", errIndexFile, path, err)
	}
	fz.release = release
	return fz, nil
}

// parseFrozen checks the checksums and every table's bounds, so that lookups cannot run outside the data.
func parseFrozen(data []byte) (*frozen, error) {
	if len(data) < idxHeaderSize || !bytes.Equal(data[:len(indexMagic)], indexMagic) {
		return nil, errors.New("not an index file of this format")
	}
	h := data[:idxHeaderSize]
	if crc32.Checksum(h[:44], castagnoli) != binary.LittleEndian.Uint32(h[44:]) {
		return nil, errors.New("header fails its checksum")
	}
	n := binary.LittleEndian.Uint64(h[8:])
	logEnd := binary.LittleEndian.Uint64(h[16:])
	streams := binary.LittleEndian.Uint64(h[24:])
	namesLen := binary.LittleEndian.Uint64(h[32:])
	const most = 1 << 40
	if n > most || streams > n || namesLen > most || logEnd > most {
		return nil, errors.New("header sizes out of range")
	}
	want := idxHeaderSize + n*(8+idxIDSize+8) + streams*idxStreamSize + namesLen
	if uint64(len(data)) != want {
		return nil, fmt.Errorf("file is %d bytes, its header says %d", len(data), want)
	}
	if crc32.Checksum(data[idxHeaderSize:], castagnoli) != binary.LittleEndian.Uint32(h[40:]) {
		return nil, errors.New("body fails its checksum")
	}
	fz := &frozen{data: data, n: n, logEnd: int64(logEnd), streams: int(streams)}
	rest := data[idxHeaderSize:]
	fz.offsets, rest = rest[:n*8], rest[n*8:]
	fz.ids, rest = rest[:n*idxIDSize], rest[n*idxIDSize:]
	fz.table, rest = rest[:streams*idxStreamSize], rest[streams*idxStreamSize:]
	fz.pos, fz.names = rest[:n*8], rest[n*8:]
	for i := range fz.streams {
		e := fz.table[i*idxStreamSize:]
		no, nl := binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint64(e[8:])
		ps, pc := binary.LittleEndian.Uint64(e[16:]), binary.LittleEndian.Uint64(e[24:])
		if no > namesLen || nl > namesLen-no || ps > n || pc > n-ps || pc == 0 {
			return nil, fmt.Errorf("stream entry %d out of bounds", i)
		}
	}
	return fz, nil
}

func (fz *frozen) close() error {
	if fz == nil || fz.release == nil {
		return nil
	}
	return fz.release()
}

// offset is the log offset of the record at position p (1 <= p <= n).
func (fz *frozen) offset(p uint64) int64 {
	return int64(binary.LittleEndian.Uint64(fz.offsets[(p-1)*8:]))
}

// id finds an event's position by binary search over the sorted ids.
func (fz *frozen) id(id domain.EventID) (uint64, bool) {
	i := sort.Search(int(fz.n), func(i int) bool {
		return bytes.Compare(fz.ids[i*idxIDSize:i*idxIDSize+16], id[:]) >= 0
	})
	if i == int(fz.n) || !bytes.Equal(fz.ids[i*idxIDSize:i*idxIDSize+16], id[:]) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(fz.ids[i*idxIDSize+16:]), true
}

func (fz *frozen) streamName(i int) []byte {
	e := fz.table[i*idxStreamSize:]
	no, nl := binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint64(e[8:])
	return fz.names[no : no+nl]
}

// stream finds a stream's table entry by binary search; -1 when absent.
func (fz *frozen) stream(name string) int {
	if fz == nil {
		return -1
	}
	i := sort.Search(fz.streams, func(i int) bool { return string(fz.streamName(i)) >= name })
	if i == fz.streams || string(fz.streamName(i)) != name {
		return -1
	}
	return i
}

// streamCount is the number of events of table entry i, and the hash of its last.
func (fz *frozen) streamHead(i int) (uint64, [32]byte) {
	e := fz.table[i*idxStreamSize:]
	var h [32]byte
	copy(h[:], e[32:64])
	return binary.LittleEndian.Uint64(e[24:]), h
}

// streamPositions appends the positions of table entry i to dst.
func (fz *frozen) streamPositions(dst []uint64, i int) []uint64 {
	e := fz.table[i*idxStreamSize:]
	start, count := binary.LittleEndian.Uint64(e[16:]), binary.LittleEndian.Uint64(e[24:])
	for k := range count {
		dst = append(dst, binary.LittleEndian.Uint64(fz.pos[(start+k)*8:]))
	}
	return dst
}

// writeFrozenFile writes the index atomically: a temporary file, synced, renamed over events.idx, and the
// directory synced. A crash at any point leaves either the old file or the new one.
func writeFrozenFile(dir string, ix *index, logEnd int64) error {
	final := dir + string(os.PathSeparator) + indexName
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("write %s: %w", indexName, err)
	}
	err = encodeFrozen(f, ix, logEnd)
	if err == nil {
		err = syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", indexName, err)
	}
	return syncDir(dir)
}
