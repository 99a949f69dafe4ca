package readmodel

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// Scope names what a partial view holds: workers, job orders with the workers recruited for them, and job
// orders without them (Context: their own events alone, enough to decide who is party to them; such a job
// order's Workers lists only the workers the view holds, and one known only from its recruitments is unknown).
type Scope struct {
	Workers   []string
	JobOrders []string
	Context   []string
}

// ViewOf returns a view, under filter and at clock, of what the scope names: its workers and the workers of
// its job orders (by the model's workers table), their events read back from the store by stream up to the
// model's checkpoint and applied in global order (so a job order lists its workers as a whole model does), and
// the job orders, policies and organisations they name. The model must be caught up.
func (m *Model) ViewOf(ctx context.Context, store eventstore.Store, s Scope, filter projections.Filter,
	clock time.Time) (*projections.View, error) {
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	needed := map[string]bool{}
	workers := map[string]bool{}
	for _, w := range s.Workers {
		workers[w] = true
	}
	for _, jo := range s.Context {
		needed[jo] = true
	}
	for _, jo := range s.JobOrders {
		needed[jo] = true
		if err := m.workersOf(ctx, jo, workers); err != nil {
			return nil, err
		}
	}
	var recs []eventstore.Recorded
	for w := range sortedSet(workers) {
		if recs, err = readWorker(ctx, store, w, cp.Position, recs); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(recs, func(a, b eventstore.Recorded) int {
		return cmp.Or(cmp.Compare(a.Position.Commit, b.Position.Commit), cmp.Compare(a.Position.Prepare, b.Position.Prepare))
	})
	pm, err := m.base(ctx, filter)
	if err != nil {
		return nil, err
	}
	if err := applyWorkerEvents(pm, recs, needed); err != nil {
		return nil, err
	}
	if err := loadJobOrders(ctx, m.db, pm, needed); err != nil {
		return nil, err
	}
	return pm.View(clock), nil
}

// readWorker appends a worker's events, read back from its stream up to position until (Start: all), to recs.
func readWorker(ctx context.Context, store eventstore.Store, worker string, until eventstore.Position,
	recs []eventstore.Recorded) ([]eventstore.Recorded, error) {
	for rec, err := range store.ReadStream(ctx, domain.WorkerStream(worker), 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read model: read worker %s: %w", worker, err)
		}
		if !until.IsStart() && until.Less(rec.Position) {
			break
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// workersOf adds the workers recruited for a job order (as the workers and recruitments tables record them)
// to set.
func (m *Model) workersOf(ctx context.Context, jobOrder string, set map[string]bool) error {
	rows, err := m.db.QueryContext(ctx, recruitedForSQL, jobOrder)
	if err != nil {
		return fmt.Errorf("read model: workers of %s: %w", jobOrder, err)
	}
	defer rows.Close()
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return fmt.Errorf("read model: workers of %s: %w", jobOrder, err)
		}
		set[w] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read model: workers of %s: %w", jobOrder, err)
	}
	return nil
}

// EmployerJobOrders returns the job orders an employer issued, sorted: the scope of its agency scorecards,
// which the rollups (kept per buyer) do not hold.
func (m *Model) EmployerJobOrders(ctx context.Context, employer string) ([]string, error) {
	rows, err := m.db.QueryContext(ctx, "SELECT job_order_id FROM job_orders WHERE json_extract(contribution, '$.employer_id') = ? "+
		"ORDER BY job_order_id", employer)
	if err != nil {
		return nil, fmt.Errorf("read model: job orders of %s: %w", employer, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read model: job orders of %s: %w", employer, err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read model: job orders of %s: %w", employer, err)
	}
	return out, nil
}
