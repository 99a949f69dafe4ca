package console

import (
	"maps"
	"net/http"
	"slices"

	"github.com/shopspring/decimal"
	"net/url"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// overviewPage is the data of the overview.
type overviewPage struct {
	Query            url.Values
	Buyers           []string // an auditor's granting buyers, to pick from
	Open             int
	Workers, Flagged int
	WorkerPaid       []domain.Money
	Outstanding      []domain.Money
	Reimbursed       []domain.Money
	ByCode, ByMonth  chart
	Overview         api.Overview
	// Currencies are the reporting currencies to pick from; InCurrency the totals in the one picked.
	Currencies []string
	InCurrency *currencyTotals
}

// currencyTotals are the overview's money in the reporting currency: the job order rows' converted figures
// added up (each worker counts in one job order), and what no rate converted.
type currencyTotals struct {
	Currency                                     string
	WorkerPaid, Reimbursed, Outstanding, Overdue domain.Money
	NotConvertedPaid, NotConvertedOutstanding    []domain.Money
}

func totalsIn(rows []projections.AuditRow) *currencyTotals {
	if len(rows) == 0 || rows[0].Converted == nil {
		return nil
	}
	var paid, back, out, over, ncPaid, ncOut []domain.Money
	for _, r := range rows {
		c := r.Converted
		paid, back = append(paid, c.WorkerPaid), append(back, c.Reimbursed)
		out, over = append(out, c.Outstanding), append(over, c.Overdue)
		ncPaid, ncOut = append(ncPaid, c.NotConverted.WorkerPaid...), append(ncOut, c.NotConverted.Outstanding...)
	}
	one := func(ms []domain.Money) domain.Money {
		if s := sumMoney(ms); len(s) == 1 {
			return s[0]
		}
		return domain.Money{Amount: "0.00", Currency: rows[0].Converted.Currency}
	}
	return &currencyTotals{Currency: rows[0].Converted.Currency, WorkerPaid: one(paid), Reimbursed: one(back),
		Outstanding: one(out), Overdue: one(over), NotConvertedPaid: sumMoney(ncPaid), NotConvertedOutstanding: sumMoney(ncOut)}
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, overviewParams)
	o, err := c.cfg.Reader.Overview(r.Context(), s.who, q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := overviewPage{Query: q, Open: len(o.Flags), ByCode: byCode(o.Flags), ByMonth: byMonth(o.Flags), Overview: o}
	if len(s.who.Buyers) > 1 {
		d.Buyers = s.who.Buyers
	}
	var paid, out, back []domain.Money
	for _, row := range o.Totals {
		d.Workers += row.Workers
		d.Flagged += row.FlaggedWorkers
		paid, out, back = append(paid, row.WorkerPaid...), append(out, row.Outstanding...), append(back, row.Reimbursed...)
	}
	d.WorkerPaid, d.Outstanding, d.Reimbursed = sumMoney(paid), sumMoney(out), sumMoney(back)
	d.Currencies, d.InCurrency = currencyChoices(q), totalsIn(o.Totals)
	c.render(w, r, http.StatusOK, "overview", s, d)
}

// sumMoney adds amounts per currency, exactly, currencies in order. An amount that is not a decimal (the
// model only holds checked amounts) is skipped.
func sumMoney(ms []domain.Money) []domain.Money {
	sums := map[string]decimal.Decimal{}
	for _, m := range ms {
		d, err := decimal.NewFromString(string(m.Amount))
		if err != nil {
			continue
		}
		sums[m.Currency] = sums[m.Currency].Add(d)
	}
	out := make([]domain.Money, 0, len(sums))
	for _, cur := range slices.Sorted(maps.Keys(sums)) {
		out = append(out, domain.Money{Amount: domain.Amount(sums[cur].String()), Currency: cur})
	}
	return out
}
