package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// TestCatchUpsKeepRollupRowsOfValuesAndJobOrders writes contributions as catch-ups do, a transaction at a time,
// and checks after each the scope's total row: its workers and job orders, and its rows of rollup_months and
// rollup_job_orders, those that fall to none deleted with the row once it counts nothing.
func TestCatchUpsKeepRollupRowsOfValuesAndJobOrders(t *testing.T) {
	t.Parallel()
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	worker := func(jobOrder, months string) *contribution {
		return &contribution{Worker: true, JobOrder: jobOrder, Employer: "emp-1", Buyers: []string{"buyer-1"},
			Counts: make([]int64, len(domain.FlagCodes)), Months: months}
	}
	type change struct {
		c    *contribution
		sign int64
	}
	for _, step := range []struct {
		name    string
		changes []change
		want    string
	}{
		{"two workers of two job orders", []change{{worker("jo-1", "1.5"), 1}, {worker("jo-2", "2"), 1}},
			"workers 2, job orders 2; months 1.5:1 2:1; refs jo-1:1 jo-2:1"},
		{"a third of the first job order", []change{{worker("jo-1", "2"), 1}},
			"workers 3, job orders 2; months 1.5:1 2:2; refs jo-1:2 jo-2:1"},
		{"a worker's months changed", []change{{worker("jo-1", "1.5"), -1}, {worker("jo-1", "3"), 1}},
			"workers 3, job orders 2; months 2:2 3:1; refs jo-1:2 jo-2:1"},
		{"the second job order's worker gone", []change{{worker("jo-2", "2"), -1}},
			"workers 2, job orders 1; months 2:1 3:1; refs jo-1:2"},
		{"a worker judged again as before", []change{{worker("jo-1", "3"), -1}, {worker("jo-1", "3"), 1}},
			"workers 2, job orders 1; months 2:1 3:1; refs jo-1:2"},
		{"every worker gone", []change{{worker("jo-1", "3"), -1}, {worker("jo-1", "2"), -1}},
			"no row; months; refs"},
	} {
		writeChanges(t, m, func(ctx context.Context, w *writer) error {
			for _, ch := range step.changes {
				if err := w.contribute(ctx, ch.c, ch.sign); err != nil {
					return err
				}
			}
			return nil
		})
		if got := totalRow(t, m); got != step.want {
			t.Fatalf("after %s: %s, want %s", step.name, got, step.want)
		}
	}
}

// writeChanges runs write with a catch-up's writer in one transaction, and commits it.
func writeChanges(t *testing.T, m *Model, write func(context.Context, *writer) error) {
	t.Helper()
	ctx := context.Background()
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	w, err := newWriter(ctx, tx, nil, sortPlan{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := write(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := w.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// totalRow describes every supply chain's total rollup row and its rows of months and references.
func totalRow(t *testing.T, m *Model) string {
	t.Helper()
	var b strings.Builder
	var workers, jobOrders int64
	err := m.db.QueryRow(`SELECT workers, job_orders FROM rollups WHERE scope = '' AND grouping = 'all' AND
		key = ''`).Scan(&workers, &jobOrders)
	switch {
	case err == nil:
		fmt.Fprintf(&b, "workers %d, job orders %d", workers, jobOrders)
	case errors.Is(err, sql.ErrNoRows):
		b.WriteString("no row")
	default:
		t.Fatal(err)
	}
	for _, q := range []struct{ name, sql string }{
		{"months", "SELECT months, workers FROM rollup_months WHERE scope = '' AND grouping = 'all' ORDER BY months"},
		{"refs", "SELECT job_order_id, refs FROM rollup_job_orders WHERE scope = '' AND grouping = 'all' ORDER BY 1"},
	} {
		sep := "; " + q.name
		rows, err := m.db.Query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s:%d", sep, k, n)
			sep = ""
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		b.WriteString(sep)
	}
	return b.String()
}
