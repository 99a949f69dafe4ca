package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/projections"
)

// MoneyTotals sums every worker's money in currency (months of wages alone for ""), as projections.View.Totals
// does at clock, from the maintained totals (see money_totals): a read costs the currencies and deadlines, not
// the workers. A reporting currency the model does not keep (Options.Currencies, Track) is summed from every
// worker's stored ledger instead, as a read-only model must.
func (m *Model) MoneyTotals(ctx context.Context, currency string, clock time.Time) (*projections.RollupMoney, error) {
	if currency != "" {
		if err := projections.CheckCurrency(currency); err != nil {
			return nil, err
		}
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read model: money totals: %w", err)
	}
	defer tx.Rollback()
	if currency != "" {
		kept, err := keptCurrencies(ctx, tx)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(kept, currency) {
			return scanMoneyTotals(ctx, tx, currency, clock)
		}
	}
	out := projections.NewRollupMoney(currency)
	if err := readMonths(ctx, tx, out); err != nil {
		return nil, err
	}
	if currency == "" {
		return out, nil
	}
	return out, readMoneyTotals(ctx, tx, currency, clock, out)
}

// readMonths counts every worker into out by its months of wages.
func readMonths(ctx context.Context, tx *sql.Tx, out *projections.RollupMoney) error {
	rows, err := tx.QueryContext(ctx, "SELECT months, workers FROM money_months")
	if err != nil {
		return fmt.Errorf("read model: months of wages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var months string
		var n int
		if err := rows.Scan(&months, &n); err != nil {
			return fmt.Errorf("read model: months of wages: %w", err)
		}
		out.AddMonths(months, n)
	}
	return rows.Err()
}

// readMoneyTotals adds into out the totals kept in currency, the outstanding ones whose deadline clock has
// passed as overdue too.
func readMoneyTotals(ctx context.Context, tx *sql.Tx, currency string, clock time.Time, out *projections.RollupMoney) error {
	rows, err := tx.QueryContext(ctx, "SELECT figure, deadline, in_currency, total FROM money_totals WHERE currency = ?", currency)
	if err != nil {
		return fmt.Errorf("read model: money totals in %s: %w", currency, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, deadline, in, text string
		if err := rows.Scan(&name, &deadline, &in, &text); err != nil {
			return fmt.Errorf("read model: money totals in %s: %w", currency, err)
		}
		if err := addTotal(out, currency, name, deadline, in, text, clock); err != nil {
			return err
		}
	}
	return rows.Err()
}

// addTotal adds into out a row of money_totals or rollup_money in currency: its total in the figure it names,
// an outstanding one whose deadline clock has passed as overdue too.
func addTotal(out *projections.RollupMoney, currency, name, deadline, in, text string, clock time.Time) error {
	fig, ok := projections.ParseFigure(name)
	total, err := decimal.NewFromString(text)
	if !ok || err != nil {
		return fmt.Errorf("read model: money total %s %q in %s: %w", name, text, currency, errMoneyTotal)
	}
	figs := []projections.Figure{fig}
	if fig == projections.FigureOutstanding {
		due, err := time.Parse(time.RFC3339Nano, deadline)
		if err != nil {
			return fmt.Errorf("read model: money total's deadline %q: %w", deadline, errMoneyTotal)
		}
		if clock.After(due) {
			figs = append(figs, projections.FigureOverdue)
		}
	}
	for _, f := range figs {
		if in == currency {
			out.AddConverted(f, total)
		} else {
			out.AddNotConverted(f, in, total)
		}
	}
	return nil
}

// errMoneyTotal reports a money_totals row this package did not write.
var errMoneyTotal = errors.New("not a money total this model writes")

// Track keeps from now on the money totals of a reporting currency, which MoneyTotals then reads instead of
// every worker's ledger: the first time, it sums them from the stored ledgers, in one transaction. A
// currency once kept stays kept, through rebuilds, for every process that writes the model.
func (m *Model) Track(ctx context.Context, currency string) error {
	if err := projections.CheckCurrency(currency); err != nil {
		return err
	}
	if m.opts.ReadOnly {
		return fmt.Errorf("read model: keep totals in %s: %w", currency, ErrReadOnly)
	}
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("read model: begin: %w", err)
	}
	defer tx.Rollback()
	kept, err := keptCurrencies(ctx, tx)
	if err != nil || slices.Contains(kept, currency) {
		return err
	}
	if err := keepCurrencies(ctx, tx, []string{currency}); err != nil {
		return err
	}
	mt := newMoneyTotals(nil)
	if mt.rates, err = ratesOf(ctx, tx); err != nil {
		return err
	}
	if err := sumLedgers(ctx, tx, mt, currency); err != nil {
		return err
	}
	if err := mt.flush(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("read model: commit: %w", err)
	}
	return nil
}

// keep starts keeping, with Options.KeepAskedCurrencies, the money totals of a reporting currency an audit or
// the agencies ask for, so that this read and the next answer from the rows of the groups they return
// (rollup_money) instead of converting every stored ledger in scope: the first time it converts every
// stored ledger, once (Track). A read-only model, an empty or invalid currency (which the read then
// refuses) and a currency kept already are left as they are.
func (m *Model) keep(ctx context.Context, currency string) error {
	if !m.opts.KeepAskedCurrencies || currency == "" || m.opts.ReadOnly || projections.CheckCurrency(currency) != nil {
		return nil
	}
	kept, err := keptCurrencies(ctx, m.db)
	if err != nil || slices.Contains(kept, currency) {
		return err
	}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.unlock()
	return m.Track(ctx, currency)
}

// sumLedgers adds every worker's stored ledger in currency to mt, to the totals and to its rollup rows.
func sumLedgers(ctx context.Context, tx *sql.Tx, mt *moneyTotals, currency string) error {
	return eachLedger(ctx, tx, "read model: money totals in "+currency, func(l *projections.Ledger, c *contribution) error {
		return mt.lines(l, mt.partiesOf(c, nil), []string{currency}, 1)
	})
}

// eachLedger calls fn with every worker's stored ledger and its parties (a contribution of its groups only);
// what names the read opens its errors.
func eachLedger(ctx context.Context, tx *sql.Tx, what string, fn func(*projections.Ledger, *contribution) error) error {
	rs, err := tx.QueryContext(ctx, "SELECT worker_id, job_order_id, employer_id, buyer_ids, agencies, ledger FROM workers")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rs.Close()
	for rs.Next() {
		var c contribution
		var id, buyers, agencies, text string
		if err := rs.Scan(&id, &c.JobOrder, &c.Employer, &buyers, &agencies, &text); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := c.readParties(buyers, agencies); err != nil {
			return fmt.Errorf("read model: parties of worker %s: %w", id, err)
		}
		l, err := decodeLedger(text)
		if err != nil {
			return fmt.Errorf("read model: ledger of worker %s: %w", id, err)
		}
		if err := fn(&l, &c); err != nil {
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// keepCurrencies adds reporting currencies to money_currencies.
func keepCurrencies(ctx context.Context, tx *sql.Tx, currencies []string) error {
	for _, c := range currencies {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO money_currencies (currency) VALUES (?)", c); err != nil {
			return fmt.Errorf("read model: keep totals in %s: %w", c, err)
		}
	}
	return nil
}

// trackOptions keeps the totals of Options.Currencies, once per process.
func (m *Model) trackOptions(ctx context.Context) error {
	if m.opts.ReadOnly || m.tracked {
		return nil
	}
	for _, c := range m.opts.Currencies {
		if err := m.Track(ctx, c); err != nil {
			return err
		}
	}
	m.tracked = true
	return nil
}

// scanMoneyTotals sums every worker's money in a reporting currency the model does not keep totals of, from
// each worker's stored ledger at clock, with the rates in tx.
func scanMoneyTotals(ctx context.Context, tx *sql.Tx, currency string, clock time.Time) (*projections.RollupMoney, error) {
	book, err := ratesOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	rep := projections.Reporting{Currency: currency, Rates: book, Clock: clock}
	out := projections.NewRollupMoney(currency)
	err = eachLedger(ctx, tx, "read model: money totals", func(l *projections.Ledger, _ *contribution) error {
		w := rep.Worker(l)
		out.Add(&w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
