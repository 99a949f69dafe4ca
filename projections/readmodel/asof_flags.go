package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// errListingStopped ends a replay whose listing's consumer stopped reading.
var errListingStopped = errors.New("read model: listing stopped")

// ListFlagsUnder yields the flags a query selects under a time filter, judged at clock, in listing order,
// keeping only those keep accepts (all when nil); keep is asked on the view the flag was judged in (a shard
// of workers, or the job orders and their context), which holds the flag's worker and job orders under the
// filter. A listing of many workers replays them a shard at a time (see replayShards) and merges the shards'
// sorted runs (see flagRuns), so it holds one shard's flags, never the whole listing; one of one worker
// replays that worker alone. The replay is done before the first flag is yielded; a consumer that stops early
// stops the merge there, and the spill is removed once the loop ends either way. An error is yielded last.
func (m *Model) ListFlagsUnder(ctx context.Context, store eventstore.Store, q projections.FlagQuery,
	filter projections.Filter, clock time.Time, keep func(*projections.View, domain.Flag) bool) iter.Seq2[ListedFlag, error] {
	return func(yield func(ListedFlag, error) bool) {
		stopped := false
		err := m.listFlagsUnder(ctx, store, []projections.FlagQuery{q}, filter, clock, keep,
			func(_ int, flags iter.Seq2[ListedFlag, error]) error {
				for f, err := range flags {
					if !yield(f, err) || err != nil {
						stopped = true
						return errListingStopped
					}
				}
				return nil
			})
		if err != nil && !stopped {
			yield(ListedFlag{}, err)
		}
	}
}

// FlagsUnder lists the flags a query selects under a time filter, judged at clock, as ListFlagsUnder yields
// them, read back into flags (their details as domain.RawDetails). It holds the whole listing: a listing
// that may be large is read with ListFlagsUnder.
func (m *Model) FlagsUnder(ctx context.Context, store eventstore.Store, q projections.FlagQuery,
	filter projections.Filter, clock time.Time) ([]domain.Flag, error) {
	out, err := m.FlagsUnderEach(ctx, store, []projections.FlagQuery{q}, filter, clock)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// FlagsUnderEach answers each query as FlagsUnder does, in order, from one replay of the workers for all the
// queries that are not for one worker (each of those replays its worker alone).
func (m *Model) FlagsUnderEach(ctx context.Context, store eventstore.Store, qs []projections.FlagQuery,
	filter projections.Filter, clock time.Time) ([][]domain.Flag, error) {
	out := make([][]domain.Flag, len(qs))
	err := m.listFlagsUnder(ctx, store, qs, filter, clock, nil, func(i int, flags iter.Seq2[ListedFlag, error]) error {
		out[i] = []domain.Flag{}
		for lf, err := range flags {
			if err != nil {
				return err
			}
			f, err := lf.Flag()
			if err != nil {
				return err
			}
			out[i] = append(out[i], f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Flag is the listed flag read back from its JSON, its details as domain.RawDetails.
func (f ListedFlag) Flag() (domain.Flag, error) {
	var out domain.Flag
	if err := json.Unmarshal([]byte(f.JSON()), &out); err != nil {
		return domain.Flag{}, fmt.Errorf("read model: read listed flag %s back: %w", f.Key.Code, err)
	}
	return out, nil
}

// listFlagsUnder calls each, for each query in order, with its listing under filter at clock, keeping only the
// flags keep accepts (all when nil). The queries that are not for one worker are answered from one replay of
// the workers, whose runs each reads from (see ListFlagsUnder); each of the others replays its worker alone.
// each's error stops the listings and is returned.
func (m *Model) listFlagsUnder(ctx context.Context, store eventstore.Store, qs []projections.FlagQuery,
	filter projections.Filter, clock time.Time, keep func(*projections.View, domain.Flag) bool,
	each func(i int, flags iter.Seq2[ListedFlag, error]) error) error {
	kept := func(v *projections.View, flags []domain.Flag) []domain.Flag {
		if keep == nil {
			return flags
		}
		return slices.DeleteFunc(flags, func(f domain.Flag) bool { return !keep(v, f) })
	}
	var whole []int // the queries answered by replaying every worker
	for i, q := range qs {
		if q.WorkerID == "" {
			whole = append(whole, i)
		}
	}
	answer := func(runs *flagRuns) error {
		for i, q := range qs {
			if q.WorkerID == "" {
				if err := each(i, runs.merge(ctx, i)); err != nil {
					return err
				}
				continue
			}
			v, err := m.View(ctx, store, []string{q.WorkerID}, filter, clock)
			if err != nil {
				return err
			}
			if err := each(i, listedSeq(kept(v, v.Flags(q)))); err != nil {
				return err
			}
		}
		return nil
	}
	if len(whole) == 0 {
		return answer(nil)
	}
	return m.flagRunsUnder(ctx, store, qs, whole, filter, clock, kept, answer)
}

// flagRunsUnder replays the workers the queries qs[i] for i in whole may list, under filter at clock, a shard
// at a time, writes their flags as runs (see writeRuns), and calls fn with the runs before the replay's spill
// is removed.
func (m *Model) flagRunsUnder(ctx context.Context, store eventstore.Store, qs []projections.FlagQuery, whole []int,
	filter projections.Filter, clock time.Time, kept func(*projections.View, []domain.Flag) []domain.Flag,
	fn func(*flagRuns) error) error {
	cm, err := m.contextModel(ctx, filter)
	if err != nil {
		return err
	}
	cv := cm.View(clock)
	workers, err := m.flaggable(ctx, cv, cm.JobOrderIDs(), qs, whole)
	if err != nil {
		return err
	}
	sp, err := m.spillUnder(ctx, store, filter, workers)
	if err != nil {
		return err
	}
	defer sp.remove()
	runs, err := m.writeRuns(ctx, sp, cm, cv, qs, whole, kept)
	if err != nil {
		return err
	}
	defer runs.close()
	return fn(runs)
}

// writeRuns replays the workers spilled to sp a shard at a time, each on a fork of cm, and writes each shard's
// flags of each query qs[i] for i in whole (kept says which) as a run of that query, then the job orders' own
// flags (cv's, cm's view) as its last. The runs are in sp's directory.
func (m *Model) writeRuns(ctx context.Context, sp *spill, cm *projections.Model, cv *projections.View,
	qs []projections.FlagQuery, whole []int, kept func(*projections.View, []domain.Flag) []domain.Flag) (*flagRuns, error) {
	runs, err := newFlagRuns(sp.dir, len(qs))
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	add := func(v *projections.View, q projections.FlagQuery, i int) error {
		if err := runs.add(i, kept(v, v.Flags(q))); err != nil {
			return fmt.Errorf("read model: %w", err)
		}
		return nil
	}
	err = m.replaySpill(ctx, sp, cm, func(pm *projections.Model) error {
		v := pm.View(cv.Clock())
		for _, i := range whole {
			wq := qs[i]
			wq.WorkersOnly = true
			if err := add(v, wq, i); err != nil {
				return err
			}
		}
		return nil
	})
	for _, i := range whole {
		if err == nil {
			err = add(cv, qs[i], i)
		}
	}
	if err == nil {
		if err = runs.finish(); err != nil {
			err = fmt.Errorf("read model: %w", err)
		}
	}
	if err != nil {
		runs.close()
		return nil, err
	}
	return runs, nil
}

// listedSeq yields flags, in listing order already, as a listing does.
func listedSeq(flags []domain.Flag) iter.Seq2[ListedFlag, error] {
	return func(yield func(ListedFlag, error) bool) {
		for _, f := range flags {
			lf, err := listed(f)
			if err != nil {
				yield(ListedFlag{}, fmt.Errorf("read model: %w", err))
				return
			}
			if !yield(lf, nil) {
				return
			}
		}
	}
}
