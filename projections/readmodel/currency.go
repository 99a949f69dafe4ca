package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// Rates returns the rates tables the model holds, as a book that converts with them.
func (m *Model) Rates(ctx context.Context) (*domain.RateBook, error) {
	return ratesOf(ctx, m.db)
}

func ratesOf(ctx context.Context, q queryer) (*domain.RateBook, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+contextColumns+" FROM context_events WHERE type = ? ORDER BY commit_pos, prepare_pos",
		domain.TypeExchangeRatesPublished)
	if err != nil {
		return nil, fmt.Errorf("read model: rates: %w", err)
	}
	defer rows.Close()
	book := &domain.RateBook{}
	if err := eachContextFact(rows, "rates", func(f projections.Fact) {
		if e, ok := f.Event.(*domain.ExchangeRatesPublished); ok {
			book.Add(f.ID, e)
		}
	}); err != nil {
		return nil, err
	}
	return book, nil
}

// inCurrency adds to audit rows their money in the query's reporting currency and their months of wages: in a
// currency the model keeps, from the rows' rollup_money and months histograms (a read that costs the groups it
// returns); in another, from the stored ledger of each worker in scope (scanCurrency).
func inCurrency(ctx context.Context, tx *sql.Tx, out []projections.AuditRow, q projections.AuditQuery, by string,
	clock time.Time) error {
	kept, err := keptCurrencies(ctx, tx)
	if err != nil {
		return err
	}
	if !slices.Contains(kept, q.Currency) {
		return scanCurrency(ctx, tx, out, q, by, clock)
	}
	var keys []string // nil: every row of the grouping, for a read of many
	if len(out) <= maxKeysIn {
		keys = make([]string, len(out))
		for i, r := range out {
			keys[i] = r.Key
		}
	}
	money, err := groupMoney(ctx, tx, q.Currency, q.BuyerID, by, keys, clock)
	if err != nil {
		return err
	}
	for i := range out {
		r := money[out[i].Key]
		if r == nil {
			r = projections.NewRollupMoney(q.Currency)
		}
		out[i].Converted, out[i].MonthsOfWages = r.Converted(), r.Months()
	}
	return nil
}

// maxKeysIn is how many rows a read names in its query at most; it reads a grouping's every row beyond.
const maxKeysIn = 500

// groupMoney reads the money in a kept reporting currency of a grouping's rollup rows within a scope (those of
// keys, or every one for nil keys), at clock, with their workers' months of wages.
func groupMoney(ctx context.Context, tx *sql.Tx, currency, scope, by string, keys []string,
	clock time.Time) (map[string]*projections.RollupMoney, error) {
	out := map[string]*projections.RollupMoney{}
	get := func(key string) *projections.RollupMoney {
		r := out[key]
		if r == nil {
			r = projections.NewRollupMoney(currency)
			out[key] = r
		}
		return r
	}
	if err := groupMonths(ctx, tx, scope, by, keys, get); err != nil {
		return nil, err
	}
	only, args := keysIn(keys, scope, by)
	rs, err := tx.QueryContext(ctx, `SELECT key, figure, deadline, in_currency, total FROM rollup_money
		WHERE scope = ? AND grouping = ?`+only+` AND currency = ?`, append(args, currency)...)
	if err != nil {
		return nil, fmt.Errorf("read model: audit money in %s: %w", currency, err)
	}
	defer rs.Close()
	for rs.Next() {
		var key, name, deadline, in, text string
		if err := rs.Scan(&key, &name, &deadline, &in, &text); err != nil {
			return nil, fmt.Errorf("read model: audit money in %s: %w", currency, err)
		}
		if err := addTotal(get(key), currency, name, deadline, in, text, clock); err != nil {
			return nil, err
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read model: audit money in %s: %w", currency, err)
	}
	return out, nil
}

// groupMonths counts the workers of a grouping's rollup rows (those of keys, or every one) by their months of
// wages into the rows get returns: the rows' histograms, and the workers they leave out as without a figure.
func groupMonths(ctx context.Context, tx *sql.Tx, scope, by string, keys []string,
	get func(string) *projections.RollupMoney) error {
	only, args := keysIn(keys, scope, by)
	rs, err := tx.QueryContext(ctx, `SELECT key, workers, `+rollupMonthsSQL+` FROM rollups WHERE scope = ? AND grouping = ?`+only, args...)
	if err != nil {
		return fmt.Errorf("read model: audit months of wages: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var key, text string
		var workers int64
		if err := rs.Scan(&key, &workers, &text); err != nil {
			return fmt.Errorf("read model: audit months of wages: %w", err)
		}
		var hist map[string]int64
		if err := decodeHistogram(text, &hist); err != nil {
			return fmt.Errorf("read model: months of wages of %s: %w", key, err)
		}
		r := get(key)
		for months, n := range hist {
			r.AddMonths(months, int(n))
			workers -= n
		}
		r.AddMonths("", int(workers))
	}
	return rs.Err()
}

// scanCurrency adds to audit rows their money in the query's reporting currency and their months of wages,
// from each worker's stored ledger: no worker is judged again (rates tables change the ledgers only by a
// rebuild). It reads every worker in the query's scope: the path of a currency the model does not keep.
func scanCurrency(ctx context.Context, tx *sql.Tx, out []projections.AuditRow, q projections.AuditQuery, by string,
	clock time.Time) error {
	book, err := ratesOf(ctx, tx)
	if err != nil {
		return err
	}
	money := projections.NewCurrencyRollups(projections.Reporting{Currency: q.Currency, Rates: book, Clock: clock})
	query, args := "SELECT worker_id, job_order_id, employer_id, buyer_ids, agencies, ledger FROM workers", []any{}
	if q.BuyerID != "" { // narrowed in SQL, then checked exactly
		query, args = query+" WHERE instr(buyer_ids, ?) > 0", []any{q.BuyerID}
	}
	rs, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read model: audit in %s: %w", q.Currency, err)
	}
	defer rs.Close()
	for rs.Next() {
		var c contribution
		var id, buyers, agencies, ltext string
		if err := rs.Scan(&id, &c.JobOrder, &c.Employer, &buyers, &agencies, &ltext); err != nil {
			return fmt.Errorf("read model: audit in %s: %w", q.Currency, err)
		}
		if err := errors.Join(json.Unmarshal([]byte(buyers), &c.Buyers), json.Unmarshal([]byte(agencies), &c.Agencies)); err != nil {
			return fmt.Errorf("read model: parties of worker %s: %w", id, err)
		}
		if q.BuyerID != "" && !slices.Contains(c.Buyers, q.BuyerID) {
			continue
		}
		l, err := decodeLedger(ltext)
		if err != nil {
			return fmt.Errorf("read model: ledger of worker %s: %w", id, err)
		}
		money.Add(c.groupKeys(by, q.BuyerID), &l)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("read model: audit in %s: %w", q.Currency, err)
	}
	money.Fill(out)
	return nil
}

// Reporting returns what converts money into currency for a query under filter judged at clock: the rates
// tables the model holds, or under a time filter those the filter keeps.
func (m *Model) Reporting(ctx context.Context, currency string, filter projections.Filter, clock time.Time) (projections.Reporting, error) {
	if err := projections.CheckCurrency(currency); err != nil {
		return projections.Reporting{}, err
	}
	if filter != (projections.Filter{}) {
		cm, err := m.contextModel(ctx, filter)
		if err != nil {
			return projections.Reporting{}, err
		}
		return cm.View(clock).Reporting(currency), nil
	}
	book, err := ratesOf(ctx, m.db)
	if err != nil {
		return projections.Reporting{}, err
	}
	return projections.Reporting{Currency: currency, Rates: book, Clock: clock}, nil
}
