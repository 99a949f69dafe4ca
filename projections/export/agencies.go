package export

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// Agencies lays agency scorecards out as Audit lays its rows: a record per agency and currency, the currency in
// a column of its own and the worker-paid, reimbursed and outstanding amounts after it; an agency's other
// columns (its months of wages among them: the median, the workers with a figure, the mean and the workers who
// paid more than one month's wage, spec section 7) repeat on each of its records, and one without money has one
// record. The clean column marks the
// agencies of the clean list. With a reporting currency, the converted totals follow, with the currencies whose
// totals no rate converted (not_converted_currencies).
func Agencies(r projections.AgencyReport) [][]string {
	head := []string{"agency_id", "name", "role", "licence_status", "licence_valid_until", "clean", "workers",
		"flagged_workers", "share_flagged", "substituted_workers", "substitution_rate", "months_of_wages_median",
		"workers_with_months", "months_of_wages_mean", "workers_above_one_month", "job_orders", "buyers"}
	head = append(head, domain.FlagCodes...)
	head = append(head, "currency", "worker_paid_fees", "reimbursed", "outstanding")
	if r.Currency != "" {
		head = append(head, "reporting_currency", "worker_paid_fees_converted", "reimbursed_converted",
			"outstanding_converted", "not_converted_currencies")
	}
	out := [][]string{head}
	for _, s := range r.Agencies {
		rec := []string{s.AgencyID, s.Name, s.Role, s.Licence.Status, s.Licence.ValidUntil, strconv.FormatBool(s.Clean),
			strconv.Itoa(s.Workers), strconv.Itoa(s.FlaggedWorkers), s.ShareFlagged, strconv.Itoa(s.SubstitutedWorkers),
			s.SubstitutionRate, s.MonthsOfWages.Median, strconv.Itoa(s.MonthsOfWages.WorkersWithFigure),
			s.MonthsOfWages.Mean, strconv.Itoa(s.MonthsOfWages.WorkersAboveOneMonth), strings.Join(s.JobOrders, ListSep),
			strings.Join(s.Buyers, ListSep)}
		for _, c := range domain.FlagCodes {
			rec = append(rec, strconv.Itoa(s.Flags[c]))
		}
		lines := ByCurrency(projections.AuditRow{WorkerPaid: s.WorkerPaid, Reimbursed: s.Reimbursed, Outstanding: s.Outstanding})
		if len(lines) == 0 {
			lines = []CurrencyLine{{}}
		}
		for _, l := range lines {
			line := append(slices.Clone(rec), l.Currency, l.WorkerPaid, l.Reimbursed, l.Outstanding)
			if c := s.Converted; c != nil {
				line = append(line, c.Currency, string(c.WorkerPaid.Amount), string(c.Reimbursed.Amount),
					string(c.Outstanding.Amount), strings.Join(notConverted(c), ListSep))
			}
			out = append(out, line)
		}
	}
	return out
}

// notConverted are the currencies of the totals a conversion left out, sorted.
func notConverted(c *projections.Converted) []string {
	var out []string
	for _, ms := range [][]domain.Money{c.NotConverted.WorkerPaid, c.NotConverted.Reimbursed, c.NotConverted.Outstanding} {
		for _, m := range ms {
			out = append(out, m.Currency)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
