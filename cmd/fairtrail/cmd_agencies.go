package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/query"
)

const agenciesLong = `Compare the recruitment agencies across every job order they touch: per agency its workers (those it
recruited and those of every job order it is engaged on, in any role), the share of them flagged, flags by
code, worker-paid fees and what was repaid, the contract substitution rate (the share of its workers with a
contract.substitution or contract.below_job_order flag), the median recruitment cost in months of wages, its
licence status at the query's time (licensed to, expired on, no licence, not registered), and the job orders
and buyers it served.

The risk order (--sort risk, the default) puts first the highest share of workers flagged, then the highest
substitution rate, then (with --currency) the most worker-paid fees in that currency, then the most flagged
workers; ties are broken by agency id.

The clean list is the agencies with at least --min-workers workers and no fee.*, contract.* or document.* flag
on any of them: the recruiters a brand can point its suppliers to.`

const agenciesExample = `  fairtrail agencies                                  # every agency, riskiest first
  fairtrail agencies --buyer buyer-1 --currency USD   # one buyer's supply chain, money also in USD
  fairtrail agencies --min-workers 25 --format json | jq .clean_agencies`

func newAgenciesCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "agencies",
		Short:   "Score the recruitment agencies: workers flagged, fees, substitution, licence, clean list",
		Long:    agenciesLong,
		Example: agenciesExample,
	}
	fs := cmd.Flags()
	sf := registerStore(fs, env)
	var q projections.AgencyQuery
	fs.StringVar(&q.BuyerID, "buyer", "", "only this buyer's job orders and the workers recruited for them")
	fs.IntVar(&q.MinWorkers, "min-workers", projections.DefaultMinWorkers, "least workers of an agency on the clean list")
	fs.StringVar(&q.Sort, "sort", projections.SortRisk, "order: "+strings.Join(projections.AgencySorts, ", "))
	completeWith(cmd, "sort", projections.AgencySorts...)
	currency := currencyFlag(cmd)
	var tf timeFlags
	tf.register(fs)
	format := formatFlag(cmd, "table", "json", "csv")
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		var err error
		if q.Currency, err = currency(); err != nil {
			return err
		}
		if err := checkAgencyFlags(q); err != nil {
			return err
		}
		return queryAndPrint(cmd, env, sf, tf, format, *wide, printAgencies,
			func(ctx context.Context, rd query.Reader, filter projections.Filter, now time.Time) (projections.AgencyReport, error) {
				return rd.Agencies(ctx, q, filter, now)
			})
	}
	return cmd
}

// checkAgencyFlags refuses a bad --sort, --currency or --min-workers as a usage error naming the flag.
func checkAgencyFlags(q projections.AgencyQuery) error {
	fields := q.Check("--sort", "--currency", "--min-workers")
	if len(fields) == 0 {
		return nil
	}
	given := map[string]string{"--sort": q.Sort, "--currency": q.Currency,
		"--min-workers": strconv.Itoa(q.MinWorkers)}[fields[0].Path] // --currency is checked by currencyFlag first
	return usagef("agencies: %s %q: %s", fields[0].Path, given, fields[0].Problem)
}

func printAgencies(w io.Writer, r projections.AgencyReport, format string, width int) error {
	switch format {
	case "json":
		return writeJSON(w, r)
	case "csv":
		return writeCSV(w, export.Agencies(r))
	}
	t := newTable("AGENCY", "NAME", "LICENCE", "WORKERS", "FLAGGED", "SUBSTITUTED", "MONTHS", "JOB ORDERS", "TOP FLAGS").
		priority(2, 0, 3, 4).priority(1, 2, 5, 6)
	for _, s := range r.Agencies {
		t.add(s.AgencyID, orDash(s.Name), s.Licence.String(), strconv.Itoa(s.Workers),
			ofWorkers(s.FlaggedWorkers, s.ShareFlagged), ofWorkers(s.SubstitutedWorkers, s.SubstitutionRate),
			orDash(s.MonthsOfWages.Median), strconv.Itoa(len(s.JobOrders)), orDash(topFlags(s.Flags, 3)))
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := printAgencyMoney(w, r, width); err != nil {
		return err
	}
	fmt.Fprintln(w)
	say(w, width, fmt.Sprintf("Clean agencies (at least %d workers, no fee, contract or document flag on any of them): %d",
		r.MinWorkers, len(r.CleanAgencies)))
	if len(r.CleanAgencies) == 0 {
		return nil
	}
	t = newTable("AGENCY", "NAME", "WORKERS", "JOB ORDERS", "LICENCE").priority(1, 0, 2)
	for _, c := range r.CleanAgencies {
		t.add(c.AgencyID, orDash(c.Name), strconv.Itoa(c.Workers), strconv.Itoa(c.JobOrders), c.Licence.String())
	}
	return t.write(w, width)
}

// printAgencyMoney prints the agencies' money a currency a line, and with a reporting currency the converted
// totals with the currencies left out.
func printAgencyMoney(w io.Writer, r projections.AgencyReport, width int) error {
	say(w, width, "Money by currency (fees paid by workers, reimbursed, still owed back):")
	t := newTable("AGENCY", "CURRENCY", "WORKER-PAID", "REIMBURSED", "OUTSTANDING").priority(1, 0, 1, 2)
	for _, s := range r.Agencies {
		row := projections.AuditRow{WorkerPaid: s.WorkerPaid, Reimbursed: s.Reimbursed, Outstanding: s.Outstanding}
		for _, l := range export.ByCurrency(row) {
			t.add(s.AgencyID, l.Currency, orDash(l.WorkerPaid), orDash(l.Reimbursed), orDash(l.Outstanding))
		}
	}
	if err := t.write(w, width); err != nil || r.Currency == "" {
		return err
	}
	fmt.Fprintln(w)
	say(w, width, "In "+r.Currency+", each amount at its own date (amounts without a rate are listed, not counted):")
	t = newTable("AGENCY", "WORKER-PAID", "REIMBURSED", "OUTSTANDING", "NOT CONVERTED").priority(1, 0, 1)
	for _, s := range r.Agencies {
		c := s.Converted
		var left []string
		for _, ms := range [][]domain.Money{c.NotConverted.WorkerPaid, c.NotConverted.Reimbursed, c.NotConverted.Outstanding} {
			left = append(left, moneyText(ms))
		}
		t.add(s.AgencyID, string(c.WorkerPaid.Amount), string(c.Reimbursed.Amount),
			string(c.Outstanding.Amount), orDash(strings.Join(nonEmptyTexts(left), "; ")))
	}
	return t.write(w, width)
}

// ofWorkers writes a count of workers with its share as a percentage: "3 (25.0%)".
func ofWorkers(n int, share string) string {
	if share == "" {
		return strconv.Itoa(n)
	}
	d, err := decimal.NewFromString(share)
	if err != nil {
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("%d (%s%%)", n, d.Shift(2).StringFixed(1))
}

func nonEmptyTexts(s []string) []string {
	out := s[:0:0]
	for _, t := range s {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}
