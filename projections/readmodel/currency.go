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
	for rows.Next() {
		rec, err := scanContext(rows)
		if err != nil {
			return nil, err
		}
		f, err := projections.Decode(rec)
		if err != nil {
			return nil, err
		}
		if e, ok := f.Event.(*domain.ExchangeRatesPublished); ok {
			book.Add(f.ID, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read model: rates: %w", err)
	}
	return book, nil
}

// inCurrency adds to audit rows their money in the query's reporting currency and their months of wages, from
// each worker's stored ledger: no worker is judged again (rates tables change the ledgers only by a rebuild).
func inCurrency(ctx context.Context, tx *sql.Tx, out []projections.AuditRow, q projections.AuditQuery, by string,
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
