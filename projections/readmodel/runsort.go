package readmodel

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
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
const defaultSortRunBytes = 64 << 20

// sortPlan is where a rebuild's sorts write their runs, and how many bytes of rows each holds before it
// writes one. The zero value is a catch-up's: nothing sorted.
type sortPlan struct {
	dir      string
	runBytes int
}

// errSortRecord marks a row of a sort's run that cannot be read back.
var errSortRecord = errors.New("sorted row is damaged")

// sortedRows holds rows, each a key and a record, and gives them back in key order (bytes.Compare), rows of
// equal keys in any order.
type sortedRows struct {
	dir   string // where runs are written
	name  string // the runs' file names begin with it
	limit int
	buf   []byte // the rows held: each its key then its record
	spans []rowSpan
	runs  []string
}

// rowSpan is where a held row's key and record are in buf (which a run's limit keeps under 4 GiB).
type rowSpan struct{ start, keyEnd, end uint32 }

// newSortedRows returns an empty sortedRows whose runs are files named name-N in dir.
func newSortedRows(dir, name string, limit int) *sortedRows {
	return &sortedRows{dir: dir, name: name, limit: limit}
}

// add holds a row (key and rec are copied), writing the rows held to a run once they pass the limit.
func (s *sortedRows) add(key, rec []byte) error {
	if need := len(s.buf) + len(key) + len(rec); need > cap(s.buf) {
		// Grown by doubling up to the limit and a little room for the row that passes it, not beyond.
		grown := make([]byte, len(s.buf), max(need, min(2*cap(s.buf)+4096, s.limit+s.limit/16)))
		copy(grown, s.buf)
		s.buf = grown
	}
	start := len(s.buf)
	s.buf = append(append(s.buf, key...), rec...)
	s.spans = append(s.spans, rowSpan{uint32(start), uint32(start + len(key)), uint32(len(s.buf))})
	if len(s.buf) < s.limit {
		return nil
	}
	return s.writeRun()
}

// sortHeld sorts the rows held by key.
func (s *sortedRows) sortHeld() {
	slices.SortFunc(s.spans, func(a, b rowSpan) int {
		return bytes.Compare(s.buf[a.start:a.keyEnd], s.buf[b.start:b.keyEnd])
	})
}

// writeRun writes the rows held, sorted, to a new run and forgets them.
func (s *sortedRows) writeRun() error {
	s.sortHeld()
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return fmt.Errorf("create sort directory %s: %w", s.dir, err)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("%s-%d", s.name, len(s.runs)))
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create sort run: %w", err)
	}
	s.runs = append(s.runs, path)
	bw := bufio.NewWriterSize(f, 1<<20)
	var head []byte
	for _, sp := range s.spans {
		head = binary.AppendUvarint(head[:0], uint64(sp.keyEnd-sp.start))
		head = binary.AppendUvarint(head, uint64(sp.end-sp.keyEnd))
		bw.Write(head)
		bw.Write(s.buf[sp.start:sp.end]) // a write's error stays in bw, which Flush reports
	}
	err = bw.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write sort run %s: %w", path, err)
	}
	s.buf, s.spans = s.buf[:0], s.spans[:0]
	return nil
}

// each calls fn with every row in key order; the slices are valid only during the call. The rows held are
// sorted in memory when no run was written, else written to a run and merged with the others.
func (s *sortedRows) each(fn func(key, rec []byte) error) error {
	if len(s.runs) == 0 {
		s.sortHeld()
		for _, sp := range s.spans {
			if err := fn(s.buf[sp.start:sp.keyEnd], s.buf[sp.keyEnd:sp.end]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(s.spans) > 0 {
		if err := s.writeRun(); err != nil {
			return err
		}
	}
	s.buf, s.spans = nil, nil
	return s.merge(fn)
}

// merge calls fn with the rows of every run in key order (rows of equal keys in no order that matters: a
// table's rows have keys of their own).
func (s *sortedRows) merge(fn func(key, rec []byte) error) error {
	var h runHeap
	defer func() {
		for _, r := range h.all {
			r.f.Close()
		}
	}()
	for i, path := range s.runs {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open sort run: %w", err)
		}
		r := &runReader{f: f, r: bufio.NewReaderSize(f, 64<<10), order: i}
		h.all = append(h.all, r)
		if ok, err := r.next(); err != nil {
			return fmt.Errorf("read sort run %s: %w", path, err)
		} else if ok {
			h.open = append(h.open, r)
		}
	}
	heap.Init(&h)
	for len(h.open) > 0 {
		r := h.open[0]
		if err := fn(r.key, r.rec); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return fmt.Errorf("read sort run %d: %w", r.order, err)
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}

// remove deletes the runs.
func (s *sortedRows) remove() {
	for _, path := range s.runs {
		os.Remove(path)
	}
	s.runs = nil
}

// runReader reads a run back a row at a time.
type runReader struct {
	f        *os.File
	r        *bufio.Reader
	order    int
	row      []byte
	key, rec []byte
}

// next reads the run's next row into key and rec; false at the run's end.
func (rr *runReader) next() (bool, error) {
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

// runHeap orders the runs being merged by their current row's key.
type runHeap struct {
	open []*runReader // the runs not yet read to their end, a heap
	all  []*runReader // every run, to close
}

func (h *runHeap) Len() int { return len(h.open) }
func (h *runHeap) Less(i, j int) bool {
	a, b := h.open[i], h.open[j]
	return cmp.Or(bytes.Compare(a.key, b.key), cmp.Compare(a.order, b.order)) < 0
}
func (h *runHeap) Swap(i, j int) { h.open[i], h.open[j] = h.open[j], h.open[i] }
func (h *runHeap) Push(x any)    { h.open = append(h.open, x.(*runReader)) }
func (h *runHeap) Pop() any {
	r := h.open[len(h.open)-1]
	h.open = h.open[:len(h.open)-1]
	return r
}
