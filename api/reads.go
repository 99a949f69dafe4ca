package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/projections"
	fquery "github.com/fairtrail/fairtrail/projections/query"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// read runs fn on a view of what scope names (workers, and job orders with their workers), under the filter
// and judged at its clock (clock without one): made from the persisted model, caught up first, and the named
// streams read back from the store, so a read costs what it names, not the size of the store. fn must not keep
// the view.
func (s *Server) read(ctx context.Context, scope readmodel.Scope, f projections.Filter, clock time.Time,
	fn func(*projections.View) error) error {
	if err := s.fresh(ctx); err != nil {
		return err
	}
	v, err := s.query().View(ctx, scope, f, clock)
	if err != nil {
		return err
	}
	return fn(v)
}

// fresh answers 503 until the read model has caught up once since the server started (see started), then
// makes sure the model holds every write answered before the read (see mustSee), catching it up only when it
// does not: a read does not wait for writes still in progress.
func (s *Server) fresh(ctx context.Context) error {
	if err := s.started(ctx); err != nil {
		return err
	}
	pos, err := s.mustSee(ctx)
	if err != nil {
		return err
	}
	if err := s.cfg.Model.CatchUpTo(ctx, s.cfg.Store, pos); err != nil {
		return fmt.Errorf("catch the read model up: %w", err)
	}
	return nil
}

// query is the query layer over the server's store and persisted model.
func (s *Server) query() fquery.Reader { return fquery.Reader{Store: s.cfg.Store, Model: s.cfg.Model} }

// replay runs fn, a read of every worker under a time filter (worker by worker, in bounded memory), once one
// of the Limits.MaxReplays slots is free.
func (s *Server) replay(ctx context.Context, fn func() error) error {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for a replay slot: %w", ctx.Err())
	}
	defer func() { <-s.slots }()
	return fn()
}

// started answers 503 until the read model has caught up with the store once since the server started: until
// then it holds part of the history, and a read would give an incomplete answer as if it were complete. A
// model written by these rules is caught up here (waiting for the follower if it is at it); one that must be
// rebuilt (missing, or written by other rules) is left to the follower, and the read answers 503 meanwhile.
func (s *Server) started(ctx context.Context) error {
	if s.caughtUp.Load() {
		return nil
	}
	if _, current, err := s.cfg.Model.Status(ctx); err != nil {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	} else if current {
		if _, err := s.cfg.Model.CatchUp(ctx, s.cfg.Store); err != nil {
			return fmt.Errorf("%w: catch the read model up: %w", errUnavailable, err)
		}
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
	err = s.read(c.Request.Context(), readmodel.Scope{Workers: []string{id}}, f, s.now(), func(v *projections.View) error {
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
	writeWhole(c, http.StatusOK, "application/json", out)
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
	err = s.read(c.Request.Context(), readmodel.Scope{JobOrders: []string{id}}, projections.Filter{}, s.now(), func(v *projections.View) error {
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
	writeWhole(c, http.StatusOK, "application/json", out)
	return nil
}
