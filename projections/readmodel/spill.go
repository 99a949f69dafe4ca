package readmodel

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// A rebuild larger than one shard reads the store once: the workers' events are spilled, as stored and not
// decoded, to one file per bucket of workers (by workerHash) in a directory beside the model, and each
// shard (a run of buckets) is then read back, decoded and judged in its turn. The files live only for the
// rebuild: its transaction holds the model's write lock, so no other rebuild uses the directory meanwhile,
// and a rebuild killed midway leaves them to the next one, which removes them first. A replay under a time
// filter spills to a directory of its own, which it locks (see newTempSpill).

// spillBuckets is how many files the workers' events are spilled to; a shard is a run of them.
const spillBuckets = 64

// errSpillRecord marks a spilled record that cannot be read back.
var errSpillRecord = errors.New("spilled record is damaged")

// spill writes the workers' events of a rebuild, or of a replay under a time filter, to its buckets: files,
// or byte slices in memory for a store that fits in a shard.
type spill struct {
	dir    string // "" for buckets in memory
	files  [spillBuckets]spillBucket
	bufs   [spillBuckets]*bufio.Writer
	counts [spillBuckets]uint64 // events per bucket
	sizes  [spillBuckets]int64  // bytes per bucket
	buf    []byte
	lock   *os.File // a replay's lock on its directory (see newTempSpill), nil for a rebuild's
}

// spillBucket is where a bucket's events are written to and read back from.
type spillBucket interface {
	io.Writer
	io.ReaderAt
}

// memBucket is a bucket held in memory.
type memBucket struct{ b []byte }

func (m *memBucket) Write(p []byte) (int, error) {
	m.b = append(m.b, p...)
	return len(p), nil
}

func (m *memBucket) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(m.b)) {
		return 0, io.EOF
	}
	n := copy(p, m.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// spillDir is the directory a rebuild of the model at path spills to.
func spillDir(path string) string { return path + ".spill" }

// newSpill creates the bucket files in dir, removing what a rebuild killed midway left there.
func newSpill(dir string) (*spill, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("remove old spill directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create spill directory %s: %w", dir, err)
	}
	return createSpill(dir)
}

// createSpill creates the bucket files in dir, which exists.
func createSpill(dir string) (*spill, error) {
	s := &spill{dir: dir}
	for i := range s.files {
		f, err := os.Create(s.name(i))
		if err != nil {
			s.remove()
			return nil, fmt.Errorf("create spill file: %w", err)
		}
		s.files[i], s.bufs[i] = f, bufio.NewWriterSize(f, 64<<10)
	}
	return s, nil
}

// newMemSpill is a spill whose buckets are held in memory.
func newMemSpill() *spill {
	s := &spill{}
	for i := range s.files {
		b := &memBucket{}
		s.files[i], s.bufs[i] = b, bufio.NewWriterSize(b, 4<<10)
	}
	return s
}

func (s *spill) name(bucket int) string {
	return filepath.Join(s.dir, fmt.Sprintf("bucket-%02d", bucket))
}

// hashSpace is the range of workerHash.
const hashSpace = 1 << 63

func workerHash(worker string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(worker))
	return h.Sum64() >> 1
}

// bucketOf is the bucket of a worker's events.
func bucketOf(worker string) int { return int(workerHash(worker) / (hashSpace / spillBuckets)) }

// add spills a worker's event.
func (s *spill) add(worker string, rec eventstore.Recorded) error {
	b := bucketOf(worker)
	s.buf = appendSpilled(s.buf[:0], rec)
	if _, err := s.bufs[b].Write(s.buf); err != nil {
		return fmt.Errorf("spill event %s: %w", rec.ID, err)
	}
	s.counts[b]++
	s.sizes[b] += int64(len(s.buf))
	return nil
}

// finish flushes the bucket files; they stay open for reading back.
func (s *spill) finish() error {
	for i, b := range s.bufs {
		if err := b.Flush(); err != nil {
			return fmt.Errorf("spill bucket %d: %w", i, err)
		}
	}
	return nil
}

// remove closes and deletes the bucket files (lets go of the buckets in memory).
func (s *spill) remove() {
	for i, f := range s.files {
		if c, ok := f.(io.Closer); ok {
			c.Close()
		}
		s.files[i] = nil
	}
	if s.dir != "" {
		os.RemoveAll(s.dir) // best effort: the next rebuild, or replay, removes what is left
	}
	if s.lock != nil {
		s.lock.Close() // after the removal, so that no other replay sweeps the directory meanwhile
		s.lock = nil
	}
}

// shards groups the buckets into runs [from, to) of at most limit events each, unless a bucket alone holds
// more; an empty bucket joins the run before it.
func (s *spill) shards(limit uint64) [][2]int {
	var out [][2]int
	from, n := 0, uint64(0)
	for i, c := range s.counts {
		if c > 0 && n > 0 && n+c > limit {
			out = append(out, [2]int{from, i})
			from, n = i, 0
		}
		n += c
	}
	return append(out, [2]int{from, spillBuckets})
}

// events counts the events spilled to the buckets [from, to).
func (s *spill) events(from, to int) uint64 {
	var n uint64
	for _, c := range s.counts[from:to] {
		n += c
	}
	return n
}

// read yields the events of a bucket in the order they were spilled (the store's).
func (s *spill) read(bucket int) iter.Seq2[eventstore.Recorded, error] {
	return func(yield func(eventstore.Recorded, error) bool) {
		r := bufio.NewReaderSize(io.NewSectionReader(s.files[bucket], 0, s.sizes[bucket]), 256<<10)
		var slab recordSlab
		for {
			rec, err := readSpilled(r, &slab)
			if err == io.EOF {
				return
			}
			if err != nil {
				err = fmt.Errorf("read spill bucket %d: %w", bucket, err)
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// appendSpilled appends a record's spilled form to b: its length, then the positions, revision, id, times,
// type, stream, recorder and data (its hash, which a judgement does not read, is left out).
func appendSpilled(b []byte, rec eventstore.Recorded) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0) // the length, filled in below
	b = binary.AppendUvarint(b, rec.Position.Commit)
	b = binary.AppendUvarint(b, rec.Position.Prepare)
	b = binary.AppendUvarint(b, rec.Revision)
	b = append(b, rec.ID[:]...)
	b = appendTime(b, rec.OccurredAt)
	b = appendTime(b, rec.RecordedAt)
	for _, s := range []string{rec.Type, rec.Stream, rec.RecordedBy} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Data)))
	b = append(b, rec.Data...)
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}

// appendTime appends a time as its binary form (which keeps its offset), preceded by that form's length.
func appendTime(b []byte, t time.Time) []byte {
	tb, _ := t.MarshalBinary() // fails only for an offset not in whole minutes, which a store never returns
	b = append(b, byte(len(tb)))
	return append(b, tb...)
}

// readSpilled reads the next spilled record from r (io.EOF at the end), into memory of slab's.
func readSpilled(r *bufio.Reader, slab *recordSlab) (eventstore.Recorded, error) {
	b, err := readRecordIn(r, slab)
	if err != nil {
		return eventstore.Recorded{}, err
	}
	return parseSpilled(b)
}

// recordSlab hands out the memory of the records read back from a spill, many records to an allocation
// rather than one each (10.9 million at 600,000 workers): a shard's events are decoded, then dropped,
// together, so a slab is not kept alive much longer than the records in it.
type recordSlab struct{ free []byte }

// recordSlabBytes is the size of a slab; a record larger than a quarter of it gets memory of its own.
const recordSlabBytes = 64 << 10

// take returns n bytes of the slab (of their own for a nil slab).
func (s *recordSlab) take(n int) []byte {
	if s == nil || n > recordSlabBytes/4 {
		return make([]byte, n)
	}
	if n > len(s.free) {
		s.free = make([]byte, recordSlabBytes)
	}
	b := s.free[:n:n]
	s.free = s.free[n:]
	return b
}

// readRecord reads the next record of a spill or a flag run from r, without its length (io.EOF at the end,
// errSpillRecord for a record cut short).
func readRecord(r *bufio.Reader) ([]byte, error) { return readRecordIn(r, nil) }

// readRecordIn is readRecord into memory of slab's (of its own when slab is nil).
func readRecordIn(r *bufio.Reader, slab *recordSlab) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = errSpillRecord
		}
		return nil, err
	}
	b := slab.take(int(binary.LittleEndian.Uint32(hdr[:])))
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, errSpillRecord
	}
	return b, nil
}

// parseSpilled reads a record from its spilled form (without the length); its data shares b.
func parseSpilled(b []byte) (eventstore.Recorded, error) {
	var rec eventstore.Recorded
	d := spillDecoder{b: b}
	rec.Position.Commit = d.uvarint()
	rec.Position.Prepare = d.uvarint()
	rec.Revision = d.uvarint()
	copy(rec.ID[:], d.bytes(len(domain.EventID{})))
	rec.OccurredAt = d.time()
	rec.RecordedAt = d.time()
	rec.Type, rec.Stream, rec.RecordedBy = d.string(), d.string(), d.string()
	rec.Data = d.bytes(int(d.uvarint()))
	if d.bad || len(d.b) != 0 {
		return eventstore.Recorded{}, errSpillRecord
	}
	return rec, nil
}

// spillDecoder reads the fields of a spilled record; bad is set once one could not be read.
type spillDecoder struct {
	b   []byte
	bad bool
}

func (d *spillDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *spillDecoder) bytes(n int) []byte {
	if n < 0 || n > len(d.b) {
		d.bad = true
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *spillDecoder) time() time.Time {
	var t time.Time
	n := d.bytes(1)
	if d.bad {
		return t
	}
	if err := t.UnmarshalBinary(d.bytes(int(n[0]))); err != nil {
		d.bad = true
	}
	return t
}

func (d *spillDecoder) string() string { return string(d.bytes(int(d.uvarint()))) }
