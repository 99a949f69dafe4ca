package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// keysIn is the condition (" AND key IN (...)") and arguments that narrow a rollup query of a scope and
// grouping to keys; no condition for nil keys.
func keysIn(keys []string, scope, by string) (string, []any) {
	args := []any{scope, by}
	if keys == nil {
		return "", args
	}
	for _, k := range keys {
		args = append(args, k)
	}
	return " AND key IN " + placeholders(len(keys)), args
}

// Total is a scope's total at clock, each worker counted once: the rows by job order of a buyer's supply
// chain (or of every supply chain for buyer "") added up, with no group or key. It reads one rollup row.
func (m *Model) Total(ctx context.Context, buyer string, clock time.Time) (projections.AuditRow, error) {
	st, err := m.Standing(ctx, buyer, clock, 0)
	return st.Total, err
}

// Standing is a scope's total and its worst employers and agencies (CompareWorst).
type Standing struct {
	Total               projections.AuditRow
	Employers, Agencies []projections.AuditRow
}

// Standing reads a scope's total and its n worst employers and agencies at clock (none for n = 0) in one
// transaction, from the rollups: the total row, and the worst rows by their maintained counts with a LIMIT.
func (m *Model) Standing(ctx context.Context, buyer string, clock time.Time, n int) (Standing, error) {
	var st Standing
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("read model: total: %w", err)
	}
	defer tx.Rollback()
	rows, err := readRows(ctx, tx, buyer, byAll, []string{""}, false)
	if err != nil {
		return st, err
	}
	corr, err := clockCorrections(ctx, tx, buyer, byAll, clock)
	if err != nil {
		return st, err
	}
	correct(rows, corr)
	st.Total = projections.AuditRow{Flags: map[string]int{}}
	if out := auditRows(rows, "", nil); len(out) > 0 {
		st.Total = out[0]
	}
	if n == 0 {
		return st, nil
	}
	if st.Employers, err = worst(ctx, tx, buyer, projections.ByEmployer, clock, n); err != nil {
		return st, err
	}
	st.Agencies, err = worst(ctx, tx, buyer, projections.ByAgency, clock, n)
	return st, err
}

// CompareWorst orders audit rows worst first: most flagged workers, then most workers, then by key.
func CompareWorst(a, b projections.AuditRow) int {
	return cmp.Or(cmp.Compare(b.FlaggedWorkers, a.FlaggedWorkers), cmp.Compare(b.Workers, a.Workers), cmp.Compare(a.Key, b.Key))
}

// Worst returns the n worst groups of an audit at clock (CompareWorst).
func (m *Model) Worst(ctx context.Context, q projections.AuditQuery, clock time.Time, n int) ([]projections.AuditRow, error) {
	by, err := grouping(q)
	if err != nil {
		return nil, err
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read model: worst groups: %w", err)
	}
	defer tx.Rollback()
	return worst(ctx, tx, q.BuyerID, by, clock, n)
}

// worst reads the n worst groups of a grouping within a scope from the rollups in the order of their
// maintained counts with a LIMIT: n rows and one more for each group the read's clock corrects, and the
// groups it corrects. Among them are the n worst: a group left out is uncorrected and no worse than n
// uncorrected groups read.
func worst(ctx context.Context, tx *sql.Tx, scope, by string, clock time.Time, n int) ([]projections.AuditRow, error) {
	corr, err := clockCorrections(ctx, tx, scope, by, clock)
	if err != nil {
		return nil, err
	}
	keys, err := worstKeys(ctx, tx, scope, by, n+len(corr))
	if err != nil {
		return nil, err
	}
	for k := range corr {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	rows, err := readRows(ctx, tx, scope, by, keys, false)
	if err != nil {
		return nil, err
	}
	correct(rows, corr)
	names, err := orgNames(ctx, tx, keys)
	if err != nil {
		return nil, err
	}
	out := auditRows(rows, by, names)
	slices.SortFunc(out, CompareWorst)
	return out[:min(n, len(out))], nil
}

// worstKeys are the keys of the first n rows of a grouping within a scope by their maintained counts.
func worstKeys(ctx context.Context, tx *sql.Tx, scope, by string, n int) ([]string, error) {
	rs, err := tx.QueryContext(ctx, `SELECT key FROM rollups WHERE scope = ? AND grouping = ?
		ORDER BY flagged_workers DESC, workers DESC, key LIMIT ?`, scope, by, n)
	if err != nil {
		return nil, fmt.Errorf("read model: worst groups: %w", err)
	}
	defer rs.Close()
	keys := []string{}
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			return nil, fmt.Errorf("read model: worst groups: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rs.Err()
}
