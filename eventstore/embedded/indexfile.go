package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sync/atomic"
)

// indexName is the file beside events.log that holds the indexes as of some position, so that an open reads
// them instead of scanning the log (see frozen).
const indexName = "events.idx"

// indexMagic opens events.idx: the format name and version. Version 2 checksums the body block by block
// (version 1 had one checksum over the whole body, which an open had to read entirely); a file of another
// version is not used, and the writer replaces it.
var indexMagic = []byte("FTIDX\x00\x00\x02")

// The layout of events.idx, all integers little-endian:
//
//	header  64 bytes: magic, n (events covered), logEnd (offset after the record at position n), streams,
//	        namesLen, CRC-32C of sums (u32), block size (u32), zeros, CRC-32C of the header's first 60 bytes
//	offsets n × u64: offsets[p-1] is the log offset of the record at position p
//	ids     n × 24 bytes: event id (16) and position (u64), sorted by id
//	streams streams × 64 bytes: name offset and length in names, first entry in positions, count, last hash;
//	        sorted by name
//	pos     n × u64: each stream's positions in revision order, streams in table order
//	names   namesLen bytes: the stream names
//	sums    one CRC-32C (u32) per block of the body (offsets through names), every block of the block size
//	        but the last
//
// The header and sums are checked when the file is opened; each block of the body when it is first read
// (see frozen.bytes), so that a lookup touches, and checks, only the pages it needs.
const (
	idxHeaderSize = 64
	idxIDSize     = 24
	idxStreamSize = 64
	// idxBlockSize is the block size the store writes: 4 KiB, a page, so a lookup's checks cost about what
	// it reads; the sums of a 9M-event index are then about 0.5 MB.
	idxBlockSize = 4096
	// idxMinBlock and idxMaxBlock bound the block size a file may declare.
	idxMinBlock = 16
	idxMaxBlock = 1 << 24
)

// errIndexFile: events.idx cannot be used (it is rebuilt from the log).
var errIndexFile = errors.New("index file unusable")

// frozen is events.idx mapped into memory: the indexes of the first n events, searched in place, so that
// opening costs neither a scan of the log nor memory for maps of every event. Its methods (indexlookup.go)
// return errIndexFile (wrapped) for a block that fails its checksum or an entry out of bounds.
type frozen struct {
	data    []byte // the whole file
	release func() error
	n       uint64
	logEnd  int64
	streams int
	body    []byte // offsets through names
	sums    []byte
	block   uint64
	checked []atomic.Uint64 // bit b is set once block b of body passed its checksum
	// Offsets in body of the tables.
	idsAt, tableAt, posAt, namesAt, namesLen uint64
}

// loadFrozen maps and checks events.idx; errIndexFile (wrapped) when it is missing, short or corrupt. With
// eager, every block of the body is checked now (a writable open, which sweeps the whole log anyway, and
// whose appends then never meet a damaged block); else each block is checked when first read.
func loadFrozen(path string, eager bool) (*frozen, error) {
	data, release, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errIndexFile, err)
	}
	fz, err := parseFrozen(data)
	if err == nil && eager {
		_, err = fz.bytes(0, uint64(len(fz.body)))
	}
	if err != nil {
		release()
		return nil, fmt.Errorf("%w: %s: %w", errIndexFile, path, err)
	}
	fz.release = release
	return fz, nil
}

// parseFrozen checks the header, the sizes and the block checksums' own checksum, so that lookups cannot run
// outside the data and every block read is checked against a sum the header vouches for.
func parseFrozen(data []byte) (*frozen, error) {
	if len(data) < idxHeaderSize || !bytes.Equal(data[:len(indexMagic)], indexMagic) {
		return nil, errors.New("not an index file of this format")
	}
	h := data[:idxHeaderSize]
	if crc32.Checksum(h[:60], castagnoli) != binary.LittleEndian.Uint32(h[60:]) {
		return nil, errors.New("header fails its checksum")
	}
	n := binary.LittleEndian.Uint64(h[8:])
	logEnd := binary.LittleEndian.Uint64(h[16:])
	streams := binary.LittleEndian.Uint64(h[24:])
	namesLen := binary.LittleEndian.Uint64(h[32:])
	block := uint64(binary.LittleEndian.Uint32(h[44:]))
	const most = 1 << 40
	if n > most || streams > n || namesLen > most || logEnd > most || block < idxMinBlock || block > idxMaxBlock {
		return nil, errors.New("header sizes out of range")
	}
	bodyLen := n*(8+idxIDSize+8) + streams*idxStreamSize + namesLen
	blocks := (bodyLen + block - 1) / block
	if want := idxHeaderSize + bodyLen + blocks*4; uint64(len(data)) != want {
		return nil, fmt.Errorf("file is %d bytes, its header says %d", len(data), want)
	}
	fz := &frozen{data: data, n: n, logEnd: int64(logEnd), streams: int(streams), block: block,
		body: data[idxHeaderSize : idxHeaderSize+bodyLen], sums: data[idxHeaderSize+bodyLen:],
		checked: make([]atomic.Uint64, (blocks+63)/64), namesLen: namesLen}
	if crc32.Checksum(fz.sums, castagnoli) != binary.LittleEndian.Uint32(h[40:]) {
		return nil, errors.New("block checksums fail their checksum")
	}
	fz.idsAt = n * 8
	fz.tableAt = fz.idsAt + n*idxIDSize
	fz.posAt = fz.tableAt + streams*idxStreamSize
	fz.namesAt = fz.posAt + n*8
	return fz, nil
}

// bytes returns n bytes of the body from offset at, once every block they lie in has passed its checksum.
func (fz *frozen) bytes(at, n uint64) ([]byte, error) {
	if at > uint64(len(fz.body)) || n > uint64(len(fz.body))-at {
		return nil, fmt.Errorf("%w: bytes %d+%d outside the body of %d", errIndexFile, at, n, len(fz.body))
	}
	if n == 0 {
		return nil, nil
	}
	for b := at / fz.block; b <= (at+n-1)/fz.block; b++ {
		if err := fz.checkBlock(b); err != nil {
			return nil, err
		}
	}
	return fz.body[at : at+n], nil
}

// checkBlock checks block b of the body against its sum, once: concurrent readers may both check it.
func (fz *frozen) checkBlock(b uint64) error {
	word, bit := &fz.checked[b/64], uint64(1)<<(b%64)
	if word.Load()&bit != 0 {
		return nil
	}
	start := b * fz.block
	end := min(start+fz.block, uint64(len(fz.body)))
	if crc32.Checksum(fz.body[start:end], castagnoli) != binary.LittleEndian.Uint32(fz.sums[b*4:]) {
		return fmt.Errorf("%w: block %d (bytes %d to %d of the body) fails its checksum", errIndexFile, b, start, end)
	}
	word.Or(bit)
	return nil
}

func (fz *frozen) close() error {
	if fz == nil || fz.release == nil {
		return nil
	}
	return fz.release()
}

// writeFrozenFile writes the index atomically, in blocks of block bytes: a temporary file, synced, renamed
// over events.idx, and the directory synced. A crash at any point leaves either the old file or the new one.
func writeFrozenFile(dir string, ix *index, logEnd int64, block int) error {
	final := dir + string(os.PathSeparator) + indexName
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("write %s: %w", indexName, err)
	}
	err = encodeFrozen(f, ix, logEnd, block)
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
