package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/query"
)

// currencyFlag registers --currency, a reporting currency, on a query command; the function returns it
// checked ("" when not given), a usage error naming the flag for a code that is not ISO 4217 upper case.
func currencyFlag(cmd *cobra.Command) func() (string, error) {
	v := cmd.Flags().String("currency", "", "also give every money figure in this ISO 4217 currency (e.g. USD), "+
		"each amount converted at its own date through the rates imported with 'fairtrail rates import'")
	completeWith(cmd, "currency", "USD", "EUR", "GBP", "MYR")
	return func() (string, error) {
		if *v == "" {
			return "", nil
		}
		if err := projections.CheckCurrency(*v); err != nil {
			return "", usagef("--currency: %v", err)
		}
		return *v, nil
	}
}

// printAuditIn writes the tables of an audit in a reporting currency: each row's remediation progress and its
// months of wages, then what no rate converted.
func printAuditIn(w io.Writer, rows []projections.AuditRow, width int) error {
	if len(rows) == 0 || rows[0].Converted == nil {
		return nil
	}
	cur := rows[0].Converted.Currency
	fmt.Fprintln(w)
	say(w, width, "In "+cur+", each amount converted at its own date (owed back by breaching fees, reimbursed, "+
		"still outstanding, the share repaid, overdue at the clock):")
	t := newTable("KEY", "WORKER-PAID", "OWED BACK", "REIMBURSED", "OUTSTANDING", "REPAID", "OVERDUE", "WAGE SHORTFALL").
		priority(1, 1, 2, 4, 5).priority(2, 3, 6, 7)
	for _, r := range rows {
		c := r.Converted
		t.add(r.Key, string(c.WorkerPaid.Amount), string(c.OwedBack.Amount), string(c.Reimbursed.Amount),
			string(c.Outstanding.Amount), orDash(percent(c.ShareRepaid)), string(c.Overdue.Amount), string(c.WageShortfall.Amount))
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	fmt.Fprintln(w)
	say(w, width, "Recruitment cost in months of wages (over the workers with a figure):")
	t = newTable("KEY", "WORKERS", "MEDIAN", "MEAN", "ABOVE 1 MONTH", "NO FIGURE").priority(1, 1, 2, 3, 4, 5)
	for _, r := range rows {
		m := r.MonthsOfWages
		t.add(r.Key, strconv.Itoa(m.WorkersWithFigure), orDash(m.Median), orDash(m.Mean),
			strconv.Itoa(m.WorkersAboveOneMonth), strconv.Itoa(m.WorkersWithoutFigure))
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	return printNotConverted(w, rows, width)
}

func printNotConverted(w io.Writer, rows []projections.AuditRow, width int) error {
	t := newTable("KEY", "FIGURE", "NOT CONVERTED").priority(1, 1, 2)
	n := 0
	for _, r := range rows {
		nc := r.Converted.NotConverted
		for _, fig := range []struct {
			name string
			ms   []domain.Money
		}{{"worker-paid", nc.WorkerPaid}, {"reimbursed", nc.Reimbursed}, {"owed back", nc.OwedBack},
			{"outstanding", nc.Outstanding}, {"overdue", nc.Overdue}, {"wage shortfall", nc.WageShortfall}} {
			if len(fig.ms) > 0 {
				t.add(r.Key, fig.name, moneyText(fig.ms))
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	fmt.Fprintln(w)
	say(w, width, "Not converted (no published rate on or before the amount's day), left out of the figures above:")
	return t.write(w, width)
}

// percent shows a share (0 to 1, 4 decimals) as a percentage with 2 decimals.
func percent(share string) string {
	if share == "" {
		return ""
	}
	whole, frac, _ := strings.Cut(share, ".")
	frac += "0000"
	n, _ := strconv.Atoi(whole + frac[:2])
	return strconv.Itoa(n) + "." + frac[2:4] + "%"
}

// printFlagsIn writes the flags list yields with their money in a reporting currency: JSON with a "converted"
// object after each flag's own fields, CSV with export.ConvertedFlags's columns, a table with a CONVERTED column.
func printFlagsIn(w io.Writer, list func(fn func(string) error) error, rep projections.Reporting, format string, width int) error {
	if format == "json" {
		return writeJSONTexts(w, func(fn func(string) error) error {
			return list(func(text string) error {
				conv, err := query.ConvertFlag(text, rep)
				if err != nil {
					return err
				}
				return fn(conv)
			})
		})
	}
	if format == "csv" {
		return writeFlagsCSV(w, decoded(list), &rep)
	}
	var flags []projections.ConvertedFlag
	err := list(func(text string) error {
		f, err := query.DecodeFlag(text)
		flags = append(flags, projections.ConvertedFlag{Flag: f, Converted: rep.Flag(f)})
		return err
	})
	if err != nil {
		return err
	}
	t := newTable("RAISED AT", "CODE", "WORKER", "AMOUNTS", "IN "+rep.Currency, "JOB ORDER", "EVENTS").
		priority(3, 0).priority(2, 1, 2, 3, 4).priority(1, 5, 6)
	for _, f := range flags {
		t.add(whenShort(f.RaisedAt), f.Code, orDash(f.WorkerID), orDash(moneyText(f.Amounts)), orDash(convertedText(f.Converted)),
			orDash(f.JobOrderID), strconv.Itoa(len(f.EventIDs)))
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d flag(s)\n", len(flags))
	return err
}

// convertedText is a flag's converted total, with what was not converted.
func convertedText(fm *projections.FlagMoney) string {
	if fm == nil {
		return ""
	}
	s := string(fm.Total.Amount)
	if len(fm.NotConverted) > 0 && len(fm.Conversions) == 0 && fm.Total.Amount.Decimal().IsZero() {
		return "not converted"
	}
	if len(fm.NotConverted) > 0 {
		s += " (not converted: " + moneyText(fm.NotConverted) + ")"
	}
	return s
}

// printWorkerIn writes a worker's recruitment cost in months of wages and, in a reporting currency, its money
// converted.
func printWorkerIn(w io.Writer, r *projections.WorkerReport, width int) {
	if m := r.MonthsOfWages; m != nil {
		paid := m.WorkerPaid.Amount + " " + domain.Amount(m.WorkerPaid.Currency)
		wage := m.MonthlyWage.Amount + " " + domain.Amount(m.MonthlyWage.Currency)
		if m.Has() {
			say(w, width, fmt.Sprintf("Recruitment cost %s months of wages (paid %s; monthly wage %s, %s)", m.Months,
				paid, wage, m.Baseline))
		} else {
			say(w, width, "Recruitment cost in months of wages: none ("+m.Reason+")")
		}
	}
	if c := r.Converted; c != nil {
		say(w, width, fmt.Sprintf("In %s: worker-paid %s; owed back %s; reimbursed %s; outstanding %s; overdue %s",
			c.Currency, c.WorkerPaid.Amount, c.OwedBack.Amount, c.Reimbursed.Amount, c.Outstanding.Amount, c.Overdue.Amount))
		nc := c.NotConverted
		if !nc.Empty() {
			say(w, width, "Not converted (no rate on or before the day): worker-paid "+orDash(moneyText(nc.WorkerPaid))+
				"; reimbursed "+orDash(moneyText(nc.Reimbursed))+"; outstanding "+orDash(moneyText(nc.Outstanding)))
		}
	}
}
