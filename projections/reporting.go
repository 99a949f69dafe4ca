package projections

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// ErrCurrency is returned for a reporting currency that is not an ISO 4217 code in upper case.
var ErrCurrency = errors.New("not an ISO 4217 currency code in upper case (for example USD)")

// CheckCurrency checks a reporting currency: an ISO 4217 code in upper case.
func CheckCurrency(code string) error {
	if !domain.IsCurrency(code) {
		return fmt.Errorf("currency %q: %w", code, ErrCurrency)
	}
	return nil
}

// Reporting converts money into one currency (spec section 7): each amount at its own instant (a fee or a
// reimbursement at its occurred_at, an owed or outstanding amount at its fee's, a wage shortfall at the
// contract's signing) through the latest rates on or before that UTC day that give both currencies, rounded
// half-even to 2 decimals per converted amount, then summed. What no rate converts is kept apart per currency,
// never dropped. Clock is the instant overdue money is judged at.
type Reporting struct {
	Currency string
	Rates    *domain.RateBook
	Clock    time.Time
}

// The money figures of a report in one currency, in the order of Converted's fields.
const (
	figPaid = iota
	figReimbursed
	figOwed
	figOutstanding
	figOverdue
	figShortfall
	moneyFigures
)

// WorkerMoney is a worker's ledger in the reporting currency, ready to be added to rollups.
type WorkerMoney struct {
	converted    [moneyFigures]decimal.Decimal
	notConverted [moneyFigures]domain.Sums
	months       string
}

// Worker converts a worker's ledger.
func (p Reporting) Worker(l *Ledger) WorkerMoney {
	w := WorkerMoney{months: l.Months}
	for _, d := range l.Paid {
		w.add(p, figPaid, d.Money, d.At)
	}
	for _, d := range l.Reimbursed {
		w.add(p, figReimbursed, d.Money, d.At)
	}
	for _, o := range l.Owed {
		w.add(p, figOwed, o.Owed, o.At)
		w.add(p, figOutstanding, o.Outstanding, o.At)
		if p.Clock.After(o.Deadline) {
			w.add(p, figOverdue, o.Outstanding, o.At)
		}
	}
	for _, d := range l.Shortfall {
		w.add(p, figShortfall, d.Money, d.At)
	}
	return w
}

func (w *WorkerMoney) add(p Reporting, fig int, m domain.Money, at time.Time) {
	amount := m.Amount.Decimal()
	if amount.IsZero() || p.Currency == "" { // no reporting currency: months of wages alone
		return
	}
	if d, ok := p.Rates.ConvertAmount(m, p.Currency, at); ok {
		w.converted[fig] = w.converted[fig].Add(d)
		return
	}
	if w.notConverted[fig] == nil {
		w.notConverted[fig] = domain.Sums{}
	}
	w.notConverted[fig].Add(m.Currency, amount)
}

// Converted are a worker's or a rollup row's money figures in the reporting currency, beside the originals.
type Converted struct {
	Currency string `json:"currency"`
	// WorkerPaid is every fee the worker paid; Reimbursed every reimbursement to the worker.
	WorkerPaid domain.Money `json:"worker_paid_fees"`
	Reimbursed domain.Money `json:"reimbursed"`
	// OwedBack is what breaching fees owe back to the workers; Outstanding the part of it not yet repaid;
	// Overdue the part of Outstanding whose reimbursement deadline had passed at the clock.
	OwedBack    domain.Money `json:"owed_back"`
	Outstanding domain.Money `json:"outstanding"`
	Overdue     domain.Money `json:"overdue"`
	// ShareRepaid is (OwedBack - Outstanding) / OwedBack, half-even to 4 decimals; empty when nothing is owed
	// back or part of what is owed could not be converted.
	ShareRepaid   string       `json:"share_repaid,omitempty"`
	WageShortfall domain.Money `json:"estimated_wage_shortfall"`
	// NotConverted lists, per figure and currency, the money no published rate converts: it is in the
	// originals but not in the figures above.
	NotConverted NotConverted `json:"not_converted"`
}

// NotConverted is the money of each figure that no rate converts, per currency.
type NotConverted struct {
	WorkerPaid    []domain.Money `json:"worker_paid_fees,omitempty"`
	Reimbursed    []domain.Money `json:"reimbursed,omitempty"`
	OwedBack      []domain.Money `json:"owed_back,omitempty"`
	Outstanding   []domain.Money `json:"outstanding,omitempty"`
	Overdue       []domain.Money `json:"overdue,omitempty"`
	WageShortfall []domain.Money `json:"estimated_wage_shortfall,omitempty"`
}

// Empty reports whether every amount was converted.
func (n NotConverted) Empty() bool {
	return len(n.WorkerPaid)+len(n.Reimbursed)+len(n.OwedBack)+len(n.Outstanding)+len(n.Overdue)+
		len(n.WageShortfall) == 0
}

// RollupMoney sums workers' money in the reporting currency for one rollup row, with their months of wages.
type RollupMoney struct {
	currency     string
	converted    [moneyFigures]decimal.Decimal
	notConverted [moneyFigures]domain.Sums
	months       []decimal.Decimal
	without      int
}

// NewRollupMoney returns an empty row in currency.
func NewRollupMoney(currency string) *RollupMoney { return &RollupMoney{currency: currency} }

// Add adds a worker.
func (r *RollupMoney) Add(w *WorkerMoney) {
	for i := range moneyFigures {
		r.converted[i] = r.converted[i].Add(w.converted[i])
		for cur, d := range w.notConverted[i] {
			if r.notConverted[i] == nil {
				r.notConverted[i] = domain.Sums{}
			}
			r.notConverted[i].Add(cur, d)
		}
	}
	if w.months == "" {
		r.without++
		return
	}
	if d, err := decimal.NewFromString(w.months); err == nil { // written by MonthsOfWages: always a decimal
		r.months = append(r.months, d)
	}
}

// Converted returns the row's figures.
func (r *RollupMoney) Converted() *Converted {
	m := func(i int) domain.Money {
		return domain.Money{Amount: domain.Amount(domain.FormatAmount(r.converted[i])), Currency: r.currency}
	}
	list := func(i int) []domain.Money {
		if len(r.notConverted[i]) == 0 {
			return nil
		}
		return r.notConverted[i].Money()
	}
	c := &Converted{Currency: r.currency, WorkerPaid: m(figPaid), Reimbursed: m(figReimbursed), OwedBack: m(figOwed),
		Outstanding: m(figOutstanding), Overdue: m(figOverdue), WageShortfall: m(figShortfall),
		NotConverted: NotConverted{WorkerPaid: list(figPaid), Reimbursed: list(figReimbursed), OwedBack: list(figOwed),
			Outstanding: list(figOutstanding), Overdue: list(figOverdue), WageShortfall: list(figShortfall)}}
	owed := r.converted[figOwed]
	if owed.IsPositive() && len(c.NotConverted.OwedBack) == 0 && len(c.NotConverted.Outstanding) == 0 {
		repaid := owed.Sub(r.converted[figOutstanding])
		c.ShareRepaid = domain.DivRoundHalfEven(repaid, owed, 4).StringFixed(4)
	}
	return c
}

// Months returns the row's months-of-wages summary.
func (r *RollupMoney) Months() *MonthsSummary {
	return SummariseMonths(slices.Clone(r.months), r.without)
}

// MonthsFigures are the months of wages of the row's workers that have a figure, in the order added.
func (r *RollupMoney) MonthsFigures() []decimal.Decimal { return r.months }

// Totals sums every worker's money in rep's currency (months of wages alone when rep has no currency), from
// the judgements the model keeps up to date: no worker is judged again unless an event changed it.
func (v *View) Totals(rep Reporting) *RollupMoney {
	ids := v.m.WorkerIDs()
	v.warm(ids)
	r := NewRollupMoney(rep.Currency)
	for _, id := range ids {
		if j := v.m.judgement(v, id); j != nil {
			w := rep.Worker(&j.ledger)
			r.Add(&w)
		}
	}
	return r
}

// CurrencyRollups sums workers' money in the reporting currency per rollup row, each worker converted once
// however many rows it counts in.
type CurrencyRollups struct {
	rep  Reporting
	rows map[string]*RollupMoney
}

// NewCurrencyRollups returns empty rollups in rep's currency.
func NewCurrencyRollups(rep Reporting) *CurrencyRollups {
	return &CurrencyRollups{rep: rep, rows: map[string]*RollupMoney{}}
}

// Add counts a worker's ledger in the rows named by keys.
func (c *CurrencyRollups) Add(keys []string, l *Ledger) {
	if len(keys) == 0 {
		return
	}
	w := c.rep.Worker(l)
	for _, k := range keys {
		r := c.rows[k]
		if r == nil {
			r = NewRollupMoney(c.rep.Currency)
			c.rows[k] = r
		}
		r.Add(&w)
	}
}

// Fill sets each row's Converted and MonthsOfWages (zero figures for a row no worker counts in).
func (c *CurrencyRollups) Fill(rows []AuditRow) {
	for i := range rows {
		r := c.rows[rows[i].Key]
		if r == nil {
			r = NewRollupMoney(c.rep.Currency)
		}
		rows[i].Converted, rows[i].MonthsOfWages = r.Converted(), r.Months()
	}
}
