package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// Reasons a model is rebuilt rather than caught up.
const (
	ReasonMissing = "no read model yet"
	ReasonRules   = "written by other rules"
	ReasonAhead   = "ahead of the store (restored from a backup?)"
	ReasonForeign = "its checkpoint names an event the store does not hold there"
	ReasonTooFar  = "too many new events to apply one by one"
)

// Result says what a catch-up did.
type Result struct {
	// Rebuilt is set when the model was rebuilt from the store, for Reason.
	Rebuilt bool
	Reason  string
	// Applied counts the events applied incrementally.
	Applied    int
	Checkpoint Checkpoint
}

// CatchUp brings the model up to the store's head: incrementally from its checkpoint when it can, else by a
// rebuild (see the package comment for when). A model opened with Options.ReadOnly is only checked: ErrReadOnly
// when it would need either. It waits for a catch-up of this process in progress, or until ctx ends.
func (m *Model) CatchUp(ctx context.Context, store eventstore.Store) (Result, error) {
	if err := m.lock(ctx); err != nil {
		return Result{}, err
	}
	defer m.unlock()
	return m.catchUpLocked(ctx, store)
}

// catchUpLocked is CatchUp, the token taken; once it succeeds, the options' currencies are tracked and those
// waiting for a position it covers are told (m.applied).
func (m *Model) catchUpLocked(ctx context.Context, store eventstore.Store) (Result, error) {
	res, err := m.catchUp(ctx, store)
	if err != nil {
		return res, err
	}
	if err := m.trackOptions(ctx); err != nil {
		return res, err
	}
	m.caughtUp.Store(true)
	m.applied.advance(res.Checkpoint.Position)
	return res, nil
}

// CaughtUp reports whether a catch-up of this process (CatchUp, or a CatchUpTo that had to catch up) has
// completed: the model was then written by these rules (rebuilt first if it had to be), described the store
// up to the head it found, and kept the totals of Options.Currencies. A model opened with a checkpoint at the
// store's head is not caught up until then: it may be ahead of the store, or be rebuilt for a reason only its
// catch-up finds. A server is ready once it is.
func (m *Model) CaughtUp() bool { return m.caughtUp.Load() }

// CatchUpTo returns once the model, written by these rules, describes the store at least up to pos: at once
// when it already does (a read of its checkpoint, which waits for no catch-up in progress), else after
// catching it up with the store's head (waiting first for a catch-up in progress, which may have covered pos
// by the time it ends: then it returns as that catch-up ends, without the token). A read that must see the
// writes answered before it asks for the last of them; one that must see everything stored, for the store's
// head.
func (m *Model) CatchUpTo(ctx context.Context, store eventstore.Store, pos eventstore.Position) error {
	cp, current, err := m.Status(ctx)
	if err != nil || current && !cp.Position.Less(pos) {
		return err
	}
	for {
		// A model of these rules is told by this process's catch-ups when one has covered pos; one of other
		// rules (or none) takes the token, whose catch-up rebuilds it.
		applied, moved := m.applied.at()
		if current && !applied.Less(pos) {
			return nil
		}
		select {
		case m.catchingUp <- struct{}{}:
			return m.catchUpToLocked(ctx, store, pos)
		case <-moved:
		case <-ctx.Done():
			return fmt.Errorf("read model: wait for the catch-up in progress: %w", context.Cause(ctx))
		}
	}
}

// catchUpToLocked is CatchUpTo, the token taken: the catch-up that held it before may have covered pos.
func (m *Model) catchUpToLocked(ctx context.Context, store eventstore.Store, pos eventstore.Position) error {
	defer m.unlock()
	if ok, err := m.covers(ctx, pos); ok || err != nil {
		return err
	}
	_, err := m.catchUpLocked(ctx, store)
	return err
}

// covers reports whether the model is written by these rules and its checkpoint is at pos or after it.
func (m *Model) covers(ctx context.Context, pos eventstore.Position) (bool, error) {
	cp, current, err := m.Status(ctx)
	return current && !cp.Position.Less(pos), err
}

// lock takes the token of this process's catch-ups, or fails when ctx ends first.
func (m *Model) lock(ctx context.Context) error {
	select {
	case m.catchingUp <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("read model: wait for the catch-up in progress: %w", context.Cause(ctx))
	}
}

func (m *Model) unlock() { <-m.catchingUp }

// catchUp is CatchUp, the token taken.
func (m *Model) catchUp(ctx context.Context, store eventstore.Store) (Result, error) {
	head, err := store.Head(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read model: store head: %w", err)
	}
	rules, cp, ok, err := state(ctx, m.db)
	if err != nil {
		return Result{}, err
	}
	reason := ""
	switch {
	case !ok:
		reason = ReasonMissing
	case rules != rulesMeta():
		reason = ReasonRules
	case head.Less(cp.Position):
		reason = ReasonAhead
	default:
		if reason, err = verify(ctx, store, cp); err != nil {
			return Result{}, err
		}
	}
	if m.opts.ReadOnly {
		return Result{Checkpoint: cp}, current(cp, head, reason)
	}
	if reason == "" && cp.Position == head {
		return Result{Checkpoint: cp}, m.advanceClock(ctx)
	}
	if reason == "" {
		res, err := m.applyNew(ctx, store, head)
		if !errors.Is(err, errRebuild) {
			return res, cmp.Or(err, m.advanceClock(ctx))
		}
		reason = res.Reason
	}
	return m.Rebuild(ctx, store, reason)
}

// advanceClock moves the model's clock on to Options.Now once it is Options.ClockStep behind, adding to the
// rollups and month counts the clocked flags whose time came in between, in one transaction.
func (m *Model) advanceClock(ctx context.Context) error {
	now := m.opts.Now().UTC()
	cm, err := modelClock(ctx, m.db)
	if err != nil || now.Sub(cm) < m.opts.ClockStep {
		return err
	}
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("read model: begin: %w", err)
	}
	defer tx.Rollback()
	if cm, err = modelClock(ctx, tx); err != nil || now.Sub(cm) < m.opts.ClockStep { // another process moved it
		return err
	}
	w, err := newWriter(ctx, tx, &m.wstmts, sortPlan{}, cm)
	if err != nil {
		return err
	}
	if err := w.advance(ctx, now); err != nil {
		return err
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("read model: commit: %w", err)
	}
	m.keepStatements(ctx)
	return nil
}

// keepStatements prepares on the writer's pool, once a catch-up's transaction has ended, the statements its
// writers prepared in the transaction, for the next catch-ups to run (see writer.prepare). A text that does not
// prepare is left out: the next transaction prepares it again, and reports its error.
func (m *Model) keepStatements(ctx context.Context) {
	_ = m.wstmts.keepWanted(context.WithoutCancel(ctx), m.wdb)
}

// verify checks that the store holds the checkpoint's event at the checkpoint's position.
func verify(ctx context.Context, store eventstore.Store, cp Checkpoint) (string, error) {
	if cp.Position.IsStart() {
		return "", nil
	}
	for rec, err := range store.ReadStream(ctx, cp.Stream, cp.Revision) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return ReasonForeign, nil
		}
		if err != nil {
			return "", fmt.Errorf("read model: check checkpoint in %s: %w", cp.Stream, err)
		}
		if rec.Revision != cp.Revision || rec.Position != cp.Position || rec.ID.String() != cp.EventID {
			return ReasonForeign, nil
		}
		return "", nil
	}
	return ReasonForeign, nil
}

// errRebuild says an incremental catch-up gave up for a rebuild (Result.Reason says why).
var errRebuild = errors.New("rebuild instead")

// batch is the new events a catch-up applies: the workers whose events it holds, the job orders it changes
// (written again), and among them those with events of their own that a worker's judgement reads (changed),
// whose every worker is judged again: every job order event but a closure, which only the job order's own
// state records (projections.JobOrder.Closed, read by no rule: TestContextEventsCatchUpAsARebuild's closure step), so that closing a
// job order of thousands of workers costs the job order's row. A recruitment changes its job order's list of workers, which no judgement reads (the in-memory
// model's cache forgets the recruited worker alone), so it judges again the recruited worker, not the others.
// Its policy and organisation events (base, among context) add the workers and job orders they reach (see
// reach.go).
type batch struct {
	recs      []eventstore.Recorded
	context   []eventstore.Recorded
	base      []eventstore.Recorded
	workers   map[string]bool
	jobOrders map[string]bool
	changed   map[string]bool
}

// applyNew applies the events after the checkpoint, up to head, in one transaction. Its statements run under
// a context without cancellation, and ctx is checked between its chunks of workers (applyBatch) and before its
// commit, which a context that ended stops: the driver runs each statement, and each row read, of a context
// that can end (a write's request, the follower's) in a goroutine of its own, handed over and back, about a
// tenth of a catch-up's CPU (BenchmarkCatchUpBatch). The new events are read from the store under ctx.
func (m *Model) applyNew(ctx context.Context, store eventstore.Store, head eventstore.Position) (Result, error) {
	stop := ctx
	ctx = context.WithoutCancel(ctx)
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, fmt.Errorf("read model: begin: %w", err)
	}
	defer tx.Rollback()
	_, cp, _, err := state(ctx, tx) // again, inside the transaction: another process may have caught up
	if err != nil {
		return Result{}, err
	}
	if !cp.Position.Less(head) {
		return Result{Checkpoint: cp}, nil
	}
	b, reason, err := m.readNew(stop, store, cp.Position, head)
	if err == nil && reason == "" && len(b.base) > 0 {
		reason, err = m.reach(ctx, tx, b)
	}
	if err != nil || reason != "" {
		return Result{Reason: reason}, cmp.Or(err, errRebuild)
	}
	cm, err := modelClock(ctx, tx)
	if err != nil {
		return Result{}, err
	}
	if err := m.applyBatch(ctx, stop, tx, store, b, cm); err != nil {
		return Result{}, err
	}
	last := checkpointOf(b.recs[len(b.recs)-1])
	if err := writeState(ctx, tx, last); err != nil {
		return Result{}, err
	}
	if err := stop.Err(); err != nil {
		return Result{}, fmt.Errorf("read model: catch up: %w", context.Cause(stop))
	}
	if err := tx.Commit(); err != nil {
		return Result{}, fmt.Errorf("read model: commit: %w", err)
	}
	m.keepStatements(ctx)
	return Result{Applied: len(b.recs), Checkpoint: last}, nil
}

// readNew reads the events after from up to head; reason is set when they call for a rebuild.
func (m *Model) readNew(ctx context.Context, store eventstore.Store, from, head eventstore.Position) (*batch, string, error) {
	b := &batch{workers: map[string]bool{}, jobOrders: map[string]bool{}, changed: map[string]bool{}}
	for rec, err := range store.ReadAll(ctx, from) {
		if err != nil {
			return nil, "", fmt.Errorf("read model: read the store after %s: %w", from, err)
		}
		if head.Less(rec.Position) {
			break
		}
		if len(b.recs) == m.opts.IncrementalLimit {
			return nil, ReasonTooFar, nil
		}
		b.recs = append(b.recs, rec)
		if w, ok := projections.WorkerStreamID(rec.Stream); ok {
			b.workers[w] = true
			if rec.Type == domain.TypeWorkerRecruited {
				f, err := projections.Decode(rec)
				if err != nil {
					return nil, "", err
				}
				b.jobOrders[f.Event.(*domain.WorkerRecruited).JobOrderID] = true
			}
			continue
		}
		f, err := projections.Decode(rec)
		if err != nil {
			return nil, "", err
		}
		b.context = append(b.context, rec)
		je, ok := f.Event.(domain.JobOrderEvent)
		switch {
		case ok && rec.Type == domain.TypeJobOrderClosed:
			b.jobOrders[je.JobOrder()] = true // no judgement of its workers reads a closure (closesNoWorker)
		case ok:
			b.jobOrders[je.JobOrder()], b.changed[je.JobOrder()] = true, true
		case rec.Type == domain.TypeExchangeRatesPublished:
			return nil, ReasonRates, nil
		default: // a policy or an organisation: reach finds whom it changes
			b.base = append(b.base, rec)
		}
	}
	return b, "", nil
}

// applyBatch judges again the workers and job orders the batch changes, from their events read back by
// stream, and writes them; it stops with stop's error, checked between its chunks of workers.
func (m *Model) applyBatch(ctx, stop context.Context, tx *sql.Tx, store eventstore.Store, b *batch, cm time.Time) error {
	for _, rec := range b.context {
		if _, err := insertContext(ctx, tx, rec); err != nil {
			return err
		}
	}
	if err := writeBase(ctx, tx, b); err != nil { // the context's signature with its snapshot
		return err
	}
	if err := addWorkersOf(ctx, tx, b); err != nil {
		return err
	}
	last := b.recs[len(b.recs)-1].Position
	workers, jobOrders := slices.Sorted(maps.Keys(b.workers)), slices.Sorted(maps.Keys(b.jobOrders))
	// A chunk of workers at a time, each on a model of its own, so that a policy reaching many holds few.
	chunk := m.judgeChunk()
	for start := 0; start == 0 || start < len(workers); start += chunk {
		if err := stop.Err(); err != nil {
			return fmt.Errorf("read model: catch up: %w", context.Cause(stop))
		}
		if err := m.judgeChunkOf(ctx, tx, store, b, workers[start:min(start+chunk, len(workers))], jobOrders, last, cm); err != nil {
			return err
		}
		jobOrders = nil // written with the first chunk
	}
	return nil
}

// judgeChunk is how many workers a catch-up judges on one model: about Options.ShardEvents events' worth
// (a worker's history is some fifteen events).
func (m *Model) judgeChunk() int { return int(max(m.opts.ShardEvents/16, 1)) }

// judgeChunkOf judges again workers and job orders, from their events read back by stream up to last, and
// writes them.
func (m *Model) judgeChunkOf(ctx context.Context, tx *sql.Tx, store eventstore.Store, b *batch, workers, jobOrders []string,
	last eventstore.Position, cm time.Time) error {
	// The policies, organisations and rates, as reads have them, and the batch's policies and organisations
	// after them (a rates table rebuilds instead).
	pm, err := m.base(ctx, projections.Filter{})
	if err != nil {
		return err
	}
	if err := applyBase(pm, b.base); err != nil {
		return err
	}
	needed := make(map[string]bool, len(jobOrders))
	for _, jo := range jobOrders {
		needed[jo] = true
	}
	for _, w := range workers {
		if err := loadWorker(ctx, store, pm, w, last, needed); err != nil {
			return err
		}
	}
	if err := loadJobOrders(ctx, tx, pm, needed); err != nil {
		return err
	}
	return writeJudged(ctx, tx, &m.wstmts, pm, workers, jobOrders, cm)
}

// addWorkersOf adds to the batch the workers of the job orders whose own events it holds.
func addWorkersOf(ctx context.Context, tx *sql.Tx, b *batch) error {
	for jo := range b.changed {
		rows, err := tx.QueryContext(ctx, recruitedForSQL, jo)
		if err != nil {
			return fmt.Errorf("read model: workers of %s: %w", jo, err)
		}
		for rows.Next() {
			var w string
			if err := rows.Scan(&w); err != nil {
				rows.Close()
				return fmt.Errorf("read model: workers of %s: %w", jo, err)
			}
			b.workers[w] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read model: workers of %s: %w", jo, err)
		}
	}
	return nil
}

// writeJudged writes the judgements of workers and job orders (sorted) by pm, and the rollups they change, with
// the statements kept of tx's pool.
func writeJudged(ctx context.Context, tx *sql.Tx, kept *stmtCache, pm *projections.Model, workers, jobOrders []string, cm time.Time) error {
	v := pm.View(time.Time{}) // judgements do not read the clock
	wr, err := newWriter(ctx, tx, kept, sortPlan{}, cm)
	if err != nil {
		return err
	}
	wr.setRates(v.Reporting("").Rates)
	if err := writeWorkers(ctx, wr, pm, v, workers); err != nil {
		return err
	}
	for _, id := range jobOrders {
		jo, ok := v.JobOrder(id)
		if !ok {
			continue
		}
		if err := wr.jobOrder(ctx, jo, v.JobOrderFlags(id)); err != nil {
			return err
		}
	}
	return wr.flush(ctx)
}
