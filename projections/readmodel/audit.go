package readmodel

import (
	"context"
	"database/sql"
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
// reporting currency it reads the rows' money kept in it (see keep and inCurrency).
func (m *Model) Audit(ctx context.Context, q projections.AuditQuery, clock time.Time) ([]projections.AuditRow, error) {
	by, err := grouping(q)
	if err != nil {
		return nil, err
	}
	if err := m.keep(ctx, q.Currency); err != nil {
		return nil, err
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read model: audit: %w", err)
	}
	defer tx.Rollback()
	rows, err := readRows(ctx, tx, q.BuyerID, by, nil, false)
	if err != nil {
		return nil, err
	}
	corr, err := clockCorrections(ctx, tx, q.BuyerID, by, clock)
	if err != nil {
		return nil, err
	}
	correct(rows, corr)
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

// readRows reads the rollup rows of a grouping within a scope: those of keys, or all for nil keys. Their
// months-of-wages histograms, which only agency scorecards summarise, are read when months is set.
func readRows(ctx context.Context, tx *sql.Tx, scope, by string, keys []string,
	months bool) (map[string]*auditedRow, error) {
	out := map[string]*auditedRow{}
	only, args := keysIn(keys, scope, by)
	monthsCol := "'{}'"
	if months {
		monthsCol = rollupMonthsSQL
	}
	rs, err := tx.QueryContext(ctx, `SELECT key, workers, flagged_workers, flags, money, substituted_workers, `+monthsCol+`
		FROM rollups WHERE scope = ? AND grouping = ?`+only, args...)
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
	jr, err := tx.QueryContext(ctx, `SELECT key, count(*) FROM rollup_job_orders WHERE scope = ? AND grouping = ?`+
		only+` GROUP BY key`, args...)
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

// correction is what a read's clock changes in a rollup row kept at the model's clock: flags by code (in
// domain.FlagCodes order), and flagged workers.
type correction struct {
	counts  []int64
	flagged int64
}

// clockCorrections are the corrections of a grouping's rows within a buyer's scope ("" for every supply
// chain) from the model's clock to clock.
func clockCorrections(ctx context.Context, tx *sql.Tx, buyer, by string, clock time.Time) (map[string]*correction, error) {
	scope := ""
	if buyer != "" {
		scope = "buyer:" + buyer
	}
	cm, xs, sign, err := windowToClock(ctx, tx, scope, clock)
	if err != nil {
		return nil, err
	}
	return corrections(xs, sign, buyer, by, cm, clock), nil
}

// correct applies corrections to the rows they name.
func correct(rows map[string]*auditedRow, corr map[string]*correction) {
	for key, c := range corr {
		if r := rows[key]; r != nil {
			for i, n := range c.counts {
				r.Counts[i] += n
			}
			r.Flagged += c.flagged
		}
	}
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
