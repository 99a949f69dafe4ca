package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// monthKey names a flag_months row: the flags raised in a month with a code, listed under a scope ("" for
// every flag).
type monthKey struct{ scope, month, code string }

// monthOf is the month (YYYY-MM, UTC) a flag raised at unix second s is counted in.
func monthOf(s int64) string { return time.Unix(s, 0).UTC().Format("2006-01") }

// countMonths adds sign to the month counts of a flag raised at unix second s with code, under every flag
// ("") and each of its scopes.
func (w *writer) countMonths(s int64, code string, scopes []string, sign int64) {
	countMonths(w.months, s, code, scopes, sign)
}

// countMonths adds sign to months, the counts of a flag raised at unix second s with code, under every flag
// ("") and each of its scopes.
func countMonths(months map[monthKey]int64, s int64, code string, scopes []string, sign int64) {
	month := monthOf(s)
	months[monthKey{"", month, code}] += sign
	for _, sc := range scopes {
		months[monthKey{sc, month, code}] += sign
	}
}

// flushMonths writes the month counts changed, in key order, and deletes the rows that fell to zero.
func (w *writer) flushMonths(ctx context.Context) error {
	keys := slices.SortedFunc(maps.Keys(w.months), func(a, b monthKey) int {
		return compareStrings(a.scope, b.scope, a.month, b.month, a.code, b.code)
	})
	for _, k := range keys {
		n := w.months[k]
		if n == 0 {
			continue
		}
		if _, err := w.exec(ctx, monthUpsert, k.scope, k.month, k.code, n); err != nil {
			return fmt.Errorf("write flag count %s/%s/%s: %w", k.scope, k.month, k.code, err)
		}
		if n < 0 {
			if _, err := w.exec(ctx, `DELETE FROM flag_months WHERE scope = ? AND month = ? AND code = ?
				AND flags <= 0`, k.scope, k.month, k.code); err != nil {
				return fmt.Errorf("delete flag count %s/%s/%s: %w", k.scope, k.month, k.code, err)
			}
		}
	}
	clear(w.months)
	for _, code := range slices.Sorted(maps.Keys(w.raised)) {
		if err := addRaised(ctx, w.tx, code, w.raised[code]); err != nil {
			return err
		}
	}
	clear(w.raised)
	return nil
}

// addRaised adds n flags of a code to flag_raised.
func addRaised(ctx context.Context, tx *sql.Tx, code string, n int64) error {
	if n <= 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO flag_raised (code, flags) VALUES (?, ?)
		ON CONFLICT DO UPDATE SET flags = flags + excluded.flags`, code, n)
	if err != nil {
		return fmt.Errorf("count flags raised %s: %w", code, err)
	}
	return nil
}

// codeTotals counts every flag by code, from flag_months.
func codeTotals(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT code, sum(flags) FROM flag_months WHERE scope = '' GROUP BY code")
	if err != nil {
		return nil, fmt.Errorf("count flags by code: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			return nil, fmt.Errorf("count flags by code: %w", err)
		}
		out[code] = n
	}
	return out, rows.Err()
}

// countGrowth adds to flag_raised, for a rebuild, the growth of each code other than the clocked ones (raised
// when their time comes, projections.Clocked) since before.
func countGrowth(ctx context.Context, tx *sql.Tx, before map[string]int64) error {
	after, err := codeTotals(ctx, tx)
	if err != nil {
		return err
	}
	for _, code := range slices.Sorted(maps.Keys(after)) {
		if projections.Clocked(domain.Flag{Code: code}) {
			continue
		}
		if err := addRaised(ctx, tx, code, after[code]-before[code]); err != nil {
			return err
		}
	}
	return nil
}

// compareStrings compares pairs (a1, b1), (a2, b2), ... in turn.
func compareStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != pairs[i+1] {
			if pairs[i] < pairs[i+1] {
				return -1
			}
			return 1
		}
	}
	return 0
}
