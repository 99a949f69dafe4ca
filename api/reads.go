package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/projections"
)

// read runs fn on a view of the model the query asks for: the live model judged at clock when the filter is
// empty, else a model of the store under the filter, judged at the filter's clock (see replays).
//
// A first as-of or known-at query replays the whole store (about half a million events a second on a 2-core
// machine), so it costs seconds on a large store; Limits.MaxReplays bounds how many replays run at once. fn
// runs under a read lock: it must not keep the view or the model, and must not write to the client (a slow
// client would hold the lock); callers encode inside fn and write after.
func (s *Server) read(ctx context.Context, f projections.Filter, clock time.Time, fn func(*projections.View) error) error {
	if err := s.started(ctx); err != nil {
		return err
	}
	if f == (projections.Filter{}) {
		var err error
		s.cfg.Live.Read(func(m *projections.Model) { err = fn(m.View(clock)) })
		return err
	}
	return s.replays.read(ctx, f, clock, fn)
}

// started answers 503 until the read model has caught up with the store once since the server started: until
// then it holds part of the history, and a read would give an incomplete answer as if it were complete.
func (s *Server) started(ctx context.Context) error {
	if s.caughtUp.Load() {
		return nil
	}
	if _, err := s.progress(ctx); err != nil {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	if !s.caughtUp.Load() {
		return fail(errUnavailable, "the read model is being rebuilt from the store; retry shortly (GET /readyz says when)")
	}
	return nil
}

// readWorker answers a worker route: the worker's report, judged as the query asks (the params it allows),
// shaped by show.
func (s *Server) readWorker(c *gin.Context, params []string, show func(*projections.View, string, url.Values) (any, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	q, err := query(c, params...)
	if err != nil {
		return err
	}
	f, fields := timeFilter(q)
	if cur := q.Get("currency"); cur != "" {
		if fe := currencyField(cur); fe != nil {
			fields = append(fields, *fe)
		}
	}
	if len(fields) > 0 {
		return invalidQuery(fields)
	}
	who := identity(c)
	var out []byte
	err = s.read(c.Request.Context(), f, s.now(), func(v *projections.View) error {
		r, ok := v.Worker(id)
		if !ok || !newAccess(who, v).worker(r) {
			return fail(errNotFound, "worker %s not found", id)
		}
		shown, err := show(v, id, q)
		if err != nil {
			return err
		}
		out, err = encodeJSON(shown)
		return err
	})
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "application/json", out)
	return nil
}

// inCurrency is a worker's report with, when the query names a reporting currency, its money in that currency
// and its months of wages.
func inCurrency(v *projections.View, r *projections.WorkerReport, q url.Values) (any, error) {
	if cur := q.Get("currency"); cur != "" {
		return v.InCurrency(r, cur)
	}
	return r, nil
}

// getWorker answers GET /v1/workers/{id}: the worker's report judged now.
func (s *Server) getWorker(c *gin.Context) error {
	return s.readWorker(c, []string{"currency"}, func(v *projections.View, id string, q url.Values) (any, error) {
		r, _ := v.Worker(id)
		return inCurrency(v, r, q)
	})
}

// getHistory answers GET /v1/workers/{id}/history: the report with the timeline of every event.
func (s *Server) getHistory(c *gin.Context) error {
	return s.readWorker(c, []string{"as_of", "known_at", "currency"}, func(v *projections.View, id string, q url.Values) (any, error) {
		r, _ := v.History(id)
		return inCurrency(v, r, q)
	})
}

// contracts answers GET /v1/workers/{id}/contracts.
type contracts struct {
	WorkerID   string                       `json:"worker_id"`
	JobOrderID string                       `json:"job_order_id"`
	Contracts  []projections.ContractReport `json:"contracts"`
}

// getContracts answers GET /v1/workers/{id}/contracts: every contract version with its diff against the
// baseline.
func (s *Server) getContracts(c *gin.Context) error {
	return s.readWorker(c, []string{"as_of", "known_at"}, func(v *projections.View, id string, _ url.Values) (any, error) {
		r, _ := v.Worker(id)
		return contracts{WorkerID: r.WorkerID, JobOrderID: r.JobOrderID, Contracts: r.Contracts}, nil
	})
}

// getJobOrder answers GET /v1/job-orders/{id}.
func (s *Server) getJobOrder(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	who := identity(c)
	var out []byte
	err = s.read(c.Request.Context(), projections.Filter{}, s.now(), func(v *projections.View) error {
		jo, ok := v.JobOrder(id)
		if !ok || !newAccess(who, v).jobOrder(id) {
			return fail(errNotFound, "job order %s not found", id)
		}
		out, err = encodeJSON(jo)
		return err
	})
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "application/json", out)
	return nil
}
