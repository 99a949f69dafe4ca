package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// maxShards bounds the passes a rebuild makes over the store.
const maxShards = 64

// Rebuild writes the model again from every event of the store, in one transaction: the model it replaces
// stays in place until the new one is committed. reason is logged.
func (m *Model) Rebuild(ctx context.Context, store eventstore.Store, reason string) (Result, error) {
	if m.opts.ReadOnly {
		return Result{}, fmt.Errorf("rebuild (%s): %w", reason, ErrReadOnly)
	}
	head, err := store.Head(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read model: store head: %w", err)
	}
	m.opts.Logger.Info("rebuilding the read model", "path", m.path, "reason", reason, "head", head.String())
	started := time.Now()
	tx, release, err := m.rebuildTx(ctx)
	if err != nil {
		return Result{}, err
	}
	defer release()
	before, err := codeTotals(ctx, tx)
	if err != nil {
		return Result{}, fmt.Errorf("read model: %w", err)
	}
	for _, t := range dataTables { // dropped, not emptied: a model of an older layout gets this one's
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return Result{}, fmt.Errorf("read model: drop %s: %w", t, err)
		}
	}
	if err := beginLoad(ctx, tx); err != nil {
		return Result{}, err
	}
	clock := m.opts.Now().UTC()
	w, err := newWriter(ctx, tx, true, clock)
	if err != nil {
		return Result{}, err
	}
	// Workers are split into passes by ranges of a hash of their id. The first pass guesses the store's size
	// from its head (exact for the embedded store, whose positions count events); once it has counted the
	// events, the rest of the workers are split to hold about ShardEvents events each.
	passes := min(1+head.Commit/m.opts.ShardEvents, maxShards)
	var cp Checkpoint
	var lo uint64
	for pass := uint64(0); lo < hashSpace; pass++ {
		hi := lo + (hashSpace-lo)/max(passes-pass, 1)
		var events uint64
		if cp, events, err = m.rebuildPass(ctx, store, tx, w, head, workerRange{lo, hi}, pass, passes); err != nil {
			return Result{}, err
		}
		if pass == 0 && hi < hashSpace {
			whole := float64(1 + events/m.opts.ShardEvents) // passes the whole store needs
			rest := math.Ceil(whole * float64(hashSpace-hi) / hashSpace)
			passes = min(1+uint64(max(rest, 1)), maxShards)
		}
		lo = hi
	}
	if err := w.flush(ctx); err != nil {
		return Result{}, err
	}
	if err := endLoad(ctx, tx); err != nil {
		return Result{}, err
	}
	if err := countGrowth(ctx, tx, before); err != nil {
		return Result{}, fmt.Errorf("read model: %w", err)
	}
	if err := writeClock(ctx, tx, clock); err != nil {
		return Result{}, err
	}
	if err := writeState(ctx, tx, cp); err != nil {
		return Result{}, err
	}
	if err := tx.Commit(); err != nil {
		return Result{}, fmt.Errorf("read model: commit: %w", err)
	}
	m.opts.Logger.Info("read model rebuilt", "path", m.path, "checkpoint", cp.Position.String(),
		"passes", passes, "took", time.Since(started).Round(time.Millisecond).String())
	return Result{Rebuilt: true, Reason: reason, Checkpoint: cp}, nil
}

// rebuildTx begins a rebuild's transaction on a connection of its own, whose sorts (the indexes endLoad
// builds) use every core; release ends it (rolling back unless it was committed) and gives the connection
// back as the others are.
func (m *Model) rebuildTx(ctx context.Context) (tx *sql.Tx, release func(), err error) {
	conn, err := m.db.Conn(ctx)
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

// hashSpace is the range of workerHash.
const hashSpace = 1 << 63

// workerRange is the workers whose hash is in [lo, hi).
type workerRange struct{ lo, hi uint64 }

func (r workerRange) has(worker string) bool {
	h := workerHash(worker)
	return r.lo <= h && h < r.hi
}

func workerHash(worker string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(worker))
	return h.Sum64() >> 1
}

// rebuildPass makes one pass over the store up to head, judging the workers of a range, and counts the
// events; the first pass also writes the job orders, policies and organisations.
func (m *Model) rebuildPass(ctx context.Context, store eventstore.Store, tx *sql.Tx, w *writer,
	head eventstore.Position, workers workerRange, pass, passes uint64) (Checkpoint, uint64, error) {
	var cp Checkpoint
	var context []eventstore.Recorded
	var n uint64
	opts := projections.RebuildOptions{Until: head, Observe: func(rec eventstore.Recorded) error {
		cp = checkpointOf(rec)
		if _, ok := projections.WorkerStreamID(rec.Stream); !ok && pass == 0 {
			context = append(context, rec)
		}
		if n++; n%8192 == 0 && m.opts.Progress != nil {
			m.opts.Progress(pass*head.Commit+rec.Position.Commit, max(passes, pass+1)*head.Commit)
		}
		return nil
	}}
	if workers != (workerRange{0, hashSpace}) {
		opts.Keep = workers.has
	}
	pm, err := projections.RebuildWith(ctx, store, projections.Filter{}, opts)
	if err != nil {
		return cp, n, fmt.Errorf("read model: rebuild pass %d: %w", pass+1, err)
	}
	v := pm.View(time.Time{}) // judgements do not read the clock
	for _, id := range pm.JobOrderIDs() {
		v.JobOrder(id) // built before judging on every core, which only reads them
	}
	if err := judgeAll(ctx, v, pm.WorkerIDs(), func(e encodedWorker) error { return w.encodedWorker(ctx, e) }); err != nil {
		return cp, n, err
	}
	if pass == 0 {
		if err := writeContext(ctx, tx, w, v, pm.JobOrderIDs(), context); err != nil {
			return cp, n, err
		}
	}
	if m.opts.Progress != nil {
		m.opts.Progress((pass+1)*head.Commit, max(passes, pass+1)*head.Commit)
	}
	return cp, n, nil
}

// judgeAll judges and encodes workers on every core and hands each to write, on the calling goroutine.
func judgeAll(ctx context.Context, v *projections.View, ids []string, write func(encodedWorker) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := judgeParts(ctx, v, ids)
	stop := func(err error) error {
		cancel()
		for range done { // let the judges finish
		}
		return err
	}
	for p := range done {
		if p.err != nil {
			return stop(p.err)
		}
		for _, j := range p.js {
			if err := write(j); err != nil {
				return stop(err)
			}
		}
	}
	return ctx.Err()
}

// judgedPart is a chunk of workers judged and encoded, or the error that stopped it.
type judgedPart struct {
	js  []encodedWorker
	err error
}

// judgeParts judges and encodes the workers a chunk at a time on every core, until ctx ends; the channel is
// closed once every judge has stopped.
func judgeParts(ctx context.Context, v *projections.View, ids []string) <-chan judgedPart {
	const chunk = 256
	todo := make(chan int)
	done := make(chan judgedPart, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for start := range todo {
				select {
				case done <- judgePart(v, ids[start:min(start+chunk, len(ids))]):
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(todo)
		for start := 0; start < len(ids); start += chunk {
			select {
			case todo <- start:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	return done
}

// judgePart judges and encodes the workers ids names (those with an admitted event).
func judgePart(v *projections.View, ids []string) judgedPart {
	var p judgedPart
	for _, id := range ids {
		j, ok := v.Judge(id)
		if !ok {
			continue
		}
		e, err := encodeWorker(j)
		if err != nil {
			return judgedPart{err: err}
		}
		p.js = append(p.js, e)
	}
	return p
}

// writeContext writes the job orders' flags and contributions, the organisations and the events that are not
// a worker's.
func writeContext(ctx context.Context, tx *sql.Tx, w *writer, v *projections.View, jobOrders []string,
	recs []eventstore.Recorded) error {
	for _, id := range jobOrders {
		jo, ok := v.JobOrder(id)
		if !ok {
			continue
		}
		if err := w.jobOrder(ctx, jo, v.JobOrderFlags(id)); err != nil {
			return err
		}
	}
	for _, rec := range recs {
		if err := insertContext(ctx, tx, rec); err != nil {
			return err
		}
		if rec.Type != domain.TypeOrganisationRegistered {
			continue
		}
		f, err := projections.Decode(rec)
		if err != nil {
			return err
		}
		o := f.Event.(*domain.OrganisationRegistered)
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO orgs (org_id, name, role, sort_name) VALUES (?,?,?,?)",
			o.OrgID, o.Name, o.Role, strings.ToLower(o.Name)); err != nil {
			return fmt.Errorf("read model: store organisation %s: %w", o.OrgID, err)
		}
	}
	return nil
}
