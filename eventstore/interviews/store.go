package interviews

import (
	"context"
	"errors"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// ErrRecorder: recorded_by is not an organisation registered as an auditor or a worker organisation.
var ErrRecorder = errors.New("not a registered auditor or worker organisation")

// NoteSaver is the note store as an import uses it; *notes.Store implements it.
type NoteSaver interface {
	PutAll(ctx context.Context, entries []notes.Entry) (notes.Saved, error)
	Discard(ctx context.Context, links []notes.Link) error
}

// Report counts the outcome of storing a sheet.
type Report struct {
	Rows       int `json:"rows"`
	Appended   int `json:"appended"`
	Duplicates int `json:"duplicates"`
	// Notes is how many notes were saved (new or already there); NotesErased how many were not, because they
	// had been erased (an erased note is never saved again).
	Notes       int `json:"notes"`
	NotesErased int `json:"notes_erased"`
}

// Check checks the sheet against the store: recorded_by must be registered as an auditor or a worker
// organisation (ErrRecorder), and every row's worker must be in the store (Problems naming the worker cells).
func Check(ctx context.Context, s eventstore.Store, findings []Finding, recordedBy string) error {
	role, err := lastRole(ctx, s, recordedBy)
	if err != nil {
		return err
	}
	if role != domain.RoleAuditor && role != domain.RoleWorkerOrganisation {
		return fmt.Errorf("recorded_by %s: %w", recordedBy, ErrRecorder)
	}
	known := map[string]bool{}
	var probs Problems
	for _, f := range findings {
		w := f.Env.Event.(*domain.WorkerReported).WorkerID
		ok, seen := known[w]
		if !seen {
			if ok, err = streamExists(ctx, s, domain.WorkerStream(w)); err != nil {
				return err
			}
			known[w] = ok
		}
		if !ok {
			probs = append(probs, Problem{Row: f.Row, Column: f.workerColumn, Problem: "worker: no worker " + w +
				" in the store (record the worker's WorkerRecruited first)"})
		}
	}
	if len(probs) > 0 {
		return probs
	}
	return nil
}

// lastRole is the role of an organisation's latest registration, "" for one never registered.
func lastRole(ctx context.Context, s eventstore.Store, org string) (string, error) {
	role := ""
	for rec, err := range s.ReadStream(ctx, "org-"+org, 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("read organisation %s: %w", org, err)
		}
		ev, err := domain.DecodeData(rec.Type, rec.Data)
		if err != nil {
			return "", fmt.Errorf("read organisation %s: %w", org, err)
		}
		if r, ok := ev.(*domain.OrganisationRegistered); ok {
			role = r.Role
		}
	}
	return role, nil
}

func streamExists(ctx context.Context, s eventstore.Store, stream string) (bool, error) {
	for _, err := range s.ReadStream(ctx, stream, 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", stream, err)
		}
		return true, nil
	}
	return false, nil
}

// batchSize is how many events one durable append holds.
const batchSize = 2000

// Store appends the findings' events, recorded_by recordedBy, in durable batches, after saving their notes.
// Events already stored (the same sheet imported again) count as duplicates. Before anything is stored, notes
// included, their ids are looked up in s (eventstore.FindClashes): a finding whose id is stored for a different
// event refuses the whole sheet, with Problems naming its row and event_id, and so does a row the record-id
// rule refuses (eventstore.CheckRecordIDs: a report_id its worker already has), naming its row and report_id.
// If the first append fails, the notes this call added are taken back; after a later batch fails, the stored
// part and its notes stay, and the error says whether importing the sheet again stores the rest
// (eventstore.RetryHint). stored, when set, is given each batch's results.
func Store(ctx context.Context, s eventstore.Store, ns NoteSaver, findings []Finding, recordedBy string,
	stored func(context.Context, []eventstore.AppendResult) error) (Report, error) {
	rep := Report{Rows: len(findings)}
	events, err := admitted(findings, recordedBy)
	if err != nil {
		return rep, err
	}
	if err := refuseClashes(ctx, s, findings, events); err != nil {
		return rep, err
	}
	if err := refuseReports(ctx, s, findings, events); err != nil {
		return rep, err
	}
	added, err := saveNotes(ctx, ns, findings, &rep)
	if err != nil {
		return rep, err
	}
	for start := 0; start < len(events); start += batchSize {
		results, err := s.AppendBatch(ctx, eventstore.Requests(events[start:min(start+batchSize, len(events))]))
		appended, duplicates := eventstore.Counted(results)
		rep.Appended, rep.Duplicates = rep.Appended+appended, rep.Duplicates+duplicates
		if err == nil && stored != nil {
			err = stored(ctx, results)
		}
		if err != nil && start == 0 && rep.Appended == 0 {
			return rep, errors.Join(fmt.Errorf("store findings: nothing stored: %w", err), ns.Discard(context.WithoutCancel(ctx), added))
		}
		if err != nil {
			return rep, fmt.Errorf("store findings: storing stopped after the first %d rows (%s): %w",
				rep.Appended+rep.Duplicates, eventstore.RetryHint(err, "the sheet"), err)
		}
	}
	return rep, nil
}

// refuseClashes is Problems naming each finding whose event id is stored for a different event; nil when none is.
func refuseClashes(ctx context.Context, s eventstore.Store, findings []Finding, events []eventstore.Admitted) error {
	clashes, err := eventstore.FindClashes(ctx, s, events)
	if err != nil {
		return fmt.Errorf("store findings: %w", err)
	}
	if len(clashes) == 0 {
		return nil
	}
	probs := make(Problems, len(clashes))
	for i, c := range clashes {
		probs[i] = Problem{Row: findings[c.At].Row, Problem: "event_id: the id derived from this row is " + c.Problem()}
	}
	return probs
}

// refuseReports is Problems naming each finding the record-id rule refuses (eventstore.CheckRecordIDs: a
// report_id the sheet gives that its worker already has, stored or in an earlier row); nil when none is.
func refuseReports(ctx context.Context, s eventstore.Store, findings []Finding, events []eventstore.Admitted) error {
	_, err := eventstore.CheckRecordIDs(ctx, s, events)
	var refused *eventstore.RefusedEvents
	if !errors.As(err, &refused) {
		if err != nil {
			return fmt.Errorf("store findings: %w", err)
		}
		return nil
	}
	probs := make(Problems, len(refused.Events))
	for i, r := range refused.Events {
		problem := r.Err.Error()
		var ve *domain.ValidationError
		if errors.As(r.Err, &ve) && len(ve.Fields) == 1 {
			problem = colReportID + ": " + ve.Fields[0].Problem
		}
		probs[i] = Problem{Row: findings[r.At].Row, Problem: problem}
	}
	return probs
}

func saveNotes(ctx context.Context, ns NoteSaver, findings []Finding, rep *Report) ([]notes.Link, error) {
	var entries []notes.Entry
	for _, f := range findings {
		if f.Note != "" {
			entries = append(entries, notes.Entry{Worker: f.Env.Event.(*domain.WorkerReported).WorkerID, Text: f.Note})
		}
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if ns == nil {
		return nil, errors.New("store findings: the sheet has notes and no note store was given")
	}
	saved, err := ns.PutAll(ctx, entries)
	if err != nil {
		return nil, fmt.Errorf("store findings' notes: %w", err)
	}
	rep.Notes, rep.NotesErased = len(entries)-len(saved.Erased), len(saved.Erased)
	return saved.Added, nil
}

// admitted makes each finding the event to append, recorded_by recordedBy, in the findings' order.
func admitted(findings []Finding, recordedBy string) ([]eventstore.Admitted, error) {
	events := make([]eventstore.Admitted, len(findings))
	for i, f := range findings {
		var err error
		if events[i], err = eventstore.AdmitEnvelope(f.Env, recordedBy); err != nil {
			return nil, err
		}
	}
	return events, nil
}
