package readmodel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// A rebuild sums the workers' contributions on the cores that judge them: each chunk of workers is tallied
// there (its rollup rows, month counts, report counts and money totals), and the one goroutine that writes
// merges a chunk's tally into its own, which costs the groups the chunk touches, not its workers and flags.
// Only a rebuild does: a catch-up subtracts each worker's old contribution, read from the model, first.

// tally is what a chunk of workers adds to the sums a writer keeps.
type tally struct {
	rows    map[rowKey]*sumRow
	months  map[monthKey]int64
	reports map[string]int64
	money   *moneyTotals
	clock   time.Time
	only    func(scope, by string) bool
}

// newTally returns an empty tally of a rebuild's writer w: its clock, the rollups it keeps and its money
// totals' currencies and rates, which it only reads.
func newTally(w *writer) *tally {
	mt := newMoneyTotals(w.money.currencies)
	mt.rates = w.money.rates
	return &tally{rows: map[rowKey]*sumRow{}, months: map[monthKey]int64{}, reports: map[string]int64{}, money: mt,
		clock: w.clock, only: w.only}
}

// worker adds an encoded worker's contribution, ledger and flags' months, and marks it tallied.
func (t *tally) worker(e *encodedWorker) error {
	if err := t.money.worker(&e.j.Ledger, &e.c, t.only, 1); err != nil {
		return err
	}
	counted := e.c.at(t.clock, e.clocked)
	if err := addContribution(&counted, 1, t.only, t.reports, t.row); err != nil {
		return err
	}
	for _, f := range e.flags {
		if at := f.f.RaisedAt.UTC(); !projections.Clocked(*f.f) || at.Before(t.clock) {
			countMonths(t.months, at.Unix(), f.f.Code, e.c.Scopes, 1)
		}
	}
	e.tallied = true
	return nil
}

// row returns the tally's row of a group, new when the chunk had not touched it.
func (t *tally) row(k rowKey) (*sumRow, error) {
	r := t.rows[k]
	if r == nil {
		r = newSumRow(len(domain.FlagCodes), nil)
		t.rows[k] = r
	}
	return r, nil
}

// mergeTally adds a chunk's tally to the sums of w, a rebuild's writer (whose rows are all new: none is read
// from the model).
func (w *writer) mergeTally(t *tally) {
	for k, r := range t.rows {
		if mine := w.sums[k]; mine != nil {
			mine.merge(r)
		} else {
			r.adopt(&w.names)
			w.sums[w.ownKey(k)] = r
		}
	}
	for k, n := range t.months {
		w.monthSums[w.monthID(k)] += n
	}
	if len(t.reports) > 0 && w.reports == nil {
		w.reports = map[string]int64{}
	}
	for k, n := range t.reports {
		w.reports[k] += n
	}
	w.money.merge(t.money)
}

// merge adds another row's sums to r, as adding its contributions one by one would.
func (r *row) merge(o *row) {
	r.Workers += o.Workers
	r.Flagged += o.Flagged
	r.Substituted += o.Substituted
	for m, n := range o.Months {
		addCount(r.Months, m, n)
	}
	for i, n := range o.Counts {
		r.Counts[i] += n
	}
	for col, byCur := range o.Money {
		for cur, sums := range byCur {
			for scale, d := range sums {
				r.addSum(col, cur, scale, d)
			}
		}
	}
	for jo, n := range o.jobOrders {
		r.jobOrders[jo] += n
	}
}

// merge adds another transaction's changes to mt.
func (mt *moneyTotals) merge(o *moneyTotals) {
	for m, n := range o.months {
		mt.months[m] += n
	}
	mergeSums(mt.sums, o.sums)
	for sig, p := range o.parties {
		if mine := mt.parties[sig]; mine != nil {
			mergeSums(mine.sums, p.sums)
		} else {
			mt.parties[sig] = p
		}
	}
}

// mergeSums adds the sums of o to those of into.
func mergeSums(into, o map[moneyKey]*moneySum) {
	for k, s := range o {
		if mine := into[k]; mine != nil {
			mine.amounts += s.amounts
			mine.total = mine.total.Add(s.total)
		} else {
			into[k] = &moneySum{amounts: s.amounts, total: s.total}
		}
	}
}

// encodedPart is a chunk of workers judged and encoded, with its tally.
type encodedPart struct {
	workers []encodedWorker
	tally   *tally
}

// encodePart encodes and tallies a chunk of judgements for w, a rebuild's writer.
func encodePart(w *writer) func([]projections.Judgement) (encodedPart, error) {
	return func(js []projections.Judgement) (encodedPart, error) {
		p := encodedPart{workers: make([]encodedWorker, 0, len(js)), tally: newTally(w)}
		for _, j := range js {
			e, err := encodeWorker(j)
			if err != nil {
				return encodedPart{}, err
			}
			if err := p.tally.worker(&e); err != nil {
				return encodedPart{}, err
			}
			p.workers = append(p.workers, e)
		}
		return p, nil
	}
}

// monthID is a monthKey's strings interned in a writer's names: a key without pointers.
type monthID struct{ scope, month, code uint32 }

// monthID interns a flag month count's key.
func (w *writer) monthID(k monthKey) monthID {
	return monthID{w.names.id(k.scope), w.names.id(k.month), w.names.id(k.code)}
}

// sumRow returns a rebuild's row of a group as it holds it, new when none had touched it.
func (w *writer) sumRow(k rowKey) (*sumRow, error) {
	if r := w.sums[k]; r != nil {
		return r, nil
	}
	r := newSumRow(len(domain.FlagCodes), &w.names)
	w.sums[w.ownKey(k)] = r
	return r, nil
}

// ownKey is k with its strings interned: a row held for the whole rebuild keeps no judgement's memory.
func (w *writer) ownKey(k rowKey) rowKey {
	n := &w.names
	return rowKey{n.name(n.id(k.scope)), n.name(n.id(k.by)), n.name(n.id(k.key))}
}

// flushRows writes the rollup rows touched in key order, a rebuild's each turned into a row (fold) only as
// it is written.
func (w *writer) flushRows(ctx context.Context) error {
	keys := make([]rowKey, 0, len(w.rows)+len(w.sums))
	for k := range w.rows {
		keys = append(keys, k)
	}
	for k := range w.sums {
		if w.rows[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rowKey) int {
		return strings.Compare(a.scope+"\x00"+a.by+"\x00"+a.key, b.scope+"\x00"+b.by+"\x00"+b.key)
	})
	var counted map[rowKey]int64
	if !w.fresh {
		var err error
		if counted, err = w.flushAllCounts(ctx, keys); err != nil {
			return fmt.Errorf("write rollups: %w", err)
		}
	}
	for _, k := range keys {
		r := w.rows[k]
		if s := w.sums[k]; s != nil {
			if r == nil {
				r = newRow()
			}
			s.fold(r)
			delete(w.sums, k)
		}
		if err := w.flushRow(ctx, k, r, counted[k]); err != nil {
			return fmt.Errorf("write rollup %s/%s/%s: %w", k.scope, k.by, k.key, err)
		}
		delete(w.rows, k)
	}
	return nil
}

// foldMonths adds a rebuild's flag month counts to the writer's, to be written.
func (w *writer) foldMonths() {
	for k, n := range w.monthSums {
		w.months[monthKey{w.names.name(k.scope), w.names.name(k.month), w.names.name(k.code)}] += n
	}
	clear(w.monthSums)
}
