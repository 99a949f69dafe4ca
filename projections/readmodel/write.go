package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// writer writes judgements and rollups within one transaction.
type writer struct {
	tx     *sql.Tx
	fresh  bool // the tables were emptied: nothing old to subtract or delete
	rows   map[rowKey]*row
	months map[monthKey]int64 // changes to flag_months
	raised map[string]int64   // flags added, by code (flag_raised)
	// reports are the changes to report_counts.
	reports map[string]int64
	held    map[heldFlag]int // the flags the owner being written held, by code and time (nil: not known)
	clock   time.Time        // the model's clock, at which the rollups and month counts are kept
	// prepared are the statements run by their text (exec, queryRow, query), prepared once per writer; kept, when
	// not nil, those of the writer's pool that a catch-up's writer takes them from (see prepare).
	prepared map[string]*sql.Stmt
	kept     *stmtCache
	rules    map[string]int64 // flag_rules: the id of each rules array looked up or added
	scopes   map[string]int64 // scopes: the ids read or added
	// flagRows, scopeRows and workerRows write the flags, their scopes and the workers' rows: one by one, or
	// in a rebuild in batches (the flags and scopes sorted by key first).
	flagRows, scopeRows, workerRows rowSink
	money                           *moneyTotals // changes to money_totals and money_months
	// only says which rollup rows are kept (every one when nil): a replay under a filter keeps those it reads.
	only func(scope, by string) bool
	// olds are the stored judgements of the workers a catch-up writes again, read at once (readOld); nil when
	// each is read as it is written.
	olds map[string]*oldWorker
	// sums and monthSums are a rebuild's rollup rows and flag month counts as it holds them until it writes
	// them (see sumRow), their strings interned in names; nil but in a rebuild.
	sums      map[rowKey]*sumRow
	monthSums map[monthID]int64
	names     names
	// scopeRow is the row of a flag scope being written, reused from one to the next.
	scopeRow []any
}

// Heads of the INSERTs of the rows a rebuild writes in batches (rowBatch), and their columns.
const (
	flagRowValues = ` (k, code, worker_id, job_order_id, buyer_ids, event_ids, raised_s, raised_n, clocked, rules,
		rest) VALUES `
	flagInsert   = `INSERT INTO flags` + flagRowValues
	flagCols     = 11
	scopeInsert  = `INSERT OR IGNORE INTO flag_scopes (scope, k) VALUES `
	scopeCols    = 2
	workerInsert = `INSERT OR REPLACE INTO workers (worker_id, job_order_id, employer_id, buyer_ids, agencies, flags,
		unclocked, clocked_from, contribution, ledger) VALUES `
	workerCols = 10
)

// workerFlagsWhere selects a worker's flags.
const workerFlagsWhere = "worker_id = ?"

// Statements a writer runs for each job order, rollup row, rules array and month count it writes, through
// their prepared statements (see exec).
const (
	jobOrderUpsert = `INSERT OR REPLACE INTO job_orders (job_order_id, contribution) VALUES (?,?)`
	refsUpsert     = `INSERT INTO rollup_job_orders (scope, grouping, key, job_order_id, refs) VALUES (?,?,?,?,?)
		ON CONFLICT DO UPDATE SET refs = refs + excluded.refs`
	rulesInsert = `INSERT INTO flag_rules (id, rules) VALUES (?,?)`
	monthUpsert = `INSERT INTO flag_months (scope, month, code, flags) VALUES (?,?,?,?)
		ON CONFLICT DO UPDATE SET flags = flags + excluded.flags`
)

// newWriter prepares a writer in tx at the model's clock: a rebuild's (fresh), sorting its flags by plan,
// when the plan names a directory, else a catch-up's. kept, when not nil, holds statements of the pool tx is of,
// which the writer runs rather than prepare them again (see prepare).
func newWriter(ctx context.Context, tx *sql.Tx, kept *stmtCache, plan sortPlan, clock time.Time) (*writer, error) {
	w := &writer{tx: tx, fresh: plan.dir != "", clock: clock, scopes: map[string]int64{}, rows: map[rowKey]*row{}, months: map[monthKey]int64{}, raised: map[string]int64{},
		prepared: map[string]*sql.Stmt{}, kept: kept, rules: map[string]int64{}}
	if w.fresh {
		w.sums, w.monthSums = map[rowKey]*sumRow{}, map[monthID]int64{}
	}
	var err error
	if w.flagRows, w.scopeRows, w.workerRows, err = w.rowSinks(ctx, plan); err != nil {
		return nil, err
	}
	currencies, err := keptCurrencies(ctx, tx)
	if err != nil {
		return nil, err
	}
	w.money = newMoneyTotals(currencies)
	return w, nil
}

// worker replaces a worker's judgement: its flags, its row and its contribution to the rollups.
func (w *writer) worker(ctx context.Context, j projections.Judgement) error {
	e, err := encodeWorker(j)
	if err != nil {
		return err
	}
	return w.encodedWorker(ctx, e)
}

// encodedWorker replaces a worker's judgement, encoded.
func (w *writer) encodedWorker(ctx context.Context, e encodedWorker) error {
	j := e.j
	owner := "worker " + j.WorkerID
	if err := w.forgetMoney(ctx, j.WorkerID); err != nil {
		return err
	}
	if !e.tallied {
		if err := w.money.worker(&j.Ledger, &e.c, w.only, 1); err != nil {
			return err
		}
	}
	stale, err := w.forget(ctx, owner, "SELECT contribution FROM workers WHERE worker_id = ?", workerFlagsWhere, j.WorkerID)
	if err != nil {
		return err
	}
	if !e.tallied {
		counted := e.c.at(w.clock, e.clocked)
		if err := w.contribute(ctx, &counted, 1); err != nil {
			return err
		}
	}
	if err := w.workerRows.add(ctx, j.WorkerID, j.JobOrderID, j.EmployerID, e.buyersJSON, e.agenciesJSON,
		len(j.Flags), len(j.Flags)-len(e.clocked), firstClocked(e.clocked), e.contribJSON, e.ledgerJSON); err != nil {
		return fmt.Errorf("write worker %s: %w", j.WorkerID, err)
	}
	if err := w.recruitments(ctx, j); err != nil {
		return err
	}
	return w.flags(ctx, owner, stale, e.flags, e.c.Scopes, !e.tallied)
}

// recruitments writes the job orders a worker was recruited for besides its first (rare: the rows of a
// rebuild are written at once, not batched), after removing those a catch-up's earlier judgement wrote.
func (w *writer) recruitments(ctx context.Context, j projections.Judgement) error {
	if !w.fresh {
		if _, err := w.exec(ctx, "DELETE FROM recruitments WHERE worker_id = ?", j.WorkerID); err != nil {
			return fmt.Errorf("delete recruitments of worker %s: %w", j.WorkerID, err)
		}
	}
	for _, jo := range j.OtherJobOrders {
		if _, err := w.exec(ctx, "INSERT OR IGNORE INTO recruitments (worker_id, job_order_id) VALUES (?,?)",
			j.WorkerID, jo); err != nil {
			return fmt.Errorf("write recruitment of worker %s for %s: %w", j.WorkerID, jo, err)
		}
	}
	return nil
}

// jobOrder replaces a job order's own flags and its contribution to the rollups.
func (w *writer) jobOrder(ctx context.Context, jo *projections.JobOrder, flags []domain.Flag) error {
	owner := "job order " + jo.ID
	stale, err := w.forget(ctx, owner, "SELECT contribution FROM job_orders WHERE job_order_id = ?",
		"worker_id = '' AND job_order_id = ?", jo.ID)
	if err != nil {
		return err
	}
	c := jobOrderContribution(jo, flags)
	c.Scopes = scopeNames(jo.BuyerIDs, jo.EmployerID, jo.JobOrderAgencies())
	counted := c.at(w.clock, clockedOf(flags))
	if err := w.contribute(ctx, &counted, 1); err != nil {
		return err
	}
	cj, _ := json.Marshal(c) // plain values: cannot fail
	if _, err := w.exec(ctx, jobOrderUpsert, jo.ID, string(cj)); err != nil {
		return fmt.Errorf("write job order %s: %w", jo.ID, err)
	}
	encoded, err := encodeFlags(owner, flags)
	if err != nil {
		return err
	}
	return w.flags(ctx, owner, stale, encoded, c.Scopes, true)
}

// forget subtracts an owner's old contribution and returns its stored flags (those the condition on flags
// selects) with the scopes of their rows in flag_scopes, which flags deletes or keeps: its contribution read with
// query, unless the writer read its old state beforehand (readOld). Nothing is stale in a rebuild, nor of an
// owner not stored.
func (w *writer) forget(ctx context.Context, owner, query, flagsWhere, id string) (*staleFlags, error) {
	w.held = nil
	if w.fresh {
		return nil, nil
	}
	w.held = map[heldFlag]int{}
	text, stored, found, err := w.oldOf(ctx, query, flagsWhere, id)
	if err != nil {
		return nil, fmt.Errorf("read contribution and flags of %s: %w", owner, err)
	}
	if !found {
		return nil, nil
	}
	var old contribution
	if err := json.Unmarshal([]byte(text), &old); err != nil {
		return nil, fmt.Errorf("contribution of %s: %w", owner, err)
	}
	var clocked []clockedFlag
	for _, f := range stored {
		if f.clocked() {
			clocked = append(clocked, clockedFlag{code: f.code, key: f.k[:min(len(f.k), 12)]})
		}
	}
	counted := old.at(w.clock, clocked)
	if err := w.contribute(ctx, &counted, -1); err != nil {
		return nil, err
	}
	for _, f := range stored {
		w.held[heldFlag{f.code, f.raisedS, f.raisedN}]++
		if !f.clocked() || time.Unix(f.raisedS, int64(f.raisedN)).Before(w.clock) { // as flags counted it
			w.countMonths(f.raisedS, f.code, old.Scopes, -1)
		}
	}
	return &staleFlags{flags: stored, scopes: old.Scopes, where: flagsWhere, id: id}, nil
}

// heldFlag tells an owner's flags apart when they are written again, to count those it did not hold: by code
// and time, as a flag's key also holds its place among its owner's flags, which a new flag shifts.
type heldFlag struct {
	code    string
	raisedS int64
	raisedN int
}

// flags writes an owner's flags with their scopes, and counts them by month unless months is false (a
// tally counted them). Of an owner's stale flags (a catch-up's), those stored as they are written stay, with
// their scope rows (see dropStale).
func (w *writer) flags(ctx context.Context, owner string, stale *staleFlags, flags []encodedFlag, scopes []string, months bool) error {
	kept, err := w.dropStale(ctx, owner, stale, flags, scopes)
	if err != nil {
		return err
	}
	var ids []any // the scopes' ids, boxed once for the owner's flags (looked up at the first flag written)
	for i, e := range flags {
		f, k := e.f, e.k
		at := f.RaisedAt.UTC()
		clocked := 0
		if projections.Clocked(*f) {
			clocked = 1
		} else {
			w.countRaised(f.Code, at)
		}
		if months && (clocked == 0 || at.Before(w.clock)) {
			w.countMonths(at.Unix(), f.Code, scopes, 1) // a clocked flag counts once the model's clock passed it
		}
		if kept != nil && kept[i] == keptRow {
			continue
		}
		if err := w.flagRow(ctx, e, clocked); err != nil {
			return fmt.Errorf("write flag %s of %s: %w", f.Code, owner, err)
		}
		if kept != nil && kept[i] == keptScopes {
			continue
		}
		if ids == nil && len(scopes) > 0 {
			var err error
			if ids, err = w.scopeIDs(ctx, scopes); err != nil {
				return fmt.Errorf("write flag scope of %s: %w", owner, err)
			}
		}
		var boxed any = k // boxed once for its scope rows
		for _, id := range ids {
			// A row of the writer's own, not a variadic one: a sink does not keep it.
			w.scopeRow = append(w.scopeRow[:0], id, boxed)
			if err := w.scopeRows.add(ctx, w.scopeRow...); err != nil {
				return fmt.Errorf("write flag scope of %s: %w", owner, err)
			}
		}
	}
	clear(w.scopeRow)
	return nil
}

// scopeIDs are the ids of flag scopes, in their order, boxed as a statement binds them.
func (w *writer) scopeIDs(ctx context.Context, scopes []string) ([]any, error) {
	ids := make([]any, len(scopes))
	for i, sc := range scopes {
		id, err := w.scopeID(ctx, sc)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// countRaised counts a flag (not clocked) written for the owner as raised when the owner did not hold one of
// its code and time; a rebuild counts instead the growth of each code (countGrowth).
func (w *writer) countRaised(code string, at time.Time) {
	if w.held == nil {
		return
	}
	if h := (heldFlag{code, at.Unix(), at.Nanosecond()}); w.held[h] > 0 {
		w.held[h]--
		return
	}
	w.raised[code]++
}

// contribute adds or subtracts a contribution to the rows of every group it belongs to.
func (w *writer) contribute(ctx context.Context, c *contribution, sign int64) error {
	if len(c.Reports) > 0 && w.reports == nil {
		w.reports = map[string]int64{}
	}
	if w.sums != nil {
		return addContribution(c, sign, w.only, w.reports, w.sumRow)
	}
	return addContribution(c, sign, w.only, w.reports, func(k rowKey) (*row, error) { return w.row(ctx, k) })
}

// adder is a rollup row as a contribution is added to it: a row, or a rebuild's sumRow.
type adder interface {
	add(c *contribution, sign int64) error
}

// addContribution adds or subtracts a contribution to its reports' counts in reports and to the rows, got
// with row, of every group it belongs to (of those only keeps, when it is not nil).
func addContribution[R adder](c *contribution, sign int64, only func(scope, by string) bool,
	reports map[string]int64, row func(rowKey) (R, error)) error {
	for k, n := range c.Reports {
		reports[k] += sign * n
	}
	for _, scope := range c.scopes() {
		for _, by := range rollupGroupings {
			if only != nil && !only(scope, by) {
				continue
			}
			for _, key := range c.groupKeys(by, scope) {
				r, err := row(rowKey{scope, by, key})
				if err != nil {
					return err
				}
				if err := r.add(c, sign); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// row returns a rollup row as the writer changes it: in a rebuild (fresh) the row itself, in a catch-up the
// changes made to it in this transaction, which flushRow adds to the row stored (a worker judged again
// usually counts under its rows as before, and those it does not change are then neither read nor written).
func (w *writer) row(_ context.Context, k rowKey) (*row, error) {
	if r := w.rows[k]; r != nil {
		return r, nil
	}
	r := newRow()
	w.rows[k] = r
	return r, nil
}

// storedRow reads a rollup row for a catch-up to add its changes to, and the count of its job orders; a row
// not stored is new (and counts none). Its months of wages are not read: their changes are added to their rows
// of rollup_months (flushMonthsOf).
func (w *writer) storedRow(ctx context.Context, k rowKey) (r *row, jobOrders int64, err error) {
	r = newRow()
	var flags, money string
	err = w.queryRow(ctx, `SELECT workers, flagged_workers, flags, money, substituted_workers, job_orders
		FROM rollups WHERE scope = ? AND grouping = ? AND key = ?`, k.scope, k.by, k.key).Scan(&r.Workers, &r.Flagged,
		&flags, &money, &r.Substituted, &jobOrders)
	if errors.Is(err, sql.ErrNoRows) {
		return r, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read rollup %v: %w", k, err)
	}
	if err := readCounts(flags, r.Counts); err != nil {
		return nil, 0, err
	}
	r.storedMoney, r.lazyMoney = money, true
	return r, jobOrders, nil
}

// flush writes the rows touched.
func (w *writer) flush(ctx context.Context) error {
	for _, s := range []rowSink{w.flagRows, w.scopeRows, w.workerRows} {
		if s == nil {
			continue
		}
		if err := s.flush(ctx); err != nil {
			return err
		}
	}
	if err := w.flushRows(ctx); err != nil {
		return err
	}
	if err := w.money.flush(ctx, w.tx); err != nil {
		return err
	}
	if err := w.flushReports(ctx); err != nil {
		return err
	}
	w.foldMonths()
	return w.flushMonths(ctx)
}
