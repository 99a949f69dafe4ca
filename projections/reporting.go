package projections

import (
	"errors"
	"fmt"
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

// Figure is one money figure of a report in one currency.
type Figure int

// The money figures of a report in one currency, in the order of Converted's fields.
const (
	FigurePaid Figure = iota
	FigureReimbursed
	FigureOwed
	FigureOutstanding
	FigureOverdue
	FigureShortfall
	figures
)

// WorkerMoney is a worker's ledger in the reporting currency, ready to be added to rollups.
type WorkerMoney struct {
	converted    [figures]decimal.Decimal
	notConverted [figures]domain.Sums
	months       string
}

// Worker converts a worker's ledger.
func (p Reporting) Worker(l *Ledger) WorkerMoney {
	w := WorkerMoney{months: l.Months}
	p.Lines(l, func(line Line) {
		w.add(line.Figure, line)
		if line.Figure == FigureOutstanding && p.Clock.After(line.Deadline) {
			w.add(FigureOverdue, line)
		}
	})
	return w
}

func (w *WorkerMoney) add(fig Figure, line Line) {
	if line.Converts {
		w.converted[fig] = w.converted[fig].Add(line.Converted)
		return
	}
	if w.notConverted[fig] == nil {
		w.notConverted[fig] = domain.Sums{}
	}
	w.notConverted[fig].Add(line.Money.Currency, line.Money.Amount.Decimal())
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
	converted    [figures]decimal.Decimal
	notConverted [figures]domain.Sums
	months       map[string]int // workers by their months of wages, as MonthsOfWages.CountedAs writes them
	without      int
}

// NewRollupMoney returns an empty row in currency.
func NewRollupMoney(currency string) *RollupMoney { return &RollupMoney{currency: currency} }

// Add adds a worker.
func (r *RollupMoney) Add(w *WorkerMoney) {
	for i := range figures {
		r.AddConverted(i, w.converted[i])
		for cur, d := range w.notConverted[i] {
			r.AddNotConverted(i, cur, d)
		}
	}
	r.AddMonths(w.months, 1)
}

// AddConverted adds to a figure an amount in the reporting currency.
func (r *RollupMoney) AddConverted(fig Figure, d decimal.Decimal) {
	r.converted[fig] = r.converted[fig].Add(d)
}

// AddNotConverted adds to a figure an amount in currency that no rate converts.
func (r *RollupMoney) AddNotConverted(fig Figure, currency string, d decimal.Decimal) {
	if r.notConverted[fig] == nil {
		r.notConverted[fig] = domain.Sums{}
	}
	r.notConverted[fig].Add(currency, d)
}

// AddMonths counts n workers whose recruitment cost is months months of wages, as
// MonthsOfWages.CountedAs writes it ("": workers without a figure); text ParseCountedMonths does not read is
// not counted (CountedAs always writes such text).
func (r *RollupMoney) AddMonths(months string, n int) {
	if months == "" {
		r.without += n
		return
	}
	if _, _, err := ParseCountedMonths(months); err != nil {
		return
	}
	if r.months == nil {
		r.months = map[string]int{}
	}
	r.months[months] += n
}

// Converted returns the row's figures.
func (r *RollupMoney) Converted() *Converted {
	m := func(i Figure) domain.Money {
		return domain.Money{Amount: domain.Amount(domain.FormatAmount(r.converted[i])), Currency: r.currency}
	}
	list := func(i Figure) []domain.Money {
		if len(r.notConverted[i]) == 0 {
			return nil
		}
		return r.notConverted[i].Money()
	}
	c := &Converted{Currency: r.currency, WorkerPaid: m(FigurePaid), Reimbursed: m(FigureReimbursed), OwedBack: m(FigureOwed),
		Outstanding: m(FigureOutstanding), Overdue: m(FigureOverdue), WageShortfall: m(FigureShortfall),
		NotConverted: NotConverted{WorkerPaid: list(FigurePaid), Reimbursed: list(FigureReimbursed), OwedBack: list(FigureOwed),
			Outstanding: list(FigureOutstanding), Overdue: list(FigureOverdue), WageShortfall: list(FigureShortfall)}}
	owed := r.converted[FigureOwed]
	if owed.IsPositive() && len(c.NotConverted.OwedBack) == 0 && len(c.NotConverted.Outstanding) == 0 {
		repaid := owed.Sub(r.converted[FigureOutstanding])
		c.ShareRepaid = domain.DivRoundHalfEven(repaid, owed, 4).StringFixed(4)
	}
	return c
}

// Months returns the row's months-of-wages summary.
func (r *RollupMoney) Months() *MonthsSummary {
	return SummariseMonthCounts(r.MonthsCounts(), r.without)
}

// MonthsCounts are the months of wages of the row's workers that have a figure, each with how many workers
// have it, in ascending order.
func (r *RollupMoney) MonthsCounts() []MonthsCount {
	out, _ := CountMonths(r.months) // AddMonths counts only text CountMonths reads
	return out
}

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
