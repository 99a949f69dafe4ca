package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	return by, nil
}

// Audit answers an audit at clock from the maintained rollups: it reads the rows of the groups it returns,
// then takes back the clocked flags (overdue reimbursements, open reports) the clock has not reached.
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
	rows, err := readRows(ctx, tx, q.BuyerID, by, nil)
	if err != nil {
		return nil, err
	}
	ps, err := pendingClocked(ctx, tx, q.BuyerID, clock)
	if err != nil {
		return nil, err
	}
	correct(rows, corrections(ps, q.BuyerID, by))
	names, err := orgNames(ctx, tx, slices.Collect(maps.Keys(rows)))
	if err != nil {
		return nil, err
	}
	return auditRows(rows, by, names), nil
}

// auditedRow is a rollup row with its job order count.
type auditedRow struct {
	*row
	jobOrders int
}

// readRows reads the rollup rows of a grouping within a scope: those of keys, or all for nil keys.
func readRows(ctx context.Context, tx *sql.Tx, scope, by string, keys []string) (map[string]*auditedRow, error) {
	out := map[string]*auditedRow{}
	only, args := keysIn(keys, scope, by)
	rs, err := tx.QueryContext(ctx, `SELECT key, workers, flagged_workers, flags, money FROM rollups
		WHERE scope = ? AND grouping = ?`+only, args...)
	if err != nil {
		return nil, fmt.Errorf("read model: audit rows: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		r := &auditedRow{row: newRow()}
		var key, flags, money string
		if err := rs.Scan(&key, &r.Workers, &r.Flagged, &flags, &money); err != nil {
			return nil, fmt.Errorf("read model: audit rows: %w", err)
		}
		if err := readCounts(flags, r.Counts); err != nil {
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

// correction is what the clocked flags not yet raised at a clock take out of a rollup row: flags by code (in
// domain.FlagCodes order), and flagged workers.
type correction struct {
	counts  []int64
	flagged int64
}

// pending is a worker with clocked flags (overdue reimbursements, open reports) the clock has not reached:
// the groups it counts in (as its contribution names them), how many flags it has in all, and how many of
// them are pending, in all and by code.
type pending struct {
	c        contribution
	flags, n int64
	codes    []int64
}

// pendingClocked lists the workers of a scope (a buyer, or "" for every supply chain) with clocked flags
// raised at clock or later (the rollups and month counts hold every flag a worker will ever raise). It seeks
// them in the flag index from the clock's key, within the buyer's scope for a buyer, so it costs what those
// flags are.
func pendingClocked(ctx context.Context, tx *sql.Tx, scope string, clock time.Time) ([]pending, error) {
	query, args := `SELECT f.worker_id, f.code, w.job_order_id, w.employer_id, w.buyer_ids, w.agencies, w.flags
		FROM flags f JOIN workers w ON w.worker_id = f.worker_id WHERE f.k >= ? AND f.clocked = 1`, []any{clockKey(clock)}
	if scope != "" {
		query, args = `SELECT f.worker_id, f.code, w.job_order_id, w.employer_id, w.buyer_ids, w.agencies, w.flags
			FROM flag_scopes s JOIN flags f ON f.k = s.k JOIN workers w ON w.worker_id = f.worker_id
			WHERE s.scope = ? AND s.k >= ? AND f.clocked = 1`, []any{"buyer:" + scope, clockKey(clock)}
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read model: clocked flags after the clock: %w", err)
	}
	defer rows.Close()
	at := map[string]int{}
	var out []pending
	for rows.Next() {
		var id, code, buyers, agencies string
		var p pending
		if err := rows.Scan(&id, &code, &p.c.JobOrder, &p.c.Employer, &buyers, &agencies, &p.flags); err != nil {
			return nil, fmt.Errorf("read model: clocked flags after the clock: %w", err)
		}
		c := slices.Index(domain.FlagCodes, code)
		if i, ok := at[id]; ok {
			out[i].n++
			if c >= 0 {
				out[i].codes[c]++
			}
			continue
		}
		if err := errors.Join(json.Unmarshal([]byte(buyers), &p.c.Buyers), json.Unmarshal([]byte(agencies), &p.c.Agencies)); err != nil {
			return nil, fmt.Errorf("read model: worker %s: %w", id, err)
		}
		p.c.Worker, p.c.Scopes, p.n = true, scopeNames(p.c.Buyers, p.c.Employer, p.c.Agencies), 1
		p.codes = make([]int64, len(domain.FlagCodes))
		if c >= 0 {
			p.codes[c]++
		}
		at[id] = len(out)
		out = append(out, p)
	}
	return out, rows.Err()
}

// corrections are what pending clocked flags take out of the rows of a grouping within a scope; a worker all
// of whose flags are pending is no longer counted as flagged.
func corrections(ps []pending, scope, by string) map[string]*correction {
	out := map[string]*correction{}
	for _, p := range ps {
		for _, key := range p.c.groupKeys(by, scope) {
			if out[key] == nil {
				out[key] = &correction{counts: make([]int64, len(domain.FlagCodes))}
			}
			for i, n := range p.codes {
				out[key].counts[i] += n
			}
			if p.flags == p.n {
				out[key].flagged++
			}
		}
	}
	return out
}

// correct applies corrections to the rows they name.
func correct(rows map[string]*auditedRow, corr map[string]*correction) {
	for key, c := range corr {
		if r := rows[key]; r != nil {
			for i, n := range c.counts {
				r.Counts[i] -= n
			}
			r.Flagged -= c.flagged
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
