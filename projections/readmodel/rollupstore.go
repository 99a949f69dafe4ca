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

// flushRefs adds a row's changes of references by job order to rollup_job_orders, deleting those that fall to
// none, and returns by how much they change the number of job orders the row counts (in a catch-up; a
// rebuild's row counts its references itself).
func (w *writer) flushRefs(ctx context.Context, k rowKey, refs map[string]int64) (int64, error) {
	var counted int64
	for _, jo := range slices.Sorted(maps.Keys(refs)) {
		n := refs[jo]
		if n == 0 {
			continue
		}
		if w.fresh {
			if _, err := w.exec(ctx, refsUpsert, k.scope, k.by, k.key, jo, n); err != nil {
				return 0, fmt.Errorf("reference to %s: %w", jo, err)
			}
			continue
		}
		var now int64
		if err := w.queryRow(ctx, refsAdd, k.scope, k.by, k.key, jo, n).Scan(&now); err != nil {
			return 0, fmt.Errorf("reference to %s: %w", jo, err)
		}
		counted += held(now) - held(now-n)
		if now <= 0 {
			if _, err := w.exec(ctx, refsDelete, k.scope, k.by, k.key, jo); err != nil {
				return 0, fmt.Errorf("reference to %s: %w", jo, err)
			}
		}
	}
	return counted, nil
}

// flushMonthsOf adds a row's changes of workers by months of wages to rollup_months, deleting the values that
// fall to none (a rebuild's row, written once into an empty table, inserts its histogram).
func (w *writer) flushMonthsOf(ctx context.Context, k rowKey, months map[string]int64) error {
	for _, m := range slices.Sorted(maps.Keys(months)) {
		n := months[m]
		if n == 0 {
			continue
		}
		if w.fresh {
			if _, err := w.exec(ctx, monthsInsert, k.scope, k.by, k.key, m, n); err != nil {
				return fmt.Errorf("months of wages %s: %w", m, err)
			}
			continue
		}
		var now int64
		if err := w.queryRow(ctx, monthsAdd, k.scope, k.by, k.key, m, n).Scan(&now); err != nil {
			return fmt.Errorf("months of wages %s: %w", m, err)
		}
		if now <= 0 {
			if _, err := w.exec(ctx, monthsDelete, k.scope, k.by, k.key, m); err != nil {
				return fmt.Errorf("months of wages %s: %w", m, err)
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
