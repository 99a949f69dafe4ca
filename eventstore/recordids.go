package eventstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"

	"github.com/fairtrail/fairtrail/domain"
)

// An id that a worker's event gives what it records names one record of that worker: a report (report_id, spec
// section 8: a WorkerReportResolved closes the report its report_id names), a fee (fee_id: a FeeReimbursed
// naming it is paid back against it), a reimbursement (reimbursement_id) and a loan (loan_id). Two different
// events under one such id would be two records under one name: a resolution would close both accounts, the
// same reimbursement posted twice without its event_id would count twice against what the worker is owed, and a
// fee or loan posted twice would be charged twice. The ingest refuses, for every writer (`fairtrail import`,
// POST /v1/import, POST /v1/events, the interview sheets), before anything of the input is stored:
//
//   - a WorkerReported, FeePaid, FeeReimbursed or LoanTaken whose (worker_id, id) a stored event of the same
//     type or an earlier event of the input already uses, under another event id (ErrReportIDReused,
//     ErrFeeIDReused, ErrReimbursementIDReused, ErrLoanIDReused, all matching ErrIDReused): a new record takes a
//     new id;
//   - a WorkerReportResolved whose report is neither stored nor earlier in the input (ErrReportNotFound).
//
// An event whose event_id is stored already (a retry, a re-import) is not checked again: it is a duplicate, or
// refused for its event_id (ErrEventIDReused). Only the streams of workers that an input's such events name are
// read, and an import into an empty store reads none.

// Errors of the record-id rule, matched by the field errors it returns (which also match domain.ErrInvalid).
var (
	// ErrIDReused: an id that names one record of a worker is already used for that worker by another event
	// (each of the kinds below matches it).
	ErrIDReused = errors.New("id already used for the worker by another event")
	// ErrReportIDReused: a WorkerReported's report_id is already used for its worker by another event.
	ErrReportIDReused = errors.New("report_id already used for the worker by another event")
	// ErrFeeIDReused: a FeePaid's fee_id is already used for its worker by another event.
	ErrFeeIDReused = errors.New("fee_id already used for the worker by another event")
	// ErrReimbursementIDReused: a FeeReimbursed's reimbursement_id is already used for its worker by another event.
	ErrReimbursementIDReused = errors.New("reimbursement_id already used for the worker by another event")
	// ErrLoanIDReused: a LoanTaken's loan_id is already used for its worker by another event.
	ErrLoanIDReused = errors.New("loan_id already used for the worker by another event")
	// ErrReportNotFound: a WorkerReportResolved names a report its worker does not have.
	ErrReportNotFound = errors.New("report not found")
)

// recordKind is a kind of record a worker's events name by an id.
type recordKind uint8

const (
	kindReport recordKind = iota
	kindFee
	kindReimbursement
	kindLoan
)

// recordKinds is each kind's event type, the field of its id, its refusal and the record's name in a refusal.
var recordKinds = [...]struct {
	typ    string
	field  string
	reused error
	noun   string
}{
	kindReport:        {domain.TypeWorkerReported, "report_id", ErrReportIDReused, "account of the worker"},
	kindFee:           {domain.TypeFeePaid, "fee_id", ErrFeeIDReused, "fee"},
	kindReimbursement: {domain.TypeFeeReimbursed, "reimbursement_id", ErrReimbursementIDReused, "reimbursement"},
	kindLoan:          {domain.TypeLoanTaken, "loan_id", ErrLoanIDReused, "loan"},
}

// record is a record's name: its kind, its worker and its id.
type record struct {
	kind       recordKind
	worker, id string
}

// recordKey is a record's name hashed to 128 bits (two maphash sums under seeds of their own): what the maps of
// an input's records hold. It has no pointer, so that a map of every fee of a large import into an empty store
// neither keeps the input's strings alive nor gives the collector anything to scan. Two names share a key with
// a chance of about n²/2¹²⁹ among n records (1e-25 for ten million).
type recordKey [2]uint64

// recordSeeds are the seeds of recordKey, fixed for the process.
var recordSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// key is the record's recordKey: its kind, then its worker and its id, each length-prefixed.
func (r record) key() recordKey {
	var k recordKey
	var n [8]byte
	for i := range k {
		var h maphash.Hash
		h.SetSeed(recordSeeds[i])
		h.WriteByte(byte(r.kind))
		binary.LittleEndian.PutUint64(n[:], uint64(len(r.worker)))
		h.Write(n[:])
		h.WriteString(r.worker)
		h.WriteString(r.id)
		k[i] = h.Sum64()
	}
	return k
}

// RecordIDs settles the record ids of one input, in input order: what the stored streams and the input's
// earlier events hold of each worker's records.
type RecordIDs struct {
	used   map[recordKey]domain.EventID // the event that first used each id
	stored map[domain.EventID]struct{}  // ids of the stored events of the streams read that name a record
}

// NewRecordIDs starts the record ids of one input.
func NewRecordIDs() *RecordIDs {
	return &RecordIDs{used: map[recordKey]domain.EventID{}, stored: map[domain.EventID]struct{}{}}
}

// recordOf is the record an event names (ok false for events that name none); resolves is true for a
// WorkerReportResolved, which names a report that must exist rather than a new one.
func recordOf(ev domain.Event) (k record, resolves, ok bool) {
	switch e := ev.(type) {
	case *domain.WorkerReported:
		return record{kindReport, e.WorkerID, e.ReportID}, false, true
	case *domain.WorkerReportResolved:
		return record{kindReport, e.WorkerID, e.ReportID}, true, true
	case *domain.FeePaid:
		return record{kindFee, e.WorkerID, e.FeeID}, false, true
	case *domain.FeeReimbursed:
		return record{kindReimbursement, e.WorkerID, e.ReimbursementID}, false, true
	case *domain.LoanTaken:
		return record{kindLoan, e.WorkerID, e.LoanID}, false, true
	}
	return record{}, false, false
}

// Note checks the input's next event ev, whose id is settled (IDs.Note), against the records stored (as far as
// Load read them) and earlier in the input. A refusal is a recordError: a *domain.ValidationError naming the
// id's field that also matches its kind's error (ErrFeeIDReused, ..., ErrReportNotFound).
func (r *RecordIDs) Note(ev domain.Event, id domain.EventID) error {
	k, resolves, ok := recordOf(ev)
	if !ok {
		return nil
	}
	if _, stored := r.stored[id]; stored {
		return nil
	}
	key := k.key()
	first, used := r.used[key]
	kind := recordKinds[k.kind]
	switch {
	case resolves && !used:
		return recordError{ErrReportNotFound, kind.field, fmt.Sprintf("report %s of worker %s not found "+
			"(record its WorkerReported first, or earlier in the same input)", k.id, k.worker)}
	case resolves, used && first == id:
	case used:
		return recordError{kind.reused, kind.field, fmt.Sprintf("already used for worker %s by event %s "+
			"(a new %s takes a new %s)", k.worker, first, kind.noun, kind.field)}
	default:
		r.used[key] = id
	}
	return nil
}

// recordError is the refusal of one event by the record-id rule: a validation error naming data.FIELD, of a
// kind (ErrFeeIDReused, ..., ErrReportNotFound).
type recordError struct {
	kind    error
	field   string
	problem string
}

func (e recordError) Error() string { return "data." + e.field + ": " + e.problem }

// Unwrap gives the field error and the kind (and ErrIDReused for a reused id).
func (e recordError) Unwrap() []error {
	errs := []error{&domain.ValidationError{Fields: []domain.FieldError{{Path: "data." + e.field, Problem: e.problem}}}, e.kind}
	if e.kind != ErrReportNotFound {
		errs = append(errs, ErrIDReused)
	}
	return errs
}

// StoredRecordIDs is what a store holds of some workers' records (ReadRecordIDs), for RecordIDs.Load, and how
// far it read each worker's stream.
type StoredRecordIDs struct {
	used  map[recordKey]domain.EventID
	ids   []domain.EventID
	heads map[string]ExpectedRevision // each stream read: its revision then (NoStream when it had no events)
}

// Load adds what a store holds of some workers' records. An id used by an earlier event of the input, or loaded
// before, keeps its first event.
func (r *RecordIDs) Load(s StoredRecordIDs) {
	for k, id := range s.used {
		if _, used := r.used[k]; !used {
			r.used[k] = id
		}
	}
	for _, id := range s.ids {
		r.stored[id] = struct{}{}
	}
}

// ReusedKind is the kind of a refusal for a reused id (ErrReportIDReused, ErrFeeIDReused, ...).
func ReusedKind(err error) error {
	for _, k := range recordKinds {
		if errors.Is(err, k.reused) {
			return k.reused
		}
	}
	return ErrIDReused
}

// recordWorkers lists, once each, the workers that the events naming a record among n events name (event(i) is
// the i-th).
func recordWorkers(n int, event func(i int) domain.Event) []string {
	var workers []string
	var seen map[string]bool
	for i := range n {
		k, _, ok := recordOf(event(i))
		if !ok || seen[k.worker] {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[k.worker] = true
		workers = append(workers, k.worker)
	}
	return workers
}

// storedRecord is the ids an event naming a record carries in its data, as stored.
type storedRecord struct {
	ReportID        string `json:"report_id"`
	FeeID           string `json:"fee_id"`
	ReimbursementID string `json:"reimbursement_id"`
	LoanID          string `json:"loan_id"`
}

// storedKind is the record a stored event of type typ names (ok false for other types), resolves as in recordOf.
func storedKind(typ string) (kind recordKind, resolves, ok bool) {
	if typ == domain.TypeWorkerReportResolved {
		return kindReport, true, true
	}
	for k, rk := range recordKinds {
		if rk.typ == typ {
			return recordKind(k), false, true
		}
	}
	return 0, false, false
}

// ReadRecordIDs reads the streams of workers from s and returns what they hold of records: each id's first
// event, the ids of the events naming a record, and each stream's revision.
func ReadRecordIDs(ctx context.Context, s Store, workers []string) (StoredRecordIDs, error) {
	out := StoredRecordIDs{used: map[recordKey]domain.EventID{}, heads: make(map[string]ExpectedRevision, len(workers))}
	for _, w := range workers {
		stream := domain.WorkerStream(w)
		head := NoStream()
		for rec, err := range s.ReadStream(ctx, stream, 0) {
			if errors.Is(err, ErrNotFound) {
				break
			}
			if err != nil {
				return out, fmt.Errorf("read %s for its records' ids: %w", stream, err)
			}
			head = Exact(rec.Revision)
			kind, resolves, ok := storedKind(rec.Type)
			if !ok {
				continue
			}
			var d storedRecord
			if err := json.Unmarshal(rec.Data, &d); err != nil {
				return out, fmt.Errorf("read %s at revision %d: %w", stream, rec.Revision, err)
			}
			out.ids = append(out.ids, rec.ID)
			id := [...]string{kindReport: d.ReportID, kindFee: d.FeeID, kindReimbursement: d.ReimbursementID,
				kindLoan: d.LoanID}[kind]
			k := record{kind, w, id}.key()
			if _, used := out.used[k]; !used && !resolves {
				out.used[k] = rec.ID
			}
		}
		out.heads[stream] = head
	}
	return out, nil
}

// RefusedEvents is the error of an input refused before it is stored, naming each refused event by its place
// in the input (the index given to Ingest) with its error (see RecordIDs.Note).
type RefusedEvents struct {
	Events []RefusedEvent
}

// RefusedEvent is one refused event of an input: its index and why.
type RefusedEvent struct {
	At  int
	Err error
}

func (e *RefusedEvents) Error() string {
	return fmt.Sprintf("%d events refused, nothing stored: event %d: %v", len(e.Events), e.Events[0].At, e.Events[0].Err)
}

// Unwrap gives each event's error, so that errors.Is finds their kinds.
func (e *RefusedEvents) Unwrap() []error {
	errs := make([]error, len(e.Events))
	for i, r := range e.Events {
		errs[i] = r.Err
	}
	return errs
}

// CheckRecordIDs applies the record-id rule to one input of admitted events whose ids are settled (Admit,
// IDs.Note), reading the streams of the workers its events naming a record name: nil, or a *RefusedEvents listing
// every event it refuses (At is its index in events); other errors are the store's. It returns the revision of
// each stream it read, for an append that must find them unchanged. Ingest applies it to every request; an
// importer that appends by itself (the interview sheets') calls it before it stores anything, as it calls
// FindClashes.
func CheckRecordIDs(ctx context.Context, s Store, events []Admitted) (map[string]ExpectedRevision, error) {
	workers := recordWorkers(len(events), func(i int) domain.Event { return events[i].Envelope.Event })
	if len(workers) == 0 {
		return nil, nil
	}
	stored, err := ReadRecordIDs(ctx, s, workers)
	if err != nil {
		return nil, err
	}
	r := NewRecordIDs()
	r.Load(stored)
	var refused RefusedEvents
	for i, a := range events {
		if err := r.Note(a.Envelope.Event, a.Event.ID); err != nil {
			refused.Events = append(refused.Events, RefusedEvent{At: i, Err: err})
		}
	}
	if len(refused.Events) > 0 {
		return nil, &refused
	}
	return stored.heads, nil
}
