package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// A worker's report_id names one report (spec section 8): a WorkerReportResolved closes the report its report_id
// names, so two different WorkerReported under one (worker_id, report_id) would both be closed by one resolution,
// and a resolution of a report the worker does not have closes nothing. The ingest refuses both, for every
// writer (`fairtrail import`, POST /v1/import, POST /v1/events), before anything of the input is stored:
//
//   - a WorkerReported whose (worker_id, report_id) a stored WorkerReported or an earlier event of the input
//     already uses, under another event id, is refused (ErrReportIDReused): a new account takes a new report_id;
//   - a WorkerReportResolved whose report is neither stored nor earlier in the input is refused
//     (ErrReportNotFound).
//
// An event whose event_id is stored already (a retry, a re-import) is not checked again: it is a duplicate, or
// refused for its event_id (ErrEventIDReused). Only the streams of workers that an input's report events name
// are read, and an import into an empty store reads none.

// Errors of the report rule, matched by the field errors it returns (which also match domain.ErrInvalid).
var (
	// ErrReportIDReused: a WorkerReported's report_id is already used for its worker by another event.
	ErrReportIDReused = errors.New("report_id already used for the worker by another event")
	// ErrReportNotFound: a WorkerReportResolved names a report its worker does not have.
	ErrReportNotFound = errors.New("report not found")
)

// reportKey is a report's name: its worker and report_id.
type reportKey struct{ worker, report string }

// Reports settles the report_ids of one input, in input order: what the stored streams and the input's earlier
// events hold of each worker's reports.
type Reports struct {
	used   map[reportKey]domain.EventID // the WorkerReported that first used each report_id
	stored map[domain.EventID]bool      // ids of the stored report events of the streams read
}

// NewReports starts the report_ids of one input.
func NewReports() *Reports {
	return &Reports{used: map[reportKey]domain.EventID{}, stored: map[domain.EventID]bool{}}
}

// reportOf is the report a WorkerReported or WorkerReportResolved names (ok false for other events).
func reportOf(ev domain.Event) (k reportKey, resolves, ok bool) {
	switch e := ev.(type) {
	case *domain.WorkerReported:
		return reportKey{e.WorkerID, e.ReportID}, false, true
	case *domain.WorkerReportResolved:
		return reportKey{e.WorkerID, e.ReportID}, true, true
	}
	return reportKey{}, false, false
}

// Note checks the input's next event ev, whose id is settled (IDs.Note), against the reports stored (as far as
// Load read them) and earlier in the input. A refusal is a reportError: a *domain.ValidationError naming
// data.report_id that also matches ErrReportIDReused or ErrReportNotFound.
func (r *Reports) Note(ev domain.Event, id domain.EventID) error {
	k, resolves, ok := reportOf(ev)
	if !ok || r.stored[id] {
		return nil
	}
	first, used := r.used[k]
	switch {
	case resolves && !used:
		return reportError{ErrReportNotFound, fmt.Sprintf("report %s of worker %s not found "+
			"(record its WorkerReported first, or earlier in the same input)", k.report, k.worker)}
	case resolves, used && first == id:
	case used:
		return reportError{ErrReportIDReused, fmt.Sprintf("already used for worker %s by event %s "+
			"(a new account of the worker takes a new report_id)", k.worker, first)}
	default:
		r.used[k] = id
	}
	return nil
}

// reportError is the refusal of one event by the report rule: a validation error naming data.report_id, of a
// kind (ErrReportIDReused, ErrReportNotFound).
type reportError struct {
	kind    error
	problem string
}

func (e reportError) Error() string { return "data.report_id: " + e.problem }

// Unwrap gives the field error and the kind.
func (e reportError) Unwrap() []error {
	return []error{&domain.ValidationError{Fields: []domain.FieldError{{Path: "data.report_id", Problem: e.problem}}}, e.kind}
}

// StoredReports is what a store holds of some workers' reports (ReadReports), for Reports.Load.
type StoredReports struct {
	used map[reportKey]domain.EventID
	ids  []domain.EventID
}

// Load adds what a store holds of some workers' reports. A report_id used by an earlier event of the input, or
// loaded before, keeps its first event.
func (r *Reports) Load(s StoredReports) {
	for k, id := range s.used {
		if _, used := r.used[k]; !used {
			r.used[k] = id
		}
	}
	for _, id := range s.ids {
		r.stored[id] = true
	}
}

// reportWorkers lists, once each, the workers that the report events among n events name (event(i) is the i-th).
func reportWorkers(n int, event func(i int) domain.Event) []string {
	var workers []string
	var seen map[string]bool
	for i := range n {
		k, _, ok := reportOf(event(i))
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

// ReadReports reads the streams of workers from s and returns what they hold of reports: each report_id's first
// WorkerReported, and the ids of the report events.
func ReadReports(ctx context.Context, s Store, workers []string) (StoredReports, error) {
	out := StoredReports{used: map[reportKey]domain.EventID{}}
	for _, w := range workers {
		stream := domain.WorkerStream(w)
		for rec, err := range s.ReadStream(ctx, stream, 0) {
			if errors.Is(err, ErrNotFound) {
				break
			}
			if err != nil {
				return out, fmt.Errorf("read %s for its reports: %w", stream, err)
			}
			if rec.Type != domain.TypeWorkerReported && rec.Type != domain.TypeWorkerReportResolved {
				continue
			}
			var d struct {
				ReportID string `json:"report_id"`
			}
			if err := json.Unmarshal(rec.Data, &d); err != nil {
				return out, fmt.Errorf("read %s at revision %d: %w", stream, rec.Revision, err)
			}
			out.ids = append(out.ids, rec.ID)
			k := reportKey{w, d.ReportID}
			if _, used := out.used[k]; !used && rec.Type == domain.TypeWorkerReported {
				out.used[k] = rec.ID
			}
		}
	}
	return out, nil
}

// RefusedEvents is the error of an input refused before it is stored, naming each refused event by its place
// in the input (the index given to Ingest) with its error (see Reports.Note).
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

// CheckReports applies the report rule to one input of admitted events whose ids are settled (Admit, IDs.Note),
// reading the streams of the workers its report events name: nil, or a *RefusedEvents listing every event it
// refuses (At is its index in events); other errors are the store's. Ingest applies it to every request; an
// importer that appends by itself (the interview sheets') calls it before it stores anything, as it calls
// FindClashes.
func CheckReports(ctx context.Context, s Store, events []Admitted) error {
	workers := reportWorkers(len(events), func(i int) domain.Event { return events[i].Envelope.Event })
	if len(workers) == 0 {
		return nil
	}
	stored, err := ReadReports(ctx, s, workers)
	if err != nil {
		return err
	}
	r := NewReports()
	r.Load(stored)
	var refused RefusedEvents
	for i, a := range events {
		if err := r.Note(a.Envelope.Event, a.Event.ID); err != nil {
			refused.Events = append(refused.Events, RefusedEvent{At: i, Err: err})
		}
	}
	if len(refused.Events) > 0 {
		return &refused
	}
	return nil
}
