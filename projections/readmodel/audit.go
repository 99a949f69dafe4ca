package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// ErrGrouping is returned for an audit grouping that is not one of projections.Groupings.
var ErrGrouping = fmt.Errorf("unknown grouping (one of %s)", strings.Join(projections.Groupings, ", "))

func grouping(q projections.AuditQuery) (string, error) {
	by := q.By
	if by == "" {
		by = projections.ByBuyer
	}
	if !slices.Contains(projections.Groupings, by) {
		return "", fmt.Errorf("audit: %q: %w", by, ErrGrouping)
	}
	if q.Currency != "" {
		if err := projections.CheckCurrency(q.Currency); err != nil {
			return "", fmt.Errorf("audit: %w", err)
		}
	}
	return by, nil
}

// Audit answers an audit at clock from the maintained rollups: it reads the rows of the groups it returns,
// then takes back the clocked flags (overdue reimbursements, open reports) the clock has not reached. In a
// reporting currency it converts the stored ledgers of the workers in scope (see inCurrency).
func (m *Model) Audit(ctx context.Context, q projections.AuditQuery, clock time.Time) ([]projections.AuditRow, error) {
	by, err := grouping(q)
	if err != nil {
		return nil, err
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read model: audit: %w", err)
	}
	defer tx.Rollback()
	rows, err := readRows(ctx, tx, q.BuyerID, by)
	if err != nil {
		return nil, err
	}
	if err := notYetRaised(ctx, tx, rows, q.BuyerID, by, clock); err != nil {
		return nil, err
	}
	names, err := orgNames(ctx, tx, slices.Collect(maps.Keys(rows)))
	if err != nil {
		return nil, err
	}
	out := auditRows(rows, by, names)
	if q.Currency != "" {
		if err := inCurrency(ctx, tx, out, q, by, clock); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auditedRow is a rollup row with its job order count.
type auditedRow struct {
	*row
	jobOrders int
}

func readRows(ctx context.Context, tx *sql.Tx, scope, by string) (map[string]*auditedRow, error) {
	out := map[string]*auditedRow{}
	rs, err := tx.QueryContext(ctx, `SELECT key, workers, flagged_workers, flags, money, substituted_workers, months
		FROM rollups WHERE scope = ? AND grouping = ?`, scope, by)
	if err != nil {
		return nil, fmt.Errorf("read model: audit rows: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		r := &auditedRow{row: newRow()}
		var key, flags, money, months string
		if err := rs.Scan(&key, &r.Workers, &r.Flagged, &flags, &money, &r.Substituted, &months); err != nil {
			return nil, fmt.Errorf("read model: audit rows: %w", err)
		}
		if err := readCounts(flags, r.Counts); err != nil {
			return nil, err
		}
		if err := r.readMonths(months); err != nil {
			return nil, err
		}
		if err := r.readMoney(money); err != nil {
			return nil, err
		}
		out[key] = r
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read model: audit rows: %w", err)
	}
	jr, err := tx.QueryContext(ctx, `SELECT key, count(*) FROM rollup_job_orders WHERE scope = ? AND grouping = ?
		GROUP BY key`, scope, by)
	if err != nil {
		return nil, fmt.Errorf("read model: audit job orders: %w", err)
	}
	defer jr.Close()
	for jr.Next() {
		var key string
		var n int
		if err := jr.Scan(&key, &n); err != nil {
			return nil, fmt.Errorf("read model: audit job orders: %w", err)
		}
		if r := out[key]; r != nil {
			r.jobOrders = n
		}
	}
	return out, jr.Err()
}

// notYetRaised takes out of the rows the clocked flags (fee.reimbursement_overdue, worker.report_open) raised
// after clock: the rollups count every flag a worker will ever raise.
func notYetRaised(ctx context.Context, tx *sql.Tx, rows map[string]*auditedRow, scope, by string, clock time.Time) error {
	c := clock.UTC()
	rs, err := tx.QueryContext(ctx, `SELECT f.worker_id, w.contribution, f.code, count(*) FROM flags f
		JOIN workers w ON w.worker_id = f.worker_id
		WHERE f.clocked = 1 AND (f.raised_s > ? OR (f.raised_s = ? AND f.raised_n >= ?))
		GROUP BY f.worker_id, f.code ORDER BY f.worker_id`, c.Unix(), c.Unix(), c.Nanosecond())
	if err != nil {
		return fmt.Errorf("read model: audit: clocked flags after the clock: %w", err)
	}
	defer rs.Close()
	var worker, text, prevWorker, prevText string
	later := make([]int64, len(domain.FlagCodes)) // one worker's flags raised after the clock, by code
	for rs.Next() {
		var code string
		var n int64
		if err := rs.Scan(&worker, &text, &code, &n); err != nil {
			return fmt.Errorf("read model: audit: %w", err)
		}
		if worker != prevWorker && prevWorker != "" {
			if err := takeBack(rows, prevText, later, scope, by); err != nil {
				return err
			}
			clear(later)
		}
		prevWorker, prevText = worker, text
		if i := slices.Index(domain.FlagCodes, code); i >= 0 {
			later[i] += n
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("read model: audit: %w", err)
	}
	if prevWorker != "" {
		return takeBack(rows, prevText, later, scope, by)
	}
	return nil
}

// takeBack subtracts one worker's flags not yet raised from the rows of the worker's groups; a worker all of
// whose flags are not yet raised is no longer counted as flagged.
func takeBack(rows map[string]*auditedRow, text string, later []int64, scope, by string) error {
	var c contribution
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		return fmt.Errorf("read model: audit: worker contribution: %w", err)
	}
	if scope != "" && !slices.Contains(c.Buyers, scope) {
		return nil
	}
	var n int64
	for _, k := range later {
		n += k
	}
	for _, key := range c.groupKeys(by, scope) {
		if r := rows[key]; r != nil {
			for i, k := range later {
				r.Counts[i] -= k
			}
			if c.total() == n {
				r.Flagged--
			}
		}
	}
	return nil
}

func orgNames(ctx context.Context, tx *sql.Tx, keys []string) (map[string]string, error) {
	names := map[string]string{}
	for _, k := range keys {
		var name string
		err := tx.QueryRowContext(ctx, "SELECT name FROM orgs WHERE org_id = ?", k).Scan(&name)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read model: organisation %s: %w", k, err)
		}
		names[k] = name
	}
	return names, nil
}

func auditRows(rows map[string]*auditedRow, by string, names map[string]string) []projections.AuditRow {
	out := make([]projections.AuditRow, 0, len(rows))
	for _, key := range slices.Sorted(maps.Keys(rows)) {
		r := rows[key]
		flags := map[string]int{}
		for i, n := range r.Counts {
			if n > 0 {
				flags[domain.FlagCodes[i]] = int(n)
			}
		}
		out = append(out, projections.AuditRow{Group: by, Key: key, Name: names[key], JobOrders: r.jobOrders,
			Workers: int(r.Workers), FlaggedWorkers: int(r.Flagged), Flags: flags, WorkerPaid: r.money(colPaid),
			Reimbursed: r.money(colReimbursed), Outstanding: r.money(colOutstanding), WageShortfall: r.money(colShortfall)})
	}
	return out
}
