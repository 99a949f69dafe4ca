package projections

import (
	"slices"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// ConvertedMoney is an agency's money in the reporting currency: each per-currency total converted at the
// query's time (spec section 7, through domain.RateBook.Convert), with what no rate converts listed.
type ConvertedMoney struct {
	Currency    string         `json:"currency"`
	WorkerPaid  ConvertedTotal `json:"worker_paid_fees"`
	Reimbursed  ConvertedTotal `json:"reimbursed"`
	Outstanding ConvertedTotal `json:"outstanding"`
	// Rates are the rates used, one per currency converted.
	Rates []domain.RateUsed `json:"rates"`
}

// ConvertedTotal is a sum in the reporting currency of the totals that converted, and the totals that did not
// (in their own currency): those are never dropped nor guessed.
type ConvertedTotal struct {
	Total        domain.Money   `json:"total"`
	NotConverted []domain.Money `json:"not_converted"`
}

// convertMoney converts the money columns into currency at the view's clock.
func (v *View) convertMoney(currency string, paid, reimbursed, outstanding []domain.Money) *ConvertedMoney {
	out := &ConvertedMoney{Currency: currency, Rates: []domain.RateUsed{}}
	for i, ms := range [][]domain.Money{paid, reimbursed, outstanding} {
		t := ConvertedTotal{NotConverted: []domain.Money{}}
		sum := decimal.Zero
		for _, m := range ms {
			c, ok := v.m.rates.Convert(m, currency, v.clock)
			if !ok {
				t.NotConverted = append(t.NotConverted, m)
				continue
			}
			sum = sum.Add(c.To.Amount.Decimal())
			if c.Rate.RatesID != "" && !slices.ContainsFunc(out.Rates, func(r domain.RateUsed) bool { return r == c.Rate }) {
				out.Rates = append(out.Rates, c.Rate)
			}
		}
		t.Total = domain.Money{Amount: domain.Amount(sum.StringFixed(2)), Currency: currency}
		*[]*ConvertedTotal{&out.WorkerPaid, &out.Reimbursed, &out.Outstanding}[i] = t
	}
	return out
}
