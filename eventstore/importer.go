package eventstore

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// ImportOptions tune Import; the zero value is usable.
type ImportOptions struct {
	// RecordedBy is stored as recorded_by ("import" when empty): an organisation id, "worker", or an interview's
	// "interview:<auditor org>" (domain.CheckRecordedBy; anything else is refused).
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
	// Workers is how many goroutines decode and validate lines (GOMAXPROCS when zero).
	Workers int
	// Stored, when set, is given the results of each durable batch, in order (e.g. to write receipts); its
	// error stops the import.
	Stored func(ctx context.Context, results []AppendResult) error
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
	// Reused counts the rejected lines whose event_id is stored for a different event (ErrEventIDReused),
	// so that a front end can answer an input refused for that alone as a clash, not as bad input.
	Reused int `json:"-"`
	// IDsReused counts the rejected lines whose record's id (report_id, fee_id, reimbursement_id, loan_id) is
	// already used for their worker (ErrIDReused), for the same purpose; IDReused is the kind of the first
	// (ErrReportIDReused, ErrFeeIDReused, ...).
	IDsReused int   `json:"-"`
	IDReused  error `json:"-"`
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
// lists the bad lines with their field paths (the error matches ErrRejected and domain.ErrInvalid). A line whose
// event_id is already stored for a different event (Reused) is such a bad line, found by looking the ids up in
// a store that is a Finder; ids stored by others while the import validates, or in a store that is not a
// Finder, are met only as the events are appended, which then stops with ErrEventIDReused after the batches
// before it (stored). A line that breaks the record-id rule (RecordIDs) is a bad line too: a WorkerReported,
// FeePaid, FeeReimbursed or LoanTaken whose id its worker already uses, stored or earlier in the input, under
// another event; a WorkerReportResolved of a report neither stored nor earlier in the input (only the streams of
// the workers that such lines name are read, and none when the store is empty). A valid input is then appended
// in order, in durable batches; events whose event_id is already stored for the same event are counted as
// duplicates and not stored again, so importing the same file twice, or again after an interrupted import, adds
// nothing twice. Events without an event_id get a new UUIDv7, so a file without ids is not idempotent.
func Import(ctx context.Context, s Store, r io.Reader, opts ImportOptions) (ImportReport, error) {
	opts = opts.withDefaults()
	if err := domain.CheckRecordedBy(opts.RecordedBy); err != nil {
		return ImportReport{}, fmt.Errorf("import: %w", err)
	}
	spool, err := os.CreateTemp(opts.SpoolDir, "fairtrail-import-*.spool")
	if err != nil {
		return ImportReport{}, fmt.Errorf("import: create spool: %w", err)
	}
	// The spool is unlinked at once: the open file is all the import uses, and an import killed midway (SIGKILL,
	// a crash) leaves no copy of its input behind. Where an open file cannot be removed, it is removed at the end.
	unlinked := os.Remove(spool.Name()) == nil
	defer func() {
		spool.Close()
		if !unlinked {
			os.Remove(spool.Name())
		}
	}()
	stored, err := lookupsFor(ctx, s)
	if err != nil {
		return ImportReport{}, err
	}
	rep, valid, err := validateInto(ctx, r, spool, stored, opts)
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
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

func (rep *ImportReport) reject(line int, err error, max int) {
	rep.Rejected++
	if errors.Is(err, ErrEventIDReused) {
		rep.Reused++
	}
	if errors.Is(err, ErrIDReused) {
		if rep.IDsReused++; rep.IDReused == nil {
			rep.IDReused = ReusedKind(err)
		}
	}
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

// spooled event: id, occurred_at (unix nanos), then length-prefixed type, stream and data.
func writeSpooled(w *bufio.Writer, stream string, p Proposed) error {
	b := w.AvailableBuffer() // encoded in place when it fits, so Write copies nothing
	b = append(b, p.ID[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.OccurredAt.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(p.Type)))
	b = append(b, p.Type...)
	b = binary.AppendUvarint(b, uint64(len(stream)))
	b = append(b, stream...)
	b = binary.AppendUvarint(b, uint64(len(p.Data)))
	b = append(b, p.Data...)
	_, err := w.Write(b)
	return err
}
