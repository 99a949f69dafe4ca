package readmodel

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// A rebuild writes the flags and their scope rows in their tables' key order, straight into the clustered
// tables: it holds them in a sortedRows, which sorts them in runs of bounded size spilled to files beside the
// model, and merges the runs as it writes. Loaded into a table as judged (by owner) and sorted by SQLite at
// the end, every flag was written three times more (the loading table, the sorter's runs, the sort's merge)
// and read back as often; inserted at once into the clustered table, each would go to a random place in a
// tree that outgrows the page cache.

// defaultSortRunBytes is how many bytes of rows a sortedRows holds before it writes them to a run, unless
// Options.SortRunBytes says otherwise (at most 4 GiB: rowSpan's offsets).
const defaultSortRunBytes = 16 << 20

// sortPlan is where a rebuild's sorts write their runs, and how many bytes of rows each holds before it
// writes one. The zero value is a catch-up's: nothing sorted.
type sortPlan struct {
	dir      string
	runBytes int
}

// errSortRecord marks a row of a sort's run that cannot be read back.
var errSortRecord = errors.New("sorted row is damaged")

// sortedRows holds rows, each a key and a record, and gives them back in key order (bytes.Compare), rows of
// equal keys in any order. Once the rows held pass its limit, they are sorted and written to a run on a
// goroutine of their own while the next rows are held: a sortedRows holds up to twice its limit.
type sortedRows struct {
	dir     string // where runs are written
	name    string // the runs' file names begin with it
	limit   int
	held    heldRows
	spare   heldRows   // the rows of the run written last, whose memory the next run reuses
	writing chan error // the run being written reports its end here; nil when none is
	runs    []string
}

// heldRows are rows held in memory: each its key then its record in buf, and where they are in spans.
type heldRows struct {
	buf   []byte
	spans []rowSpan
}

// rowSpan is where a held row's key and record are in buf (which a run's limit keeps under 4 GiB), with the
// key's first 16 bytes (zero-padded) as two numbers, which order most keys without reading buf.
type rowSpan struct {
	pre                uint64
	pre2               uint64
	start, keyEnd, end uint32
}

// spanBytes is what a rowSpan holds in memory, which counts towards a run's limit.
const spanBytes = 32

// newSortedRows returns an empty sortedRows whose runs are files named name-N in dir.
func newSortedRows(dir, name string, limit int) *sortedRows {
	return &sortedRows{dir: dir, name: name, limit: limit}
}

// add holds a row (key and rec are copied), starting a run once the rows held pass the limit.
func (s *sortedRows) add(key, rec []byte) error {
	h := &s.held
	if need := len(h.buf) + len(key) + len(rec); need > cap(h.buf) {
		// Grown by doubling up to the limit and a little room for the row that passes it, not beyond.
		grown := make([]byte, len(h.buf), max(need, min(2*cap(h.buf)+4096, s.limit+s.limit/16)))
		copy(grown, h.buf)
		h.buf = grown
	}
	start := len(h.buf)
	h.buf = append(append(h.buf, key...), rec...)
	var pre [16]byte
	copy(pre[:], key)
	h.spans = append(h.spans, rowSpan{binary.BigEndian.Uint64(pre[:8]), binary.BigEndian.Uint64(pre[8:]),
		uint32(start), uint32(start + len(key)), uint32(len(h.buf))})
	if len(h.buf)+spanBytes*len(h.spans) < s.limit {
		return nil
	}
	return s.startRun()
}

// startRun hands the rows held to a goroutine that sorts them and writes them to a new run, once the run
// before it is written, and holds the next rows in the memory that run's rows took.
func (s *sortedRows) startRun() error {
	if err := s.wait(); err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return fmt.Errorf("create sort directory %s: %w", s.dir, err)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("%s-%d", s.name, len(s.runs)))
	s.runs = append(s.runs, path)
	rows := s.held
	s.held, s.spare = heldRows{buf: s.spare.buf[:0], spans: s.spare.spans[:0]}, rows
	s.writing = make(chan error, 1)
	go func(done chan<- error) {
		rows.sort()
		done <- rows.write(path)
	}(s.writing)
	return nil
}

// wait waits until the run being written, if any, is.
func (s *sortedRows) wait() error {
	if s.writing == nil {
		return nil
	}
	err := <-s.writing
	s.writing = nil
	return err
}

// sort sorts the rows by key: by the keys' first bytes, then (only when they are equal) the whole keys.
// Zero-padded, the first bytes order two keys as the keys do whenever they differ. (Not cmp.Or, which would
// compare the whole keys every time: its arguments are all evaluated.)
func (h heldRows) sort() {
	slices.SortFunc(h.spans, func(a, b rowSpan) int {
		if a.pre != b.pre {
			return cmp.Compare(a.pre, b.pre)
		}
		if a.pre2 != b.pre2 {
			return cmp.Compare(a.pre2, b.pre2)
		}
		return bytes.Compare(h.buf[a.start:a.keyEnd], h.buf[b.start:b.keyEnd])
	})
}

// write writes the rows, in their order, to a new run file at path.
func (h heldRows) write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create sort run: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var head []byte
	for _, sp := range h.spans {
		head = binary.AppendUvarint(head[:0], uint64(sp.keyEnd-sp.start))
		head = binary.AppendUvarint(head, uint64(sp.end-sp.keyEnd))
		bw.Write(head)
		bw.Write(h.buf[sp.start:sp.end]) // a write's error stays in bw, which Flush reports
	}
	err = bw.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write sort run %s: %w", path, err)
	}
	return nil
}

// each calls fn with every row in key order; the slices are valid only during the call. The rows held are
// sorted in memory when no run was written, else written to a run and merged with the others.
func (s *sortedRows) each(fn func(key, rec []byte) error) error {
	if len(s.runs) == 0 {
		h := s.held
		h.sort()
		for _, sp := range h.spans {
			if err := fn(h.buf[sp.start:sp.keyEnd], h.buf[sp.keyEnd:sp.end]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(s.held.spans) > 0 {
		if err := s.startRun(); err != nil {
			return err
		}
	}
	if err := s.wait(); err != nil {
		return err
	}
	s.held, s.spare = heldRows{}, heldRows{}
	return s.merge(fn)
}

// merge calls fn with the rows of every run in key order (rows of equal keys in no order that matters: a
// table's rows have keys of their own).
func (s *sortedRows) merge(fn func(key, rec []byte) error) error {
	var all, open []*sortRunReader // every run, to close; those not read to their end
	defer func() {
		for _, r := range all {
			r.f.Close()
		}
	}()
	for i, path := range s.runs {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open sort run: %w", err)
		}
		r := &sortRunReader{f: f, r: bufio.NewReaderSize(f, 64<<10), order: i}
		all = append(all, r)
		if ok, err := r.next(); err != nil {
			return fmt.Errorf("read sort run %s: %w", path, err)
		} else if ok {
			open = append(open, r)
		}
	}
	h := newMergeHeap(open, func(a, b *sortRunReader) bool {
		return cmp.Or(bytes.Compare(a.key, b.key), cmp.Compare(a.order, b.order)) < 0
	})
	for h.Len() > 0 {
		r := h.head()
		if err := fn(r.key, r.rec); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return fmt.Errorf("read sort run %d: %w", r.order, err)
		}
		h.advance(ok)
	}
	return nil
}

// remove deletes the runs, once the one being written, if any, is.
func (s *sortedRows) remove() {
	s.wait()
	for _, path := range s.runs {
		os.Remove(path)
	}
	s.runs = nil
}

// sortRunReader reads a run back a row at a time.
type sortRunReader struct {
	f        *os.File
	r        *bufio.Reader
	order    int
	row      []byte
	key, rec []byte
}

// next reads the run's next row into key and rec; false at the run's end.
func (rr *sortRunReader) next() (bool, error) {
	kn, err := binary.ReadUvarint(rr.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rn, err := binary.ReadUvarint(rr.r)
	if err != nil || kn+rn > 1<<30 {
		return false, fmt.Errorf("%w: row header", errSortRecord)
	}
	n := int(kn + rn)
	if cap(rr.row) < n {
		rr.row = make([]byte, n)
	}
	rr.row = rr.row[:n]
	if _, err := io.ReadFull(rr.r, rr.row); err != nil {
		return false, fmt.Errorf("%w: %w", errSortRecord, err)
	}
	rr.key, rr.rec = rr.row[:kn], rr.row[kn:]
	return true, nil
}
