package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/notes"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// noteResponse answers GET /v1/notes/{sha256}: the text, and the workers it belongs to that the caller reads.
type noteResponse struct {
	SHA256  string   `json:"note_sha256"`
	Text    string   `json:"text"`
	Workers []string `json:"worker_ids"`
	SavedAt string   `json:"saved_at"`
}

// getNote answers GET /v1/notes/{sha256}. A note is read in the scope of the workers it belongs to: a caller
// who reads one of those workers reads the note (admin keys read every note). A note out of scope answers 404
// as one never stored; an erased note answers 410 to those who may read it.
func (s *Server) getNote(c *gin.Context) error {
	h := c.Param("sha256")
	if !notes.ValidHash(h) {
		return invalidField("sha256", "must be 64 lower-case hex digits (the note's SHA-256)")
	}
	if err := noQuery(c); err != nil {
		return err
	}
	if s.cfg.Notes == nil {
		return fail(errNotFound, "note %s not found", h)
	}
	ctx := c.Request.Context()
	n, err := s.cfg.Notes.Get(ctx, h)
	switch {
	case errors.Is(err, notes.ErrNotFound):
		return fail(errNotFound, "note %s not found", h)
	case errors.Is(err, notes.ErrErased) && identity(c).Role == keys.RoleAdmin:
		return fail(notes.ErrErased, "note %s was erased", h)
	case errors.Is(err, notes.ErrErased):
		return fail(errNotFound, "note %s not found", h)
	case err != nil:
		return err
	}
	var visible []string
	who := identity(c)
	err = s.read(ctx, readmodel.Scope{Workers: n.Workers}, projections.Filter{}, s.now(), func(v *projections.View) error {
		acc := newAccess(who, v)
		for _, w := range n.Workers {
			if r, ok := v.Worker(w); acc.all() || ok && acc.worker(r) {
				visible = append(visible, w)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(visible) == 0 {
		return fail(errNotFound, "note %s not found", h)
	}
	return respond(c, http.StatusOK, noteResponse{SHA256: n.SHA256, Text: n.Text, Workers: visible, SavedAt: n.SavedAt.UTC().Format(time.RFC3339Nano)})
}

// erasureRequest is a POST /v1/notes/erasures body: a worker's notes or one note, and why.
type erasureRequest struct {
	WorkerID   string `json:"worker_id"`
	NoteSHA256 string `json:"note_sha256"`
	Reason     string `json:"reason"`
}

// erasuresResponse lists erasure journal rows.
type erasuresResponse struct {
	Erasures []notes.Erasure `json:"erasures"`
}

// postErasure answers POST /v1/notes/erasures (admin keys): erases a worker's notes or one note, journals who
// (the key's organisation and id) and why, and answers 201 with the journal rows. A worker with no notes
// answers 201 with none; a note already erased answers 410.
func (s *Server) postErasure(c *gin.Context) error {
	req, err := readErasure(c, s.lim.MaxBodyBytes)
	if err != nil {
		return err
	}
	if s.cfg.Notes == nil {
		return fail(errNotFound, "this server keeps no notes")
	}
	id := identity(c)
	by := notes.Request{By: fmt.Sprintf("%s (API key %s)", id.Org, id.KeyID), Reason: req.Reason}
	var out []notes.Erasure
	if req.WorkerID != "" {
		out, err = s.cfg.Notes.EraseWorker(c.Request.Context(), req.WorkerID, by)
	} else {
		out, err = s.cfg.Notes.EraseNote(c.Request.Context(), req.NoteSHA256, by)
	}
	switch {
	case errors.Is(err, notes.ErrNotFound):
		return fail(errNotFound, "note %s not found", req.NoteSHA256)
	case errors.Is(err, notes.ErrErased):
		return fail(notes.ErrErased, "note %s was erased before", req.NoteSHA256)
	case errors.Is(err, domain.ErrInvalid):
		return invalidField("reason", notes.Problem(err))
	case err != nil:
		return err
	}
	return respond(c, http.StatusCreated, erasuresResponse{Erasures: append([]notes.Erasure{}, out...)})
}

// readErasure reads and checks a POST /v1/notes/erasures body.
func readErasure(c *gin.Context, limit int64) (erasureRequest, error) {
	var req erasureRequest
	if err := requireContentType(c, "application/json"); err != nil {
		return req, err
	}
	if err := noQuery(c); err != nil {
		return req, err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err != nil {
		return req, fmt.Errorf("read body: %w", err)
	}
	if err := decodeJSON(raw, &req, true); err != nil {
		return req, err
	}
	switch {
	case (req.WorkerID == "") == (req.NoteSHA256 == ""):
		return req, invalidField("", "give worker_id (erase every note of the worker) or note_sha256 (erase one note), not both")
	case req.NoteSHA256 != "" && !notes.ValidHash(req.NoteSHA256):
		return req, invalidField("note_sha256", "must be 64 lower-case hex digits")
	case req.WorkerID != "":
		if f := checkID("worker_id", req.WorkerID); f != nil {
			return req, invalidFields("invalid input: worker_id: "+f.Problem, []domain.FieldError{*f})
		}
	}
	return req, nil
}

// getErasures answers GET /v1/notes/erasures (admin keys): the erasure journal, oldest first, or with
// worker_id that worker's rows.
func (s *Server) getErasures(c *gin.Context) error {
	q, err := query(c, "worker_id")
	if err != nil {
		return err
	}
	w := q.Get("worker_id")
	if w != "" {
		if f := checkID("worker_id", w); f != nil {
			return invalidFields("invalid query: worker_id: "+f.Problem, []domain.FieldError{*f})
		}
	}
	var out []notes.Erasure
	if s.cfg.Notes != nil {
		if out, err = s.cfg.Notes.Erasures(c.Request.Context(), w); err != nil {
			return err
		}
	}
	return respond(c, http.StatusOK, erasuresResponse{Erasures: append([]notes.Erasure{}, out...)})
}
