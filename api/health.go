package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/eventstore"
)

// progress is how far the read model is behind the store.
type progress struct {
	position eventstore.Position
	head     eventstore.Position
	// lag is the age of the oldest stored event not yet applied: zero when caught up.
	lag time.Duration
}

// progress measures the read model against the store, and notes when it has caught up: once a catch-up of the
// model has completed (rebuilding it if it had to be, see readmodel.Model.CaughtUp) and its checkpoint is at
// the store's head. A checkpoint at the head alone is not enough: a model ahead of its store, or one whose
// catch-up finds it must be rebuilt, shows one until its rebuild commits.
func (s *Server) progress(ctx context.Context) (progress, error) {
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return progress{}, fmt.Errorf("store head: %w", err)
	}
	mcp, current, err := s.cfg.Model.Status(ctx)
	if err != nil {
		return progress{}, fmt.Errorf("read model status: %w", err)
	}
	cp := mcp.Position
	if !current {
		cp = eventstore.Start // written by other rules: being rebuilt
	}
	p := progress{position: cp, head: head}
	if !cp.Less(head) {
		if s.cfg.Model.CaughtUp() {
			s.caughtUp.Store(true)
		}
		return p, nil
	}
	for rec, err := range s.cfg.Store.ReadAll(ctx, cp) {
		if err != nil {
			return p, fmt.Errorf("read the first event not applied: %w", err)
		}
		p.lag = max(s.now().Sub(rec.RecordedAt), 0)
		break
	}
	return p, nil
}

// health answers /healthz and /readyz.
type health struct {
	Status     string  `json:"status"`
	Position   string  `json:"position,omitempty"`
	Head       string  `json:"head,omitempty"`
	LagSeconds float64 `json:"lag_seconds"`
}

// healthz answers that the process serves requests.
func (s *Server) healthz(c *gin.Context) error {
	return respond(c, http.StatusOK, health{Status: "ok"})
}

// readyz answers 200 once the read model has caught up with the store since the server started (a catch-up
// completed, the model rebuilt if it had to be, and its checkpoint at the store's head) and while it stays
// within Limits.MaxReadyLag of it, else 503: status "starting" before the first catch-up (the model is being
// rebuilt or caught up) or "lagging".
func (s *Server) readyz(c *gin.Context) error {
	p, err := s.progress(c.Request.Context())
	if err != nil {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	h := health{Status: "ready", Position: p.position.String(), Head: p.head.String(), LagSeconds: p.lag.Seconds()}
	code := http.StatusOK
	switch {
	case !s.caughtUp.Load():
		h.Status, code = "starting", http.StatusServiceUnavailable
	case p.lag > s.lim.MaxReadyLag:
		h.Status, code = "lagging", http.StatusServiceUnavailable
	}
	return respond(c, code, h)
}
