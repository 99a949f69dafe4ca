package eventstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/fairtrail/fairtrail/domain"
)

// maxLine is the longest NDJSON line accepted.
const maxLine = 4 << 20

// chunkLines is how many lines a validation worker takes at a time.
const chunkLines = 256

// chunk is a run of consecutive input lines and, once validated, their outcomes.
type chunk struct {
	seq     int
	first   int // line number of lines[0]
	bytes   int64
	lines   [][]byte
	results []lineResult
	records StoredRecordIDs // what the store holds of the records of the workers its events name (RecordIDs)
	err     error           // a failed look-up in the store
}

// lineResult is a validated line: an event to spool, a blank line, or an error.
type lineResult struct {
	a      Admitted
	blank  bool
	stored bool // its event is stored already, under its id (a duplicate: the record-id rule does not read it again)
	err    error
}

// validateInto decodes every line on opts.Workers goroutines and, in input order, spools the valid events and
// collects the bad lines. An event_id used twice in the input for different events is a bad line, and so is one
// that stored names a different event, and an event that breaks the record-id rule (RecordIDs; looked up in stored,
// when not nil, and in the input).
func validateInto(parent context.Context, r io.Reader, spool io.Writer, stored *lookups, opts ImportOptions) (ImportReport, int, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	todo := make(chan *chunk, opts.Workers*2)
	done := make(chan *chunk, opts.Workers*2)
	readErr := make(chan error, 1)
	go func() { readErr <- readChunks(ctx, r, todo) }()
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() {
			for c := range todo {
				validateChunk(ctx, c, stored)
				select {
				case done <- c:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	rep, valid, err := collect(ctx, done, spool, opts)
	cancel()
	for range done { // let the workers finish before returning
	}
	if rerr := <-readErr; err == nil && rerr != nil {
		if errors.Is(rerr, bufio.ErrTooLong) {
			rep.reject(rep.Lines+1, fmt.Errorf("line longer than %d bytes", maxLine), opts.MaxErrors)
			return rep, 0, nil
		}
		if !errors.Is(rerr, context.Canceled) {
			err = fmt.Errorf("import: read input: %w", rerr)
		}
	}
	if err == nil {
		err = parent.Err()
	}
	return rep, valid, err
}

// readChunks splits the input into chunks of lines, closing todo at the end.
func readChunks(ctx context.Context, r io.Reader, todo chan<- *chunk) error {
	defer close(todo)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	c := &chunk{first: 1}
	line := 0
	send := func() bool {
		select {
		case todo <- c:
		case <-ctx.Done():
			return false
		}
		c = &chunk{seq: c.seq + 1, first: line + 1}
		return true
	}
	for sc.Scan() {
		line++
		c.lines = append(c.lines, bytes.Clone(sc.Bytes()))
		c.bytes += int64(len(sc.Bytes())) + 1
		if len(c.lines) == chunkLines && !send() {
			return ctx.Err()
		}
	}
	if len(c.lines) > 0 && !send() {
		return ctx.Err()
	}
	return sc.Err()
}

func validateChunk(ctx context.Context, c *chunk, stored *lookups) {
	c.results = make([]lineResult, len(c.lines))
	for i, line := range c.lines {
		c.results[i] = validateLine(line)
	}
	c.lines = nil
	if stored != nil {
		c.err = stored.check(ctx, c)
	}
}

func validateLine(line []byte) lineResult {
	if len(bytes.TrimSpace(line)) == 0 {
		return lineResult{blank: true}
	}
	a, err := Admit(line)
	return lineResult{a: a, err: err}
}

// collect takes validated chunks back into input order and spools or rejects each line.
func collect(ctx context.Context, done <-chan *chunk, spool io.Writer, opts ImportOptions) (ImportReport, int, error) {
	var rep ImportReport
	w := bufio.NewWriterSize(spool, 1<<20)
	ids := NewIDs(func() (domain.EventID, error) { return domain.NewEventID(opts.Now(), opts.Rand) },
		func(line int) string { return "line " + strconv.Itoa(line) })
	records := NewRecordIDs()
	pending := map[int]*chunk{}
	next, valid := 0, 0
	var read int64
	for c := range done {
		if c.err != nil {
			return rep, 0, fmt.Errorf("import: %w", c.err)
		}
		pending[c.seq] = c
		for c := pending[next]; c != nil; c = pending[next] {
			delete(pending, next)
			next++
			records.Load(c.records)
			for i, res := range c.results {
				rep.Lines++
				if res.blank {
					continue
				}
				if err := accept(&res, ids, records, c.first+i, opts.RecordedBy); err != nil {
					rep.reject(c.first+i, err, opts.MaxErrors)
					continue
				}
				valid++
				if rep.Rejected == 0 {
					if err := writeSpooled(w, res.a.Stream, res.a.Event); err != nil {
						return rep, 0, fmt.Errorf("import: spool: %w", err)
					}
				}
			}
			read += c.bytes
			if opts.Progress != nil {
				opts.Progress(ImportProgress{Phase: "validate", Lines: rep.Lines, Bytes: read})
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return rep, 0, fmt.Errorf("import: spool: %w", err)
	}
	return rep, valid, nil
}

// accept checks that the import's recorder may record the line's event, settles its id (IDs.Note: an id used
// earlier in the input for a different event is a bad line), then, unless the event is stored already, the id
// of the record it names (RecordIDs.Note).
func accept(res *lineResult, ids *IDs, records *RecordIDs, line int, recordedBy string) error {
	if res.err != nil {
		return res.err
	}
	if err := domain.CheckRecorder(res.a.Envelope.Event, recordedBy); err != nil {
		return err
	}
	if err := ids.Note(&res.a, line); err != nil {
		return err
	}
	ev := res.a.Envelope.Event
	res.a.Envelope = domain.Envelope{} // the decoded event is not needed past here
	if res.stored {
		return nil
	}
	return records.Note(ev, res.a.Event.ID)
}
