package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// A rollup row's job order references (rollup_job_orders) and months of wages (rollup_months) are kept a row
// per job order and per value, so that a catch-up writes what a worker's change touches: at 600,000 workers a
// scope's total row counts tens of thousands of job orders and thousands of values of months, which counting
// again, or a histogram written again as one text, cost a post more the larger the store grew.

// Statements of a rollup row's references and months of wages, run through the writer's prepared statements.
const (
	refsDelete   = `DELETE FROM rollup_job_orders WHERE scope = ? AND grouping = ? AND key = ? AND job_order_id = ?`
	monthsInsert = `INSERT INTO rollup_months (scope, grouping, key, months, workers) VALUES (?,?,?,?,?)`
	monthsDelete = `DELETE FROM rollup_months WHERE scope = ? AND grouping = ? AND key = ? AND months = ?`
)

// Statements that add a catch-up's changes of references and months of wages, of every row it changed, to
// their tables at once: the changes a JSON array of [scope, grouping, key, job order or months, change], each
// count's new value returned ("WHERE true" tells the upsert's ON from a join's).
const (
	refsAddAll = `INSERT INTO rollup_job_orders (scope, grouping, key, job_order_id, refs)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?) WHERE true
		ON CONFLICT DO UPDATE SET refs = refs + excluded.refs RETURNING scope, grouping, key, job_order_id, refs`
	monthsAddAll = `INSERT INTO rollup_months (scope, grouping, key, months, workers)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?) WHERE true
		ON CONFLICT DO UPDATE SET workers = workers + excluded.workers RETURNING scope, grouping, key, months, workers`
)

// countTable names the statements of a table that keeps a rollup row's counts by one more key (a job order's
// references, the workers of a value of months of wages), and what a count is called in an error.
type countTable struct{ what, insert, addAll, drop string }

var (
	refsTable   = countTable{"reference to", refsUpsert, refsAddAll, refsDelete}
	monthsTable = countTable{"months of wages", monthsInsert, monthsAddAll, monthsDelete}
)

// countKey is a count of a rollup row in a countTable: the row's key and the count's (a job order, a value of
// months).
type countKey struct {
	row rowKey
	c   string
}

// flushAllCounts adds a catch-up's changes of references and months of wages, of the rows it changed (keys,
// in their order), to their tables with a statement each rather than one per count, deleting the counts that
// fall to none, and returns by how much each row's number of job orders changes.
func (w *writer) flushAllCounts(ctx context.Context, keys []rowKey) (map[rowKey]int64, error) {
	var refs, months []countKey
	for _, k := range keys {
		d := w.rows[k]
		if d == nil || d.unchanged() {
			continue
		}
		refs = appendCounts(refs, k, d.jobOrders)
		months = appendCounts(months, k, d.Months)
	}
	counted := map[rowKey]int64{}
	// Every count added is of a row of w.rows: the statements return the keys they were given.
	err := w.addCounts(ctx, refsTable, refs, func(c countKey) int64 { return w.rows[c.row].jobOrders[c.c] },
		func(c countKey, n, now int64) { counted[c.row] += held(now) - held(now-n) })
	if err != nil {
		return nil, err
	}
	err = w.addCounts(ctx, monthsTable, months, func(c countKey) int64 { return w.rows[c.row].Months[c.c] }, nil)
	return counted, err
}

// appendCounts appends to cs a row's counts that change (not by zero), in their order.
func appendCounts(cs []countKey, k rowKey, changes map[string]int64) []countKey {
	for _, c := range slices.Sorted(maps.Keys(changes)) {
		if changes[c] != 0 {
			cs = append(cs, countKey{k, c})
		}
	}
	return cs
}

// addCounts adds the changes of counts cs (change says each one's) to t in one statement, tells counted each
// one's change and new value (when counted is not nil), and deletes the counts that fall to none.
func (w *writer) addCounts(ctx context.Context, t countTable, cs []countKey, change func(countKey) int64,
	counted func(c countKey, n, now int64)) error {
	if len(cs) == 0 {
		return nil
	}
	list := make([][5]any, len(cs))
	for i, c := range cs {
		list[i] = [5]any{c.row.scope, c.row.by, c.row.key, c.c, change(c)}
	}
	text, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("%s: %w", t.what, err)
	}
	rows, err := w.query(ctx, t.addAll, string(text))
	if err != nil {
		return fmt.Errorf("%s: %w", t.what, err)
	}
	var drop []countKey
	for rows.Next() {
		var c countKey
		var now int64
		if err := rows.Scan(&c.row.scope, &c.row.by, &c.row.key, &c.c, &now); err != nil {
			rows.Close()
			return fmt.Errorf("%s: %w", t.what, err)
		}
		if counted != nil {
			counted(c, change(c), now)
		}
		if now <= 0 {
			drop = append(drop, c)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("%s: %w", t.what, err)
	}
	for _, c := range drop {
		if _, err := w.exec(ctx, t.drop, c.row.scope, c.row.by, c.row.key, c.c); err != nil {
			return fmt.Errorf("%s %s: %w", t.what, c.c, err)
		}
	}
	return nil
}

// insertCounts writes a rebuild's row's counts into t, empty before (a catch-up adds its changes to the counts
// stored: flushAllCounts).
func (w *writer) insertCounts(ctx context.Context, t countTable, k rowKey, counts map[string]int64) error {
	for _, c := range slices.Sorted(maps.Keys(counts)) {
		if n := counts[c]; n != 0 {
			if _, err := w.exec(ctx, t.insert, k.scope, k.by, k.key, c, n); err != nil {
				return fmt.Errorf("%s %s: %w", t.what, c, err)
			}
		}
	}
	return nil
}

// held is 1 for a positive count of references, else 0: whether the row counts the job order.
func held(refs int64) int64 {
	if refs > 0 {
		return 1
	}
	return 0
}
