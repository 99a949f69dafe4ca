package readmodel

import (
	"context"
	"fmt"
	"slices"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// A replay of every worker under a time filter (a flag listing or an audit as of a time) reads the store
// once, in its order, up to the model's checkpoint: it spills the workers' events the filter admits, as
// stored and not decoded, to buckets by worker (held in memory for a store that fits in a shard, else files
// in a temporary directory of its own), then replays the workers a shard (a run of buckets) at a time on a
// fork of the model of the context under the filter, as a rebuild does (see spill). A worker's events are
// never read back one by one, and no more than a shard of them is decoded at once.

// replayShardEvents bounds the events a replay decodes at once (ShardEvents when that is smaller): a quarter of
// a rebuild's shard, since a replay holds what it judged of a shard (its rows, or its flags before they are
// written to a run) beside the shard's model.
const replayShardEvents = 100_000

// replayShards replays the workers under cm's filter (those of workers, or every one when nil) a shard at a
// time, each on a fork of cm (the model of the job orders, policies, organisations and rates under that
// filter, see contextModel), and calls fn with each shard's model.
func (m *Model) replayShards(ctx context.Context, store eventstore.Store, cm *projections.Model,
	filter projections.Filter, workers map[string]bool, fn func(pm *projections.Model) error) error {
	sp, err := m.spillUnder(ctx, store, filter, workers)
	if err != nil {
		return err
	}
	defer sp.remove()
	return m.replaySpill(ctx, sp, cm, fn)
}

// spillUnder spills the events of the workers (those of workers, or every one when nil) stored up to the
// model's checkpoint that filter admits; the caller removes the spill.
func (m *Model) spillUnder(ctx context.Context, store eventstore.Store, filter projections.Filter,
	workers map[string]bool) (*spill, error) {
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	return m.spillWorkers(ctx, store, cp.Position, filter, workers)
}

// replaySpill replays the workers spilled to sp a shard at a time, each on a fork of cm, and calls fn with
// each shard's model.
func (m *Model) replaySpill(ctx context.Context, sp *spill, cm *projections.Model, fn func(pm *projections.Model) error) error {
	for _, sh := range sp.shards(min(m.opts.ShardEvents, replayShardEvents)) {
		pm, err := shardModel(ctx, sp, sh[0], sh[1], cm.ForkWithJobOrders())
		if err != nil {
			return fmt.Errorf("read model: replay the buckets %d-%d: %w", sh[0], sh[1]-1, err)
		}
		if err := fn(pm); err != nil {
			return err
		}
	}
	return nil
}

// spillWorkers spills the events of the workers (those of workers, or every one when nil) stored up to
// position until (Start: all) that filter admits; the caller removes the spill.
func (m *Model) spillWorkers(ctx context.Context, store eventstore.Store, until eventstore.Position,
	filter projections.Filter, workers map[string]bool) (sp *spill, err error) {
	sp = newMemSpill()
	if until.Commit > m.opts.ShardEvents {
		if sp, err = newTempSpill(m.opts.SpillDir, m.opts.Logger); err != nil {
			return nil, fmt.Errorf("read model: %w", err)
		}
	}
	defer func() {
		if err != nil {
			sp.remove()
		}
	}()
	for rec, err := range store.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return nil, fmt.Errorf("read model: read the store: %w", err)
		}
		if !until.IsStart() && until.Less(rec.Position) {
			break
		}
		worker, ok := projections.WorkerStreamID(rec.Stream)
		if !ok || workers != nil && !workers[worker] ||
			!filter.Admits(projections.Meta{OccurredAt: rec.OccurredAt, RecordedAt: rec.RecordedAt}) {
			continue // a context event (in cm), one of a worker not asked for, or one the filter leaves out
		}
		if err := sp.add(worker, rec); err != nil {
			return nil, fmt.Errorf("read model: %w", err)
		}
	}
	if err := sp.finish(); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return sp, nil
}

// recruitedOn are the workers the model records a recruitment on one of jobOrders for, at any time (their
// first in the workers table, a later one in recruitments): under a time filter, a worker's first admitted
// recruitment is one of them.
func (m *Model) recruitedOn(ctx context.Context, jobOrders map[string]bool) (map[string]bool, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT worker_id, job_order_id FROM workers
		UNION ALL SELECT worker_id, job_order_id FROM recruitments`)
	if err != nil {
		return nil, fmt.Errorf("read model: recruitments: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var worker, jobOrder string
		if err := rows.Scan(&worker, &jobOrder); err != nil {
			return nil, fmt.Errorf("read model: recruitments: %w", err)
		}
		if jobOrders[jobOrder] {
			out[worker] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read model: recruitments: %w", err)
	}
	return out, nil
}

// wantedRows are the rollup rows the queries of a replay read, by scope (a buyer, "" for every one) and
// grouping.
type wantedRows map[[2]string]bool

// keeps reports whether the rows of a scope and grouping are wanted.
func (wr wantedRows) keeps(scope, by string) bool { return wr[[2]string{scope, by}] }

// buyers are the buyers whose supply chains hold every row wanted; nil when the rows of every buyer are
// wanted, which every worker counts in.
func (wr wantedRows) buyers() []string {
	var out []string
	for k := range wr {
		if k[0] == "" {
			return nil
		}
		out = append(out, k[0])
	}
	return out
}

// jobOrdersOf are those of jobOrders that name one of buyers in v: the workers whose judgements name one of
// those buyers are among those recruited on them, since a worker's buyers are those of the job order it was
// first recruited on (whose buyers its own events do not change).
func jobOrdersOf(v *projections.View, jobOrders, buyers []string) map[string]bool {
	theirs := func(b string) bool { return slices.Contains(buyers, b) }
	out := map[string]bool{}
	for _, id := range jobOrders {
		if jo, ok := v.JobOrder(id); ok && slices.ContainsFunc(jo.BuyerIDs, theirs) {
			out[id] = true
		}
	}
	return out
}

// flaggable are the workers whose flags the queries qs[i] for i in which may list: those recruited on the job
// order a query names, or on a job order of the buyer and employer it names (a worker's flags name the job
// order it was first recruited on, and its buyers and employer are that job order's); nil (every worker) when
// a query names none of the three.
func (m *Model) flaggable(ctx context.Context, cv *projections.View, jobOrders []string, qs []projections.FlagQuery,
	which []int) (map[string]bool, error) {
	selected := map[string]bool{}
	for _, i := range which {
		q := qs[i]
		switch {
		case q.JobOrderID != "":
			selected[q.JobOrderID] = true
		case q.BuyerID == "" && q.EmployerID == "":
			return nil, nil
		default:
			for _, id := range jobOrders {
				jo, ok := cv.JobOrder(id)
				if ok && (q.BuyerID == "" || slices.Contains(jo.BuyerIDs, q.BuyerID)) &&
					(q.EmployerID == "" || jo.EmployerID == q.EmployerID) {
					selected[id] = true
				}
			}
		}
	}
	return m.recruitedOn(ctx, selected)
}
