package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// ErrUnknownLink is what every failed opening of a worker's access link returns: a secret that is malformed,
// unknown, revoked or expired, and a link whose worker has no record. They are not told apart.
var ErrUnknownLink = keys.ErrUnknownLink

// OwnRecord is what a worker's access link opens: that worker's own record and nothing about anyone else.
type OwnRecord struct {
	// LinkID is the link's public id, to log; WorkerID is the worker it opens.
	LinkID, WorkerID string
	// Report is the worker's report with its timeline (View.History).
	Report *projections.WorkerReport
	// Promised is the job order's terms as they stand (nil when the worker has no job order).
	Promised *domain.Terms
	// Receipts are the receipts of the worker's events by event id (none when the store keeps no log).
	Receipts map[string]Receipt
}

// Own opens a worker's access link and returns the worker's own record, judged now. Errors: ErrUnknownLink
// for any link that does not open, and read errors (ErrUnavailable and internal ones).
func (r *Reader) Own(ctx context.Context, secret string) (*OwnRecord, error) {
	if r.s.cfg.Links == nil {
		return nil, ErrUnknownLink
	}
	link, err := r.s.cfg.Links.Open(secret)
	if err != nil {
		if errors.Is(err, keys.ErrUnknownLink) {
			return nil, ErrUnknownLink
		}
		return nil, fmt.Errorf("open a worker link: %w", err)
	}
	out := &OwnRecord{LinkID: link.ID, WorkerID: link.WorkerID}
	err = r.s.read(ctx, readmodel.Scope{Workers: []string{link.WorkerID}}, projections.Filter{}, r.s.now(), func(v *projections.View) error {
		rep, ok := v.History(link.WorkerID)
		if !ok {
			return ErrUnknownLink
		}
		out.Report = rep
		if jo, ok := v.JobOrder(rep.JobOrderID); ok && jo.Terms != nil {
			t := *jo.Terms
			out.Promised = &t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Receipts, err = r.receipts(ctx, link.WorkerID); err != nil {
		return nil, err
	}
	return out, nil
}

// receipts reads the receipts of a worker's events by event id; none when the store keeps no log.
func (r *Reader) receipts(ctx context.Context, id string) (map[string]Receipt, error) {
	l, ok := r.s.cfg.Store.(eventstore.Log)
	if !ok {
		return nil, nil
	}
	out := map[string]Receipt{}
	for rec, err := range r.s.cfg.Store.ReadStream(ctx, domain.WorkerStream(id), 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the receipts of worker %s: %w", id, err)
		}
		leaf, err := l.LeafIndex(ctx, rec.Position)
		if err != nil {
			return nil, fmt.Errorf("leaf of event %s: %w", rec.ID, err)
		}
		out[rec.ID.String()] = Receipt{Hash: rec.Hash, Leaf: leaf}
	}
	return out, nil
}
