package projections

import (
	"errors"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Ledger is a worker's money with the instant each amount belongs to: what a report in one currency converts,
// each amount at its own instant (spec section 7), without judging the worker again. It is part of a
// Judgement, so the persisted read model keeps it per worker; it changes only with the worker's events, the
// policies or the rates, and each of those judges the worker again.
type Ledger struct {
	// Paid are the fees the worker paid, each at its occurred_at.
	Paid []DatedMoney `json:"paid,omitempty"`
	// Reimbursed are the reimbursements to the worker, each at its occurred_at.
	Reimbursed []DatedMoney `json:"reimbursed,omitempty"`
	// Owed are the breaching fees: what each owes back and what is still outstanding, at the fee's occurred_at.
	Owed []OwedMoney `json:"owed,omitempty"`
	// Shortfall are the estimated wage shortfalls of less favourable contracts, each at the contract's signing.
	Shortfall []DatedMoney `json:"shortfall,omitempty"`
	// Months is the worker's recruitment cost in months of wages as rollups count it (MonthsOfWages.CountedAs:
	// the figure, "1.00+" for a worker who paid more than one month's wage and whose figure rounds to 1.00):
	// empty without a figure.
	Months string `json:"months,omitempty"`
}

// DatedMoney is an amount and the instant it converts at.
type DatedMoney struct {
	At    time.Time    `json:"at"`
	Money domain.Money `json:"money"`
}

// OwedMoney is a breaching fee's debt to the worker: owed back and still outstanding (in the fee's currency,
// at the fee's occurred_at), and the deadline after which what is outstanding is overdue.
type OwedMoney struct {
	At          time.Time    `json:"at"`
	Owed        domain.Money `json:"owed"`
	Outstanding domain.Money `json:"outstanding"`
	Deadline    time.Time    `json:"deadline"`
}

// InCurrency returns a copy of a worker's report (from this view) with its money in a reporting currency
// (Converted, overdue judged at the view's clock) and its recruitment cost in months of wages.
func (v *View) InCurrency(r *WorkerReport, currency string) (*WorkerReport, error) {
	if err := CheckCurrency(currency); err != nil {
		return nil, err
	}
	j, ok := v.Judge(r.WorkerID)
	if !ok {
		return nil, fmt.Errorf("worker %s: %w", r.WorkerID, ErrUnknownWorker)
	}
	row := NewRollupMoney(currency)
	w := v.Reporting(currency).Worker(&j.Ledger)
	row.Add(&w)
	months, _ := v.MonthsOfWages(r.WorkerID)
	out := *r
	out.Converted, out.MonthsOfWages = row.Converted(), &months
	return &out, nil
}

// ErrUnknownWorker is returned for a worker the view holds no event of.
var ErrUnknownWorker = errors.New("no such worker")
