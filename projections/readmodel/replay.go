package readmodel

import (
	"context"
	"fmt"
	"maps"
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

// replayShards replays every worker under cm's filter a shard at a time, each on a fork of cm (the model of
// the job orders, policies, organisations and rates under that filter, see contextModel), and calls fn with
// each shard's model.
func (m *Model) replayShards(ctx context.Context, store eventstore.Store, cm *projections.Model,
	filter projections.Filter, fn func(pm *projections.Model) error) error {
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		return err
	}
	sp, err := m.spillWorkers(ctx, store, cp.Position, filter)
	if err != nil {
		return err
	}
	defer sp.remove()
	for _, sh := range sp.shards(m.opts.ShardEvents) {
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

// spillWorkers spills the workers' events of the store up to position until (Start: all) that filter
// admits; the caller removes the spill.
func (m *Model) spillWorkers(ctx context.Context, store eventstore.Store, until eventstore.Position,
	filter projections.Filter) (*spill, error) {
	sp := newMemSpill()
	if until.Commit > m.opts.ShardEvents {
		var err error
		if sp, err = newTempSpill(m.opts.SpillDir); err != nil {
			return nil, fmt.Errorf("read model: %w", err)
		}
	}
	for rec, err := range store.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			sp.remove()
			return nil, fmt.Errorf("read model: read the store: %w", err)
		}
		if !until.IsStart() && until.Less(rec.Position) {
			break
		}
		worker, ok := projections.WorkerStreamID(rec.Stream)
		if !ok || !filter.Admits(projections.Meta{OccurredAt: rec.OccurredAt, RecordedAt: rec.RecordedAt}) {
			continue // a context event (in cm), or one the filter leaves out: it would change nothing
		}
		if err := sp.add(worker, rec); err != nil {
			sp.remove()
			return nil, fmt.Errorf("read model: %w", err)
		}
	}
	if err := sp.finish(); err != nil {
		sp.remove()
		return nil, fmt.Errorf("read model: %w", err)
	}
	return sp, nil
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

// recruitedFor are the workers of v recruited on one of jobOrders that names one of buyers: the workers whose
// judgements name one of those buyers are among them, since a worker's buyers are those of the job order it
// was first recruited on.
func recruitedFor(v *projections.View, jobOrders, buyers []string) []string {
	set := map[string]bool{}
	for _, id := range jobOrders {
		jo, ok := v.JobOrder(id)
		if !ok || !slices.ContainsFunc(jo.BuyerIDs, func(b string) bool { return slices.Contains(buyers, b) }) {
			continue
		}
		for _, w := range jo.Workers {
			set[w] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
