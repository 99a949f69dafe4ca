package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/notes"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// appendedEvent is one event of a POST /v1/events answer, in request order.
type appendedEvent struct {
	EventID  string `json:"event_id"`
	Type     string `json:"type"`
	Stream   string `json:"stream"`
	Revision uint64 `json:"revision"`
	Position string `json:"position"`
	// The event's receipt (spec section 6): its hash, and its leaf in the log with the leaf's hash.
	Hash      string `json:"hash"`
	LeafIndex uint64 `json:"leaf_index"`
	LeafHash  string `json:"leaf_hash"`
}

// streamRevision is a stream's last revision among the events of the request.
type streamRevision struct {
	Stream   string `json:"stream"`
	Revision uint64 `json:"revision"`
}

// appendResponse answers POST /v1/events. A retry of a request already stored answers the same body.
type appendResponse struct {
	Events  []appendedEvent  `json:"events"`
	Streams []streamRevision `json:"streams"`
}

// postEvents stores a request through the ingest shared with the imports: every event validated
// (eventstore.Admit, IDs), the caller's scope decided, the whole request appended with one AppendBatch (atomic
// on the embedded store), in request order. It answers 201 with each event's stream, revision and position;
// a request whose events were all stored before answers the same, with Idempotent-Replayed: true.
func (s *Server) postEvents(c *gin.Context) error {
	if err := requireContentType(c, "application/json"); err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.lim.MaxBodyBytes))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	id := identity(c)
	ctx := c.Request.Context()
	if domain.ReservedRecorder(id.Org) {
		return fail(errForbidden, "organisation %q is reserved for what the tracker records itself; no key records as it", id.Org)
	}
	sub, err := parseSubmission(raw, s.lim.MaxEvents, recorderFor(id), func() (domain.EventID, error) {
		return domain.NewEventID(s.now(), rand.Reader)
	})
	if err != nil {
		return err
	}
	if err := recordersOnly(sub); err != nil {
		return err
	}
	in, err := s.ingest(ctx, id, sub)
	if err != nil {
		return err
	}
	if l, ok := s.cfg.Store.(eventstore.Log); ok {
		if err := eventstore.FillLeafIndexes(ctx, l, in.Results); err != nil {
			return fmt.Errorf("receipts: %w", err)
		}
	}
	s.settle(ctx)
	resp, replayed := answer(sub, in)
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	return respond(c, http.StatusCreated, resp)
}

// ingest stores a submission through the one ingest (eventstore.Ingest), deciding its writes by the caller's
// scope and saving its notes before the append; a refused append takes the notes back and is explained.
func (s *Server) ingest(ctx context.Context, id keys.Identity, sub submission) (eventstore.Ingested, error) {
	var added []notes.Link
	in, err := eventstore.Ingest(ctx, s.store, sub.events, eventstore.IngestOptions{Expect: sub.expect,
		Decide: func(ctx context.Context, _ []eventstore.Admitted) (map[string]bool, error) {
			created, err := s.decideWrites(ctx, id, sub)
			if err == nil {
				added, err = s.saveNotes(ctx, sub)
			}
			return created, err
		}})
	var refused *eventstore.RefusedEvents
	switch {
	case err == nil:
		return in, nil
	case in.Requests != nil: // refused by the store
		err = s.appendFailed(ctx, id, err, in.Requests)
	case errors.As(err, &refused): // refused by the record-id rule
		err = recordsRefused(sub, refused)
	}
	return in, s.discardNotes(ctx, added, err) // the notes saved before the refusal, if any
}

// recordsRefused answers a request that breaks the record-id rule (eventstore.RecordIDs), naming the id's field
// of each event refused: 409 report_id_reused, fee_id_reused, reimbursement_id_reused or loan_id_reused (the
// first such event's) for an id its worker already uses (a new record takes a new id), else 404 naming
// data.report_id for a resolution of a report the worker does not have, as to auditors and worker organisations
// before. A request with both is answered 409, listing the events whose id is reused.
func recordsRefused(sub submission, refused *eventstore.RefusedEvents) error {
	var kind error = errNotFound
	for _, r := range refused.Events {
		if errors.Is(r.Err, eventstore.ErrIDReused) {
			kind = eventstore.ReusedKind(r.Err)
			break
		}
	}
	out := &problem{kind: kind}
	for _, r := range refused.Events {
		var ve *domain.ValidationError
		if !errors.As(r.Err, &ve) || kind != errNotFound && !errors.Is(r.Err, eventstore.ErrIDReused) {
			continue
		}
		for _, f := range ve.Fields {
			out.fields = append(out.fields, domain.FieldError{Path: joinPath(sub.paths[r.At], f.Path), Problem: f.Problem})
		}
	}
	if len(out.fields) == 0 {
		return refused // not the rule's: internal
	}
	out.message = out.fields[0].Path + ": " + out.fields[0].Problem + "; nothing was stored"
	return out
}

// decideWrites is the API's part in the ingest (eventstore.IngestOptions.Decide): an admin key records what
// it sends; any other key only what its scope allows (checkWrites). It returns the streams the request creates.
func (s *Server) decideWrites(ctx context.Context, id keys.Identity, sub submission) (map[string]bool, error) {
	if id.Role == keys.RoleAdmin {
		return nil, nil
	}
	return s.checkWrites(ctx, id, sub)
}

// checkWrites waits until the read model has applied what the store held when the request came (so that a
// job order or worker created just before is known), then checks every event against the caller's scope. It
// returns the streams the request creates.
func (s *Server) checkWrites(ctx context.Context, id keys.Identity, sub submission) (map[string]bool, error) {
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("store head: %w", err)
	}
	if !s.awaitApplied(ctx, head) {
		// Scope is never decided on a model that lags: it could miss the job order a recorder just created.
		return nil, fail(errUnavailable, "the read model is behind the store; retry shortly")
	}
	v, err := s.writeView(ctx, sub)
	if err != nil {
		return nil, err
	}
	ws := newWriteScope(id)
	var refused []*problem
	acc := newAccess(id, v)
	for i, ev := range sub.events {
		if p := ws.check(v, acc, ev.Envelope, sub.paths[i]); p != nil {
			refused = append(refused, p)
		}
	}
	if len(refused) == 0 {
		return ws.newStreams, nil
	}
	// Refusals for lack of a role (403) come before those for scope (404); all of one kind are listed.
	kind := errNotFound
	if slices.ContainsFunc(refused, func(p *problem) bool { return p.kind == errForbidden }) {
		kind = errForbidden
	}
	out := &problem{kind: kind}
	for _, p := range refused {
		if p.kind == kind {
			out.fields = append(out.fields, p.fields...)
		}
	}
	out.message = fmt.Sprintf("%s; nothing was stored", out.fields[0].Path+": "+out.fields[0].Problem)
	return nil, out
}

// writeView is a view, from the persisted model, of what a request's events name, enough for its write scope:
// the workers they name, the job orders they name (their own events, which say who is party to them), and,
// for a job order issued that is not issued yet, its workers too (namedByAll reads them).
func (s *Server) writeView(ctx context.Context, sub submission) (*projections.View, error) {
	var scope readmodel.Scope
	var issues []string
	for _, ev := range sub.events {
		switch e := ev.Envelope.Event.(type) {
		case *domain.WorkerRecruited:
			scope.Workers, scope.Context = append(scope.Workers, e.WorkerID), append(scope.Context, e.JobOrderID)
		case domain.WorkerEvent:
			scope.Workers = append(scope.Workers, e.Worker())
		case *domain.JobOrderIssued:
			scope.Context, issues = append(scope.Context, e.JobOrderID), append(issues, e.JobOrderID)
		default:
			if jo := jobOrderOf(ev.Envelope.Event); jo != "" {
				scope.Context = append(scope.Context, jo)
			}
		}
	}
	v, err := s.query().View(ctx, scope, projections.Filter{}, s.now())
	if err != nil {
		return nil, err
	}
	for _, id := range issues {
		if jo, ok := v.JobOrder(id); !ok || !jo.Issued {
			scope.JobOrders = append(scope.JobOrders, id)
		}
	}
	if len(scope.JobOrders) == 0 {
		return v, nil
	}
	return s.query().View(ctx, scope, projections.Filter{}, s.now())
}

// answer builds the response from what the ingest stored, and returns whether every event had been stored
// before. A stream appears once in Streams (in order of first appearance) with its last revision, however many
// runs of the request went to it.
func answer(sub submission, in eventstore.Ingested) (appendResponse, bool) {
	resp := appendResponse{Events: make([]appendedEvent, len(sub.events))}
	replayed := true
	for i, ev := range sub.events {
		r, j := in.At[i][0], in.At[i][1]
		a := in.Results[r].Events[j]
		resp.Events[i] = appendedEvent{EventID: a.ID.String(), Type: ev.Envelope.Type, Stream: in.Requests[r].Stream,
			Revision: a.Revision, Position: a.Position.String(), Hash: a.Hash, LeafIndex: a.LeafIndex, LeafHash: a.LeafHash}
		replayed = replayed && a.Duplicate
	}
	at := map[string]int{}
	for r, req := range in.Requests {
		k, seen := at[req.Stream]
		if !seen {
			k, at[req.Stream] = len(resp.Streams), len(resp.Streams)
			resp.Streams = append(resp.Streams, streamRevision{Stream: req.Stream})
		}
		for _, a := range in.Results[r].Events {
			resp.Streams[k].Revision = max(resp.Streams[k].Revision, a.Revision)
		}
	}
	return resp, replayed
}

// conflictMessage answers a non-admin whose request reuses an event_id: the same whether the id is its own or
// another tenant's, so that no caller learns which ids exist outside its scope.
const conflictMessage = "the request conflicts with stored events; nothing was stored (give new events new event_ids)"

// appendFailed explains a refused append: which stream was not at the revision expected, or, to an admin
// (who reads everything), which event id was reused. Other errors pass through.
func (s *Server) appendFailed(ctx context.Context, id keys.Identity, err error, reqs []eventstore.AppendRequest) error {
	switch {
	case errors.Is(err, eventstore.ErrEventIDReused) && id.Role != keys.RoleAdmin:
		return &problem{kind: eventstore.ErrConflict, message: conflictMessage}
	case errors.Is(err, eventstore.ErrEventIDReused):
		return &problem{kind: eventstore.ErrEventIDReused,
			message: "an event_id of this request is already used by a different event; nothing was stored"}
	case errors.Is(err, eventstore.ErrConflict):
		return &problem{kind: eventstore.ErrConflict, fields: s.staleStreams(ctx, reqs),
			message: "a stream is not at the revision expected; nothing was stored (read it again, then retry)"}
	}
	return err
}

// staleStreams names each stream of a refused append that is not at the revision its request expected.
func (s *Server) staleStreams(ctx context.Context, reqs []eventstore.AppendRequest) []domain.FieldError {
	var fields []domain.FieldError
	for _, r := range reqs {
		if r.Expected.IsAny() {
			continue
		}
		last, exists, rerr := s.streamHead(ctx, r.Stream)
		if rerr == nil && !r.Expected.Check(last, exists) {
			now := "has no events"
			if exists {
				now = fmt.Sprintf("is at revision %d", last)
			}
			fields = append(fields, domain.FieldError{Path: "expected_revision." + r.Stream,
				Problem: fmt.Sprintf("expected %s, but the stream %s", r.Expected, now)})
		}
	}
	return fields
}

// streamHead is a stream's last revision and whether it has events.
func (s *Server) streamHead(ctx context.Context, stream string) (uint64, bool, error) {
	var last uint64
	exists := false
	for rec, err := range s.cfg.Store.ReadStream(ctx, stream, 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		last, exists = rec.Revision, true
	}
	return last, exists, nil
}
