package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// WorkerReport is a report made on a worker's own page, as its form gives it: every field a string, checked
// when it is recorded. Free text (Note) never goes into the event: it is kept in the note store and the event
// carries its SHA-256 (spec section 8).
type WorkerReport struct {
	// Kind is one of section 8's kinds (fee_not_recorded, fee_amount_differs, contract_differs, ...).
	Kind string
	// Language is the page's language (ISO 639-1), recorded as the report's language.
	Language string
	// FeeCategory, FeeAmount, FeeCurrency and FeePaidOn describe a fee; all empty when the report names none.
	FeeCategory, FeeAmount, FeeCurrency, FeePaidOn string
	// Term, Promised and Actual describe a contract term, as the worker gave them.
	Term, Promised, Actual string
	// Document is a document the worker says someone holds.
	Document string
	// Note is what else the worker wrote.
	Note string
}

// HasFee tells whether the report names a fee: any of its fee fields given.
func (in WorkerReport) HasFee() bool {
	return in.FeeCategory != "" || in.FeeAmount != "" || in.FeeCurrency != "" || in.FeePaidOn != ""
}

// ErrNoNoteStore is returned for a report with a note when the server keeps no note store.
var ErrNoNoteStore = errors.New("reports with a note need the note store")

// event is the report as a WorkerReported of the worker, through the worker's link, not yet validated.
func (in WorkerReport) event(workerID, reportID string) *domain.WorkerReported {
	e := &domain.WorkerReported{WorkerID: workerID, ReportID: reportID, Kind: in.Kind,
		Channel: domain.ChannelWorkerLink, Language: in.Language}
	if in.HasFee() {
		e.Fee = &domain.ReportedFee{Category: in.FeeCategory, PaidOn: in.FeePaidOn,
			Amount: domain.Money{Amount: domain.Amount(in.FeeAmount), Currency: in.FeeCurrency}}
	}
	if in.Term != "" || in.Promised != "" || in.Actual != "" {
		e.ContractTerm = &domain.ReportedTerm{Term: in.Term, Promised: in.Promised, Actual: in.Actual}
	}
	if in.Document != "" {
		e.Document = &domain.ReportedDocument{Document: in.Document}
	}
	return e
}

// RecordReport records a report made through a worker's access link: a WorkerReported of the link's worker
// with channel worker_link, recorded_by worker, and the note, if any, in the note store (the event carries its
// hash). It returns once the read model shows the report. Errors: ErrUnknownLink, a *domain.ValidationError
// (domain.ErrInvalid) naming the fields at fault, ErrNoNoteStore, and store errors; on any error nothing is
// recorded.
func (r *Reader) RecordReport(ctx context.Context, secret string, in WorkerReport) error {
	if r.s.cfg.Links == nil {
		return ErrUnknownLink
	}
	link, err := r.s.cfg.Links.Open(secret)
	if errors.Is(err, keys.ErrUnknownLink) {
		return ErrUnknownLink
	}
	if err != nil {
		return fmt.Errorf("open a worker link: %w", err)
	}
	reportID, err := newReportID()
	if err != nil {
		return err
	}
	e := in.event(link.WorkerID, reportID)
	if in.Note != "" {
		if err := notes.Validate(in.Note); err != nil {
			return &domain.ValidationError{Fields: []domain.FieldError{{Path: "note", Problem: notes.Problem(err)}}}
		}
		e.NoteSHA256 = notes.Hash(in.Note)
	}
	if err := domain.Validate(e); err != nil {
		return err
	}
	return r.appendReport(ctx, link.WorkerID, e, in.Note)
}

// appendReport saves the note, then appends the event; the note is taken back if the event is not stored.
func (r *Reader) appendReport(ctx context.Context, workerID string, e *domain.WorkerReported, note string) error {
	var added []notes.Link
	if note != "" {
		if r.s.cfg.Notes == nil {
			return ErrNoNoteStore
		}
		saved, err := r.s.cfg.Notes.PutAll(ctx, []notes.Entry{{Worker: workerID, Text: note}})
		if err != nil {
			return fmt.Errorf("save the report's note: %w", err)
		}
		added = saved.Added
	}
	data, err := domain.EncodeData(e)
	if err != nil {
		return fmt.Errorf("encode the report: %w", err)
	}
	now := r.s.now()
	id, err := domain.NewEventID(now, rand.Reader)
	if err != nil {
		return fmt.Errorf("event id: %w", err)
	}
	_, err = r.s.store.Append(ctx, eventstore.AppendRequest{Stream: e.Stream(), Expected: eventstore.Any(),
		Events: []eventstore.Proposed{{ID: id, Type: e.EventType(), OccurredAt: now.UTC(), Data: data,
			RecordedBy: domain.RecordedByWorker}}})
	if err != nil {
		if len(added) > 0 {
			if derr := r.s.cfg.Notes.Discard(context.WithoutCancel(ctx), added); derr != nil {
				r.s.log.Error("take back the note of a report not stored", "worker_id", workerID, "err", derr)
			}
		}
		return fmt.Errorf("append the report of worker %s: %w", workerID, err)
	}
	r.s.settle(ctx)
	r.s.log.Info("worker report recorded", "worker_id", workerID, "report_id", e.ReportID, "kind", e.Kind,
		"channel", e.Channel)
	return nil
}

// newReportID is a report's id: "wr-" and 8 random bytes in hex.
func newReportID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("report id: %w", err)
	}
	return "wr-" + hex.EncodeToString(b), nil
}
