package eventstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// ImportOptions tune Import; the zero value is usable.
type ImportOptions struct {
	// RecordedBy is stored as recorded_by ("import" when empty).
	RecordedBy string
	// BatchSize is how many events each durable append holds (2000 when zero).
	BatchSize int
	// MaxErrors is how many bad lines are described in the report (100 when zero); all are counted.
	MaxErrors int
	// Now and Rand make the ids of events that have none (time.Now and crypto/rand when nil).
	Now  func() time.Time
	Rand io.Reader
	// SpoolDir holds the validated events between the two passes (os.TempDir when empty).
	SpoolDir string
	// Progress, when set, is called as lines are validated and after each durable batch.
	Progress func(ImportProgress)
}

// ImportProgress reports how far an import is.
type ImportProgress struct {
	Phase    string // "validate" or "store"
	Lines    int    // lines validated so far
	Bytes    int64  // bytes read so far
	Stored   int    // events durably stored or found already stored
	Valid    int    // events that passed validation (the total to store)
	Appended int
}

// ImportReport counts the outcome of an import.
type ImportReport struct {
	Lines      int         `json:"lines"`
	Appended   int         `json:"appended"`
	Duplicates int         `json:"duplicates"`
	Rejected   int         `json:"rejected"`
	Errors     []LineError `json:"errors,omitempty"`
}

// LineError is a rejected line with every problem found in it.
type LineError struct {
	Line   int                 `json:"line"`
	Fields []domain.FieldError `json:"fields"`
}

func (e LineError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": " + (&domain.ValidationError{Fields: e.Fields}).Error()
}

// ErrRejected is matched by the error Import returns for input with bad lines.
var ErrRejected = errors.New("input rejected")

// Import reads NDJSON event envelopes (spec section 1) and appends them.
//
// The rule: the whole input is validated first, and if any line is bad nothing from it is stored; the report
// lists the bad lines with their field paths (the error matches ErrRejected and domain.ErrInvalid). A valid
// input is then appended in order, in durable batches; events whose event_id is already stored are counted as
// duplicates and not stored again, so importing the same file twice, or again after an interrupted import, adds
// nothing twice. Events without an event_id get a new UUIDv7, so a file without ids is not idempotent.
func Import(ctx context.Context, s Store, r io.Reader, opts ImportOptions) (ImportReport, error) {
	opts = opts.withDefaults()
	spool, err := os.CreateTemp(opts.SpoolDir, "fairtrail-import-*.spool")
	if err != nil {
		return ImportReport{}, fmt.Errorf("import: create spool: %w", err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	rep, valid, err := validateInto(ctx, r, spool, opts)
	if err != nil {
		return rep, err
	}
	if rep.Rejected > 0 {
		return rep, fmt.Errorf("import: %d of %d lines rejected, nothing stored: %w: %w", rep.Rejected, rep.Lines,
			ErrRejected, domain.ErrInvalid)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return rep, fmt.Errorf("import: rewind spool: %w", err)
	}
	return storeSpool(ctx, s, bufio.NewReaderSize(spool, 1<<20), valid, rep, opts)
}

func (o ImportOptions) withDefaults() ImportOptions {
	if o.RecordedBy == "" {
		o.RecordedBy = "import"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 2000
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = 100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return o
}

// maxLine is the longest NDJSON line accepted.
const maxLine = 4 << 20

// validateInto decodes every line, spooling valid events and collecting the bad lines.
func validateInto(ctx context.Context, r io.Reader, spool io.Writer, opts ImportOptions) (ImportReport, int, error) {
	var rep ImportReport
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	w := bufio.NewWriterSize(spool, 1<<20)
	seen := make(map[domain.EventID]uint64)
	var read int64
	valid := 0
	for sc.Scan() {
		rep.Lines++
		line := sc.Bytes()
		read += int64(len(line)) + 1
		if rep.Lines%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return rep, 0, err
			}
			if opts.Progress != nil {
				opts.Progress(ImportProgress{Phase: "validate", Lines: rep.Lines, Bytes: read})
			}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		p, stream, err := decodeLine(line, opts, seen)
		if err != nil {
			rep.reject(rep.Lines, err, opts.MaxErrors)
			continue
		}
		valid++
		if rep.Rejected == 0 {
			if err := writeSpooled(w, stream, p); err != nil {
				return rep, 0, fmt.Errorf("import: spool: %w", err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			rep.reject(rep.Lines+1, fmt.Errorf("line longer than %d bytes", maxLine), opts.MaxErrors)
			return rep, 0, nil
		}
		return rep, 0, fmt.Errorf("import: read input: %w", err)
	}
	if err := w.Flush(); err != nil {
		return rep, 0, fmt.Errorf("import: spool: %w", err)
	}
	return rep, valid, nil
}

func (rep *ImportReport) reject(line int, err error, max int) {
	rep.Rejected++
	if len(rep.Errors) >= max {
		return
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		rep.Errors = append(rep.Errors, LineError{Line: line, Fields: ve.Fields})
		return
	}
	rep.Errors = append(rep.Errors, LineError{Line: line, Fields: []domain.FieldError{{Path: "", Problem: err.Error()}}})
}

// decodeLine validates one envelope and turns it into an event to append. An event_id seen earlier in the
// same input with different content is an error.
func decodeLine(line []byte, opts ImportOptions, seen map[domain.EventID]uint64) (Proposed, string, error) {
	env, err := domain.Decode(line)
	if err != nil {
		return Proposed{}, "", err
	}
	if env.EventID.IsZero() {
		if env.EventID, err = domain.NewEventID(opts.Now(), opts.Rand); err != nil {
			return Proposed{}, "", fmt.Errorf("make event id: %w", err)
		}
	}
	p, err := ProposedFrom(env, opts.RecordedBy)
	if err != nil {
		return Proposed{}, "", err
	}
	h := fnv.New64a()
	h.Write(p.Canonical())
	sum := h.Sum64()
	if prev, dup := seen[p.ID]; dup && prev != sum {
		return Proposed{}, "", &domain.ValidationError{Fields: []domain.FieldError{{Path: "event_id",
			Problem: "used earlier in this input for a different event"}}}
	}
	seen[p.ID] = sum
	return p, env.Stream(), nil
}

// spooled event: id, occurred_at (unix nanos), then length-prefixed type, stream and data.
func writeSpooled(w *bufio.Writer, stream string, p Proposed) error {
	var b []byte
	b = append(b, p.ID[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.OccurredAt.UnixNano()))
	for _, s := range [][]byte{[]byte(p.Type), []byte(stream), p.Data} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	_, err := w.Write(b)
	return err
}
