package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// Rebuild writes the model again from every event of the store: the model it replaces stays in place until
// the new one is complete. When no other process has the model open, and the store is larger than a shard
// (Options.ShardEvents), it builds the new model into a file of its own and puts that file in place
// (rebuildFresh); else it writes it in one transaction inside the model (rebuildInPlace). reason is logged.
func (m *Model) Rebuild(ctx context.Context, store eventstore.Store, reason string) (Result, error) {
	if m.opts.ReadOnly {
		return Result{}, fmt.Errorf("rebuild (%s): %w", reason, ErrReadOnly)
	}
	head, err := store.Head(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read model: store head: %w", err)
	}
	started := time.Now()
	var cp Checkpoint
	// A store that fits in a shard makes a small model, which costs little to write twice: the rename's cost
	// (syncing the file, every connection made again) is not worth it there.
	if m.file != nil && head.Commit > m.opts.ShardEvents && m.file.tryExclusive() {
		m.opts.Logger.Info("rebuilding the read model", "path", m.path, "reason", reason, "head", head.String(),
			"into", freshPath(m.path))
		cp, err = m.rebuildFresh(ctx, store, head)
		err = errors.Join(err, m.file.shared())
	} else {
		m.opts.Logger.Info("rebuilding the read model", "path", m.path, "reason", reason, "head", head.String())
		if m.file != nil {
			if err := m.file.shared(); err != nil {
				return Result{}, err
			}
		}
		cp, err = m.rebuildInPlace(ctx, store, head)
	}
	if err != nil {
		return Result{}, err
	}
	m.opts.Logger.Info("read model rebuilt", "path", m.path, "checkpoint", cp.Position.String(),
		"took", time.Since(started).Round(time.Millisecond).String())
	return Result{Rebuilt: true, Reason: reason, Checkpoint: cp}, nil
}

// rebuildInPlace writes the model again in one transaction: until it commits, every reader sees the model it
// replaces.
func (m *Model) rebuildInPlace(ctx context.Context, store eventstore.Store, head eventstore.Position) (Checkpoint, error) {
	tx, release, err := m.rebuildTx(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	defer release()
	before, err := codeTotals(ctx, tx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read model: %w", err)
	}
	for _, t := range dataTables { // dropped, not emptied: a model of an older layout gets this one's
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return Checkpoint{}, fmt.Errorf("read model: drop %s: %w", t, err)
		}
	}
	cp, err := m.fill(ctx, store, tx, head, before)
	if err != nil {
		return cp, err
	}
	committing := time.Now()
	if err := tx.Commit(); err != nil {
		return cp, fmt.Errorf("read model: commit: %w", err)
	}
	m.opts.Logger.Info("read model: rebuild step done", "step", "commit", "took", time.Since(committing).Round(time.Millisecond).String())
	return cp, nil
}

// fill writes, in tx, a model of the store up to head into empty tables (those of flag_raised and
// money_currencies kept), before being the flags by code of the model it replaces (countGrowth).
func (m *Model) fill(ctx context.Context, store eventstore.Store, tx *sql.Tx, head eventstore.Position,
	before map[string]int64) (Checkpoint, error) {
	if err := beginLoad(ctx, tx); err != nil {
		return Checkpoint{}, err
	}
	if err := keepCurrencies(ctx, tx, m.opts.Currencies); err != nil {
		return Checkpoint{}, err
	}
	clock := m.opts.Now().UTC()
	cp, err := m.loadAll(ctx, store, tx, clock, head)
	if err != nil {
		return cp, err
	}
	if err := countGrowth(ctx, tx, before); err != nil {
		return cp, fmt.Errorf("read model: %w", err)
	}
	if err := writeClock(ctx, tx, clock); err != nil {
		return cp, err
	}
	if err := writeContextSnapshot(ctx, tx); err != nil {
		return cp, err
	}
	return cp, writeState(ctx, tx, cp)
}

// loadAll judges every worker and job order of the store up to head and writes them, their flags and the
// rollups into the tables beginLoad created, then indexes them (endLoad).
func (m *Model) loadAll(ctx context.Context, store eventstore.Store, tx *sql.Tx, clock time.Time,
	head eventstore.Position) (Checkpoint, error) {
	dir := sortDir(m.path)
	if err := os.RemoveAll(dir); err != nil { // what a rebuild killed midway left
		return Checkpoint{}, fmt.Errorf("read model: remove old sort directory: %w", err)
	}
	defer os.RemoveAll(dir)
	w, err := newWriter(ctx, tx, nil, sortPlan{dir: dir, runBytes: m.opts.SortRunBytes}, clock)
	if err != nil {
		return Checkpoint{}, err
	}
	step := m.stepTimer()
	judging := batchCollector()
	defer judging()
	cp, err := m.load(ctx, store, tx, w, head)
	if err != nil {
		return cp, err
	}
	judging()
	// Under batchCollector the heap grew to the process's soft memory limit; SQLite's writes and index sorts
	// now take memory of their own, outside it. Give the heap's pages back first, else the two add up (2.3 GiB
	// peak at 600,000 workers, above issue 8's 2 GiB). A process without a limit (fairtrail sets one always:
	// cmd/fairtrail's limitMemory) kept its collector as it was, and has no such heap to give back: there the
	// forced collection and release only cost, a tenth of a small model's rebuild in the tests.
	if memoryLimited() {
		debug.FreeOSMemory()
	}
	step("judge")
	if err := w.flush(ctx); err != nil {
		return cp, err
	}
	step("write the flags and their scopes in key order, the workers and the rollups")
	if err := endLoad(ctx, tx); err != nil {
		return cp, err
	}
	step("create the indexes")
	return cp, nil
}

// stepTimer returns a function that logs a step of a rebuild done, with the time since the step before.
func (m *Model) stepTimer() func(name string) {
	last := time.Now()
	return func(name string) {
		m.opts.Logger.Info("read model: rebuild step done", "step", name, "took",
			time.Since(last).Round(time.Millisecond).String())
		last = time.Now()
	}
}

// sortDir is the directory a rebuild of the model at path writes its sorts' runs to.
func sortDir(path string) string { return path + ".sort" }

// rebuildTx begins a rebuild's transaction on a connection of its own, whose sorts (the indexes endLoad
// builds) use every core; release ends it (rolling back unless it was committed) and gives the connection
// back as the others are.
func (m *Model) rebuildTx(ctx context.Context) (tx *sql.Tx, release func(), err error) {
	conn, err := m.wdb.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read model: connect: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA threads = %d", runtime.GOMAXPROCS(0))); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("read model: sort threads: %w", err)
	}
	release = func() {
		if tx != nil {
			tx.Rollback()
		}
		conn.ExecContext(context.Background(), "PRAGMA threads = 0") // best effort: only a sort's speed
		conn.Close()
	}
	if tx, err = conn.BeginTx(ctx, nil); err != nil {
		release()
		return nil, nil, fmt.Errorf("read model: begin: %w", err)
	}
	return tx, release, nil
}

// load judges every worker and job order of the store up to head and writes them with w, reading each event
// once. A store that fits in a shard (ShardEvents, guessed from its head: exact for the embedded store, whose
// positions count events) is judged as it is read; a larger one has its workers' events spilled to files by
// worker and judged a shard at a time (see spill).
func (m *Model) load(ctx context.Context, store eventstore.Store, tx *sql.Tx, w *writer,
	head eventstore.Position) (Checkpoint, error) {
	if head.Commit <= m.opts.ShardEvents {
		return m.loadInMemory(ctx, store, tx, w, head)
	}
	return m.loadSpilled(ctx, store, tx, w, head)
}

// loadInMemory reads the whole store into one model and judges every worker of it.
func (m *Model) loadInMemory(ctx context.Context, store eventstore.Store, tx *sql.Tx, w *writer,
	head eventstore.Position) (Checkpoint, error) {
	var last lastRead
	var context []eventstore.Recorded
	var n uint64
	pm, err := projections.RebuildWith(ctx, store, projections.Filter{}, projections.RebuildOptions{Until: head,
		Observe: func(rec eventstore.Recorded) error {
			last.see(rec)
			if _, ok := projections.WorkerStreamID(rec.Stream); !ok {
				context = append(context, rec)
			}
			if n++; n%8192 == 0 {
				m.progress(rec.Position.Commit, head.Commit)
			}
			return nil
		}})
	cp := last.checkpoint()
	if err != nil {
		return cp, fmt.Errorf("read model: read the store: %w", err)
	}
	v := pm.View(time.Time{}) // one view: writeContext uses the job orders judging built
	w.setRates(v.Reporting("").Rates)
	if err := judgeModel(ctx, w, pm, v); err != nil {
		return cp, err
	}
	if err := writeContext(ctx, tx, w, v, pm.JobOrderIDs(), context); err != nil {
		return cp, err
	}
	m.progress(head.Commit, head.Commit)
	return cp, nil
}

// loadSpilled reads the store once into a model of every event that is not a worker's, spilling the workers'
// events, then judges the workers a shard at a time, each on a fork of that model. Its progress counts the
// read as the first half of the work.
func (m *Model) loadSpilled(ctx context.Context, store eventstore.Store, tx *sql.Tx, w *writer,
	head eventstore.Position) (Checkpoint, error) {
	sp, err := newSpill(spillDir(m.path))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read model: %w", err)
	}
	defer sp.remove()
	base, others, cp, err := m.readSpilling(ctx, store, head, sp)
	if err != nil {
		return cp, err
	}
	bv := base.View(time.Time{})
	w.setRates(bv.Reporting("").Rates) // the shards' forks share base's rates
	if err := writeContext(ctx, tx, w, bv, base.JobOrderIDs(), others); err != nil {
		return cp, err
	}
	others = nil
	spilled, done := sp.events(0, spillBuckets), uint64(0)
	ctx, cancel := context.WithCancel(ctx)
	shards := prepareShards(ctx, sp, base, m.opts.ShardEvents)
	defer func() {
		cancel()
		for range shards { // let the preparing goroutine end
		}
	}()
	for sh := range shards {
		if sh.err != nil {
			return cp, sh.err
		}
		if err := judgeModel(ctx, w, sh.pm, sh.pm.View(time.Time{})); err != nil {
			return cp, err
		}
		done += sh.events
		m.progress(head.Commit+head.Commit*done/max(spilled, 1), 2*head.Commit)
	}
	if err := ctx.Err(); err != nil { // the shards stopped short
		return cp, fmt.Errorf("read model: judge the shards: %w", err)
	}
	return cp, nil
}

// preparedShard is a shard's model, ready to judge, with the events it holds, or the error that stopped it.
type preparedShard struct {
	pm     *projections.Model
	events uint64
	err    error
}

// prepareShards reads back, decodes and applies the spilled shards in turn, each on a fork of base, one shard
// ahead of the caller: the next shard is prepared while the one before it is judged and written, so that the
// goroutine that writes does not wait for it. The channel is closed after the last shard, an error, or the end
// of ctx.
func prepareShards(ctx context.Context, sp *spill, base *projections.Model, limit uint64) <-chan preparedShard {
	out := make(chan preparedShard)
	go func() {
		defer close(out)
		for _, sh := range sp.shards(limit) {
			pm, err := shardModel(ctx, sp, sh[0], sh[1], base.ForkWithJobOrders())
			if err != nil {
				err = fmt.Errorf("read model: shard of buckets %d-%d: %w", sh[0], sh[1]-1, err)
			}
			select {
			case out <- preparedShard{pm: pm, events: sp.events(sh[0], sh[1]), err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out
}

// readSpilling reads the store up to head once: it returns a model of every event that is not a worker's,
// those events as stored, and the checkpoint of the last event read, and spills the workers' events to sp.
func (m *Model) readSpilling(ctx context.Context, store eventstore.Store, head eventstore.Position,
	sp *spill) (*projections.Model, []eventstore.Recorded, Checkpoint, error) {
	var last lastRead
	var context []eventstore.Recorded
	var n uint64
	base, err := projections.RebuildWith(ctx, store, projections.Filter{}, projections.RebuildOptions{Until: head,
		Keep: func(string) bool { return false },
		Observe: func(rec eventstore.Recorded) error {
			last.see(rec)
			if n++; n%8192 == 0 {
				m.progress(rec.Position.Commit, 2*head.Commit)
			}
			if worker, ok := projections.WorkerStreamID(rec.Stream); ok {
				return sp.add(worker, rec)
			}
			context = append(context, rec)
			return nil
		}})
	if err == nil {
		err = sp.finish()
	}
	cp := last.checkpoint()
	if err != nil {
		return nil, nil, cp, fmt.Errorf("read model: read the store: %w", err)
	}
	return base, context, cp, nil
}

// lastRead is the last event a rebuild's read of the store saw, whose checkpoint the model records: made a
// Checkpoint once, when the read ends, rather than for each of the store's events (its id's text is an
// allocation each: 10.9 million at 600,000 workers).
type lastRead struct {
	pos      eventstore.Position
	stream   string
	revision uint64
	id       domain.EventID
	seen     bool
}

// see records rec as the last event read.
func (l *lastRead) see(rec eventstore.Recorded) {
	*l = lastRead{pos: rec.Position, stream: rec.Stream, revision: rec.Revision, id: rec.ID, seen: true}
}

// checkpoint is the checkpoint of the last event read, the zero Checkpoint when none was.
func (l *lastRead) checkpoint() Checkpoint {
	if !l.seen {
		return Checkpoint{}
	}
	return checkpointOf(eventstore.Recorded{Position: l.pos, Stream: l.stream, Revision: l.revision, ID: l.id})
}

// judgeModel judges and writes every worker of pm, on every core, with v, a view of pm (at any clock:
// judgements do not read it).
func judgeModel(ctx context.Context, w *writer, pm *projections.Model, v *projections.View) error {
	for _, id := range pm.JobOrderIDs() {
		v.JobOrder(id) // built before judging on every core, which only reads them
	}
	return judgeAll(ctx, w, v, pm.WorkerIDs())
}

// progress reports the work done, when asked to.
func (m *Model) progress(done, total uint64) {
	if m.opts.Progress != nil {
		m.opts.Progress(done, total)
	}
}
