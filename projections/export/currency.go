package export

import (
	"strconv"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// convertedHead are the columns an audit in a reporting currency adds to each record: the row's figures in that
// currency and its months of wages (repeated on each of its currency's records, as the counts are), then what
// of the record's currency no rate converted, per figure.
var convertedHead = []string{"reporting_currency", "converted_worker_paid_fees", "converted_reimbursed",
	"converted_owed_back", "converted_outstanding", "converted_overdue", "share_repaid",
	"converted_estimated_wage_shortfall", "workers_with_months_of_wages", "months_of_wages_median",
	"months_of_wages_mean", "workers_above_one_month", "not_converted_worker_paid_fees", "not_converted_reimbursed",
	"not_converted_owed_back", "not_converted_outstanding", "not_converted_overdue",
	"not_converted_estimated_wage_shortfall"}

// converted are the reporting-currency columns of a row's record in currency.
func converted(r projections.AuditRow, currency string) []string {
	c, m := r.Converted, r.MonthsOfWages
	rec := []string{c.Currency, string(c.WorkerPaid.Amount), string(c.Reimbursed.Amount), string(c.OwedBack.Amount),
		string(c.Outstanding.Amount), string(c.Overdue.Amount), c.ShareRepaid, string(c.WageShortfall.Amount),
		strconv.Itoa(m.WorkersWithFigure), m.Median, m.Mean, strconv.Itoa(m.WorkersAboveOneMonth)}
	n := c.NotConverted
	for _, ms := range [][]domain.Money{n.WorkerPaid, n.Reimbursed, n.OwedBack, n.Outstanding, n.Overdue, n.WageShortfall} {
		rec = append(rec, amountIn(ms, currency))
	}
	return rec
}

func amountIn(ms []domain.Money, currency string) string {
	for _, m := range ms {
		if m.Currency == currency {
			return string(m.Amount)
		}
	}
	return ""
}

// inCurrency reports whether the rows were audited in a reporting currency.
func inCurrency(rows []projections.AuditRow) bool {
	return len(rows) > 0 && rows[0].Converted != nil && rows[0].MonthsOfWages != nil
}

// ConvertedFlags lays flags with their money in a reporting currency out: Flags's records, each with the
// reporting currency, its amount converted (empty when no rate converts it) and the rate's source and date
// (empty for an amount already in the reporting currency).
func ConvertedFlags(flags []projections.ConvertedFlag) ([][]string, error) {
	plain := make([]domain.Flag, len(flags))
	for i, f := range flags {
		plain[i] = f.Flag
	}
	recs, err := Flags(plain)
	if err != nil {
		return nil, err
	}
	recs[0] = append(recs[0], "reporting_currency", "converted_amount", "rate_source", "rate_date")
	i := 1
	for _, f := range flags {
		amounts := f.Amounts
		if len(amounts) == 0 {
			amounts = []domain.Money{{}}
		}
		for _, m := range amounts {
			recs[i] = append(recs[i], convertedAmount(f.Converted, m)...)
			i++
		}
	}
	return recs, nil
}

func convertedAmount(fm *projections.FlagMoney, m domain.Money) []string {
	if fm == nil || m.Currency == "" {
		return []string{"", "", "", ""}
	}
	if m.Currency == fm.Currency {
		return []string{fm.Currency, string(m.Amount), "", ""}
	}
	for _, c := range fm.Conversions {
		if c.From == m {
			return []string{fm.Currency, string(c.To.Amount), c.Rate.Source, c.Rate.Date}
		}
	}
	return []string{fm.Currency, "", "", ""}
}
