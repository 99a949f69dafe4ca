package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// Gauges are the figures a metrics scrape reports, read from maintained state: month counts, rollups and
// the flag_raised counter, never by judging workers.
type Gauges struct {
	// Open counts the flags raised at the clock by code.
	Open map[string]int
	// Employers and Agencies count them by employer and by agency, as the flag listing's employer and agency
	// filters select them, less a job order's flags under its own employer as a payer on it.
	Employers, Agencies map[string]int
	// Paid and Owed are the fees paid by workers and owed back to them, per currency, of the workers
	// recruited for a job order.
	Paid, Owed []domain.Money
	// Raised counts by code the flags ever added (flag_raised, which counts the clocked flags, overdue
	// reimbursements and open reports, when the model's clock passes their time), and the clocked flags whose
	// time came from the model's clock to the clock.
	Raised map[string]int64
}

// Gauges reads the metrics' figures at clock.
func (m *Model) Gauges(ctx context.Context, clock time.Time) (Gauges, error) {
	g := Gauges{Open: map[string]int{}, Raised: map[string]int64{}}
	months, err := m.FlagMonths(ctx, projections.FlagQuery{}, clock, Access{})
	if err != nil {
		return g, err
	}
	for _, c := range months {
		g.Open[c.Code] += c.Flags
	}
	total, err := m.Total(ctx, "", clock)
	if err != nil {
		return g, err
	}
	g.Paid, g.Owed = total.WorkerPaid, total.Outstanding
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return g, fmt.Errorf("read model: gauges: %w", err)
	}
	defer tx.Rollback()
	// The clocked flags whose time falls between the model's clock and clock, read once for the three
	// figures they correct.
	_, xs, sign, err := windowToClock(ctx, tx, "", clock)
	if err != nil {
		return g, fmt.Errorf("read model: gauges: %w", err)
	}
	if g.Employers, err = scopeTotals(ctx, tx, "employer:", xs, sign); err != nil {
		return g, fmt.Errorf("read model: gauges: %w", err)
	}
	if g.Agencies, err = scopeTotals(ctx, tx, "agency:", xs, sign); err != nil {
		return g, fmt.Errorf("read model: gauges: %w", err)
	}
	if err := ownPayments(ctx, tx, g.Agencies); err != nil {
		return g, fmt.Errorf("read model: gauges: %w", err)
	}
	if err := raised(ctx, tx, xs, sign, g.Raised); err != nil {
		return g, fmt.Errorf("read model: gauges: %w", err)
	}
	return g, nil
}

// scopeTotals counts the flags raised at clock under each scope of a kind ("employer:", "agency:"), by the
// party's id, corrected by the window xs (of sign) from the model's clock to clock.
func scopeTotals(ctx context.Context, tx *sql.Tx, kind string, xs []*crossing, sign int64) (map[string]int, error) {
	out := map[string]int{}
	rows, err := tx.QueryContext(ctx, `SELECT scope, sum(flags) FROM flag_months WHERE scope >= ? AND scope < ?
		GROUP BY scope`, kind, kind[:len(kind)-1]+";")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var scope string
		var n int
		if err := rows.Scan(&scope, &n); err != nil {
			rows.Close()
			return nil, err
		}
		out[strings.TrimPrefix(scope, kind)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range xs {
		for _, sc := range x.c.Scopes {
			if id, ok := strings.CutPrefix(sc, kind); ok {
				out[id] += int(sign) * len(x.flags)
			}
		}
	}
	for id, n := range out {
		if n <= 0 {
			delete(out, id)
		}
	}
	return out, nil
}

// ownPayments takes out of the agencies' counts a job order's flags listed under its own employer, as a
// payer on it.
func ownPayments(ctx context.Context, tx *sql.Tx, agencies map[string]int) error {
	rows, err := tx.QueryContext(ctx, `SELECT e, count(*) FROM (SELECT json_extract(j.contribution, '$.employer_id') e, f.k
		FROM flags f JOIN job_orders j ON j.job_order_id = f.job_order_id WHERE f.worker_id = '') o
		WHERE EXISTS (SELECT 1 FROM flag_scopes x WHERE x.scope = (SELECT id FROM scopes WHERE name = 'agency:' || o.e) AND x.k = o.k) GROUP BY e`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var employer string
		var n int
		if err := rows.Scan(&employer, &n); err != nil {
			return err
		}
		if agencies[employer] -= n; agencies[employer] <= 0 {
			delete(agencies, employer)
		}
	}
	return rows.Err()
}

// raised adds the flag_raised counter, and the clocked flags whose time came from the model's clock to
// clock (the window xs, of sign).
func raised(ctx context.Context, tx *sql.Tx, xs []*crossing, sign int64, into map[string]int64) error {
	rows, err := tx.QueryContext(ctx, "SELECT code, flags FROM flag_raised")
	if err != nil {
		return err
	}
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			rows.Close()
			return err
		}
		into[code] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if sign < 0 {
		return nil
	}
	for _, x := range xs {
		for _, f := range x.flags {
			into[f.code]++
		}
	}
	return nil
}
