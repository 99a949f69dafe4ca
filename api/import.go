package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// postImport answers POST /v1/import: an NDJSON body (one envelope per line) stored by the command line's
// import rules. The whole body is validated before anything is stored: a body with a bad line stores nothing
// and answers 400 listing every bad line with its field paths (409 event_id_reused when every bad line is an
// event_id stored for a different event, 409 report_id_reused, fee_id_reused, reimbursement_id_reused or
// loan_id_reused, the first bad line's, when every bad line uses a record's id its worker already uses: the lines
// are listed all the same); a valid body is stored in order, in
// durable batches, events already stored counting as duplicates, and the answer is 200 with the counts.
//
// Imports are bulk loads by admin keys (the route refuses other roles). Employers and agencies record through
// POST /v1/events, whose per-event scope checks and "no stream" preconditions on the streams a request creates
// an import's batches cannot carry.
func (s *Server) postImport(c *gin.Context) error {
	if err := requireContentType(c, "application/x-ndjson", "application/jsonl", "application/ndjson"); err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	if org := identity(c).Org; domain.ReservedRecorder(org) {
		return fail(errForbidden, "organisation %q is reserved for what the tracker records itself; no key records as it", org)
	}
	deadline := time.Now().Add(s.lim.ImportTimeout)
	rc := http.NewResponseController(c.Writer)
	// A large body takes longer to send than the server's read timeout allows other requests.
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline.Add(time.Minute))
	ctx, cancel := context.WithDeadline(c.Request.Context(), deadline)
	defer cancel()
	body := http.MaxBytesReader(c.Writer, c.Request.Body, s.lim.MaxImportBytes)
	rep, err := eventstore.Import(ctx, s.store, body, eventstore.ImportOptions{RecordedBy: identity(c).Org,
		SpoolDir: s.cfg.SpoolDir})
	switch {
	case errors.Is(err, eventstore.ErrRejected) && rep.IDsReused == rep.Rejected:
		return &problem{kind: rep.IDReused, lines: rep.Errors,
			message: fmt.Sprintf("%d of %d lines use an id (report_id, fee_id, reimbursement_id or loan_id) already "+
				"used for their worker by another event (a new record takes a new id); nothing was stored",
				rep.Rejected, rep.Lines)}
	case errors.Is(err, eventstore.ErrRejected) && rep.Reused == rep.Rejected:
		return &problem{kind: eventstore.ErrEventIDReused, lines: rep.Errors,
			message: fmt.Sprintf("%d of %d lines use an event_id stored for a different event; nothing was stored",
				rep.Rejected, rep.Lines)}
	case errors.Is(err, eventstore.ErrRejected):
		return &problem{kind: domain.ErrInvalid, lines: rep.Errors,
			message: fmt.Sprintf("%d of %d lines rejected; nothing was stored", rep.Rejected, rep.Lines)}
	}
	if err != nil {
		return err
	}
	s.settle(ctx)
	return respond(c, http.StatusOK, rep)
}
