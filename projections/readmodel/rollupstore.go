package readmodel

import (
	"context"
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
	refsAdd      = refsUpsert + ` RETURNING refs`
	refsDelete   = `DELETE FROM rollup_job_orders WHERE scope = ? AND grouping = ? AND key = ? AND job_order_id = ?`
	monthsInsert = `INSERT INTO rollup_months (scope, grouping, key, months, workers) VALUES (?,?,?,?,?)`
	monthsAdd    = monthsInsert + ` ON CONFLICT DO UPDATE SET workers = workers + excluded.workers RETURNING workers`
	monthsDelete = `DELETE FROM rollup_months WHERE scope = ? AND grouping = ? AND key = ? AND months = ?`
)

// countTable names the statements of a table that keeps a rollup row's counts by one more key (a job order's
// references, the workers of a value of months of wages), and what a count is called in an error.
type countTable struct{ what, insert, add, drop string }

var (
	refsTable   = countTable{"reference to", refsUpsert, refsAdd, refsDelete}
	monthsTable = countTable{"months of wages", monthsInsert, monthsAdd, monthsDelete}
)

// flushCounts adds a row's changes of counts to t, deleting those that fall to none, and returns by how much
// they change the number of positive counts the row holds (in a catch-up; a rebuild's row, written once into an
// empty table, inserts its counts and counts them itself).
func (w *writer) flushCounts(ctx context.Context, t countTable, k rowKey, changes map[string]int64) (int64, error) {
	var counted int64
	for _, c := range slices.Sorted(maps.Keys(changes)) {
		n := changes[c]
		if n == 0 {
			continue
		}
		if w.fresh {
			if _, err := w.exec(ctx, t.insert, k.scope, k.by, k.key, c, n); err != nil {
				return 0, fmt.Errorf("%s %s: %w", t.what, c, err)
			}
			continue
		}
		var now int64
		if err := w.queryRow(ctx, t.add, k.scope, k.by, k.key, c, n).Scan(&now); err != nil {
			return 0, fmt.Errorf("%s %s: %w", t.what, c, err)
		}
		counted += held(now) - held(now-n)
		if now <= 0 {
			if _, err := w.exec(ctx, t.drop, k.scope, k.by, k.key, c); err != nil {
				return 0, fmt.Errorf("%s %s: %w", t.what, c, err)
			}
		}
	}
	return counted, nil
}

// flushRefs adds a row's changes of references by job order to rollup_job_orders and returns by how much they
// change the number of job orders the row counts (in a catch-up).
func (w *writer) flushRefs(ctx context.Context, k rowKey, refs map[string]int64) (int64, error) {
	return w.flushCounts(ctx, refsTable, k, refs)
}

// flushMonthsOf adds a row's changes of workers by months of wages to rollup_months.
func (w *writer) flushMonthsOf(ctx context.Context, k rowKey, months map[string]int64) error {
	_, err := w.flushCounts(ctx, monthsTable, k, months)
	return err
}

// held is 1 for a positive count of references, else 0: whether the row counts the job order.
func held(refs int64) int64 {
	if refs > 0 {
		return 1
	}
	return 0
}
