package api

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/eventstore/evidence"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// getEvidence answers GET /v1/workers/{id}/evidence: the worker's evidence bundle (a zip that `fairtrail
// evidence verify` checks offline) under the latest checkpoint, for a worker the caller may read.
func (s *Server) getEvidence(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	who := identity(c)
	ctx := c.Request.Context()
	err = s.read(ctx, readmodel.Scope{Workers: []string{id}}, projections.Filter{}, s.now(), func(v *projections.View) error {
		if r, ok := v.Worker(id); !ok || !newAccess(who, v).worker(r) {
			return fail(errNotFound, "worker %s not found", id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	l, err := s.logOf()
	if err != nil {
		return err
	}
	if s.cfg.Checkpoints == nil || s.cfg.LogSigner == nil {
		return fail(errNotFound, "no checkpoint has been signed (serve signs them with --log-key)")
	}
	latest, ok, err := s.cfg.Checkpoints.Latest()
	if err != nil {
		return err
	}
	if !ok {
		return fail(errUnavailable, "no checkpoint has been signed yet; retry after the next one")
	}
	var b bytes.Buffer
	src := evidence.Source{Store: s.cfg.Store, Log: l, Checkpoint: latest.Signed(), Signer: s.cfg.LogSigner,
		Verifier: s.cfg.LogVerifier}
	err = evidence.Make(ctx, src, id, s.now().UTC(), &b)
	switch {
	case errors.Is(err, evidence.ErrNotCovered):
		return fail(errUnavailable, "the worker has events newer than the latest checkpoint; retry after the next one")
	case errors.Is(err, evidence.ErrNoWorker):
		return fail(errNotFound, "worker %s not found", id)
	case err != nil:
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="evidence-`+id+`.zip"`)
	writeWhole(c, http.StatusOK, "application/zip", b.Bytes())
	return nil
}
