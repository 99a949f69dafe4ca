package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// The money a metrics scrape reports is kept as totals, changed in the transaction that changes a worker's
// ledger, so that reading it costs the currencies and deadlines, not the workers:
//
//   - money_months counts every worker by its recruitment cost in months of wages as its ledger holds it
//     (projections.MonthsOfWages.CountedAs; '' for none);
//   - money_totals holds, for each reporting currency in money_currencies, each figure's lines
//     (projections.Reporting.Lines) summed: converted at each line's own date (in_currency the reporting
//     currency) or, where no rate converts them, in their own currency (in_currency that currency, never the
//     reporting one, which needs no rate), by the scale the sum is written with, with how many amounts it sums; an outstanding line's total is kept per reimbursement deadline, so the
//     overdue part at any clock is the totals whose deadline it has passed.
//
// rollup_money holds the same sums per rollup row (scope, grouping and key of rollups, the audit's groupings
// only), so that an audit in a kept reporting currency reads the rows of the groups it returns rather than the
// ledgers of every worker under them (schema 14).
//
// A line is converted with the rates the model holds when it is written; a new rates table rebuilds the model
// (ReasonRates), so a total never mixes two books. money_currencies, like flag_raised, outlives a rebuild:
// a reporting currency once asked for (Options.Currencies, Model.Track) stays kept.

// errNoRates reports a writer asked to convert money before it was given the rates to convert it with.
var errNoRates = errors.New("read model: money totals: no rates book to convert with")

// moneyKey names a row of money_totals or, with a rollup row, of rollup_money.
type moneyKey struct {
	group    rowKey // the rollup row; the zero rowKey for money_totals
	currency string
	figure   projections.Figure
	deadline string // an outstanding line's deadline in RFC 3339, else ""
	in       string // the currency the total is in: currency for the converted amounts, else their own
	scale    int32
}

// moneySum is a money_totals row's change: how many amounts, and their sum.
type moneySum struct {
	amounts int64
	total   decimal.Decimal
}

// moneyTotals gathers the changes to money_totals, rollup_money and money_months of one transaction.
type moneyTotals struct {
	currencies []string         // the reporting currencies kept
	rates      *domain.RateBook // what they are converted with: nil until set
	sums       map[moneyKey]*moneySum
	months     map[string]int64
	// parties gathers the changes to rollup_money per set of rollup rows (the workers of one job order
	// mostly share theirs), so that a worker costs a sum per line, not per line and row; flush spreads them.
	parties map[string]*partySums
}

// partySums are the changes of the workers that count in the same rollup rows.
type partySums struct {
	groups []rowKey
	sums   map[moneyKey]*moneySum // keys without their group
}

func newMoneyTotals(currencies []string) *moneyTotals {
	return &moneyTotals{currencies: currencies, sums: map[moneyKey]*moneySum{}, months: map[string]int64{},
		parties: map[string]*partySums{}}
}

// keptCurrencies reads money_currencies.
func keptCurrencies(ctx context.Context, q queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT currency FROM money_currencies ORDER BY currency")
	if err != nil {
		return nil, fmt.Errorf("read model: reporting currencies kept: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("read model: reporting currencies kept: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// worker adds (sign 1) or subtracts (sign -1) a worker's ledger: its months of wages, and its lines in every
// reporting currency kept, in the totals and in the rollup rows of c's groups (those only keeps, when set).
func (mt *moneyTotals) worker(l *projections.Ledger, c *contribution, only func(scope, by string) bool, sign int64) error {
	mt.months[l.Months] += sign
	if len(mt.currencies) == 0 {
		return nil
	}
	return mt.lines(l, mt.partiesOf(c, only), mt.currencies, sign)
}

// partiesOf returns the sums of the rollup rows of the audit's groupings a worker's contribution counts in
// (nil for a nil contribution).
func (mt *moneyTotals) partiesOf(c *contribution, only func(scope, by string) bool) *partySums {
	if c == nil {
		return nil
	}
	sig := c.JobOrder + "\x00" + c.Employer + "\x00" + strings.Join(c.Buyers, "\x01") + "\x00" + strings.Join(c.Agencies, "\x01")
	p := mt.parties[sig]
	if p == nil {
		p = &partySums{groups: moneyGroups(c, only), sums: map[moneyKey]*moneySum{}}
		mt.parties[sig] = p
	}
	return p
}

// moneyGroups are the rollup rows of the audit's groupings a worker's contribution counts in.
func moneyGroups(c *contribution, only func(scope, by string) bool) []rowKey {
	var out []rowKey
	for _, scope := range c.scopes() {
		for _, by := range projections.Groupings {
			if only != nil && !only(scope, by) {
				continue
			}
			for _, key := range c.groupKeys(by, scope) {
				out = append(out, rowKey{scope, by, key})
			}
		}
	}
	return out
}

// lines adds or subtracts a ledger's lines in currencies, to the totals and to the rollup rows of p (none
// for nil).
func (mt *moneyTotals) lines(l *projections.Ledger, p *partySums, currencies []string, sign int64) error {
	if len(currencies) == 0 {
		return nil
	}
	if mt.rates == nil {
		return errNoRates
	}
	for _, cur := range currencies {
		projections.Reporting{Currency: cur, Rates: mt.rates}.Lines(l, func(line projections.Line) {
			k := moneyKey{currency: cur, figure: line.Figure}
			if line.Figure == projections.FigureOutstanding {
				k.deadline = line.Deadline.UTC().Format(time.RFC3339Nano)
			}
			k.in = cur
			d := line.Converted
			if !line.Converts {
				k.in, d = line.Money.Currency, line.Money.Amount.Decimal()
			}
			k.scale = max(-d.Exponent(), 0)
			if sign < 0 {
				d = d.Neg()
			}
			addSum(mt.sums, k, sign, d)
			if p != nil && len(p.groups) > 0 {
				addSum(p.sums, k, sign, d)
			}
		})
	}
	return nil
}

// addSum adds n amounts summing d to the row k names in sums.
func addSum(sums map[moneyKey]*moneySum, k moneyKey, n int64, d decimal.Decimal) {
	s := sums[k]
	if s == nil {
		s = &moneySum{}
		sums[k] = s
	}
	s.amounts += n
	s.total = s.total.Add(d)
}

// spread adds the changes gathered per set of rollup rows to each of its rows, and forgets them.
func (mt *moneyTotals) spread() {
	for _, p := range mt.parties {
		for k, s := range p.sums {
			for _, g := range p.groups {
				k.group = g
				addSum(mt.sums, k, s.amounts, s.total)
			}
		}
	}
	clear(mt.parties)
}

// flush writes the changes gathered, adding them to the rows there, and forgets them.
func (mt *moneyTotals) flush(ctx context.Context, tx *sql.Tx) error {
	mt.spread()
	for _, months := range slices.Sorted(maps.Keys(mt.months)) {
		n := mt.months[months]
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO money_months (months, workers) VALUES (?,?)
			ON CONFLICT DO UPDATE SET workers = workers + excluded.workers`, months, n); err != nil {
			return fmt.Errorf("read model: write months of wages %q: %w", months, err)
		}
	}
	if len(mt.months) > 0 {
		if _, err := tx.ExecContext(ctx, "DELETE FROM money_months WHERE workers = 0"); err != nil {
			return fmt.Errorf("read model: write months of wages: %w", err)
		}
	}
	stmts := &sumStmts{tx: tx, prepared: map[string]*sql.Stmt{}}
	defer stmts.close()
	keys := slices.SortedFunc(maps.Keys(mt.sums), func(a, b moneyKey) int {
		return cmp.Or(cmp.Compare(a.group.scope, b.group.scope), cmp.Compare(a.group.by, b.group.by),
			cmp.Compare(a.group.key, b.group.key), cmp.Compare(a.currency, b.currency), cmp.Compare(a.figure, b.figure),
			cmp.Compare(a.deadline, b.deadline), cmp.Compare(a.in, b.in), cmp.Compare(a.scale, b.scale))
	})
	for _, k := range keys {
		if err := flushSum(ctx, stmts, k, mt.sums[k]); err != nil {
			return fmt.Errorf("read model: write money total %s %s %s of %v: %w", k.currency, k.figure, k.in, k.group, err)
		}
	}
	clear(mt.months)
	clear(mt.sums)
	return nil
}

// sumStmts prepares each statement flushSum runs once per flush: a rebuild's or a Track's flush writes tens
// of thousands of rows.
type sumStmts struct {
	tx       *sql.Tx
	prepared map[string]*sql.Stmt
}

func (p *sumStmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := p.prepared[query]; st != nil {
		return st, nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.prepared[query] = st
	return st, nil
}

func (p *sumStmts) close() {
	for _, st := range p.prepared {
		st.Close()
	}
}

// flushSum adds a change to its row of money_totals (or of rollup_money, for a key naming a rollup row),
// deleting the row once it sums no amount.
func flushSum(ctx context.Context, stmts *sumStmts, k moneyKey, s *moneySum) error {
	if s.amounts == 0 && s.total.IsZero() {
		return nil
	}
	table, where, args := "money_totals", "", []any{}
	if k.group != (rowKey{}) {
		table, where, args = "rollup_money", "scope = ? AND grouping = ? AND key = ? AND ", []any{k.group.scope, k.group.by, k.group.key}
	}
	where += "currency = ? AND figure = ? AND deadline = ? AND in_currency = ? AND scale = ?"
	args = append(args, k.currency, k.figure.String(), k.deadline, k.in, k.scale)
	sel, err := stmts.stmt(ctx, "SELECT amounts, total FROM "+table+" WHERE "+where)
	if err != nil {
		return err
	}
	var amounts int64
	var text string
	err = sel.QueryRowContext(ctx, args...).Scan(&amounts, &text)
	total := decimal.Zero
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		if total, err = decimal.NewFromString(text); err != nil {
			return fmt.Errorf("total %q: %w", text, err)
		}
	}
	amounts, total = amounts+s.amounts, total.Add(s.total)
	query := "DELETE FROM " + table + " WHERE " + where
	if amounts != 0 {
		cols := "currency, figure, deadline, in_currency, scale, amounts, total"
		if table == "rollup_money" {
			cols = "scope, grouping, key, " + cols
		}
		query = "INSERT OR REPLACE INTO " + table + " (" + cols + ") VALUES " + placeholders(len(args)+2)
		args = append(args, amounts, total.StringFixed(k.scale))
	}
	st, err := stmts.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

// setRates gives the writer the rates book its money totals convert with: the one the judgements it writes
// were made with.
func (w *writer) setRates(book *domain.RateBook) {
	if book == nil { // no table yet: nothing converts but what is in the reporting currency already
		book = &domain.RateBook{}
	}
	w.money.rates = book
}

// forgetMoney subtracts from the money totals a worker's stored ledger (none in a fresh model), from the
// rollup rows of its stored parties as well when a reporting currency is kept.
func (w *writer) forgetMoney(ctx context.Context, worker string) error {
	if w.fresh {
		return nil
	}
	var c contribution
	var buyers, agencies, text string
	if old, ok := w.olds[worker]; ok || w.olds != nil { // read beforehand (readOld): ok when stored
		if !ok {
			return nil
		}
		c.JobOrder, c.Employer, buyers, agencies, text = old.jobOrder, old.employer, old.buyers, old.agencies, old.ledger
	} else {
		err := w.queryRow(ctx, "SELECT job_order_id, employer_id, buyer_ids, agencies, ledger FROM workers WHERE worker_id = ?",
			worker).Scan(&c.JobOrder, &c.Employer, &buyers, &agencies, &text)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read model: ledger of worker %s: %w", worker, err)
		}
	}
	l, err := decodeLedger(text)
	if err != nil {
		return fmt.Errorf("read model: ledger of worker %s: %w", worker, err)
	}
	if len(w.money.currencies) > 0 {
		if err := c.readParties(buyers, agencies); err != nil {
			return fmt.Errorf("read model: parties of worker %s: %w", worker, err)
		}
	}
	return w.money.worker(&l, &c, w.only, -1)
}

// readParties reads a workers row's buyers and agencies (JSON) into c.
func (c *contribution) readParties(buyers, agencies string) error {
	return errors.Join(json.Unmarshal([]byte(buyers), &c.Buyers), json.Unmarshal([]byte(agencies), &c.Agencies))
}
