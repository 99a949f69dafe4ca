package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/query"
)

const auditExample = `  fairtrail audit                               # one row per buyer
  fairtrail audit --buyer buyer-1 --by agency    # one buyer's supply chain, per agency
  fairtrail audit --by job-order --format csv > audit.csv
  fairtrail audit --buyer buyer-1 --currency USD  # money in US dollars, remediation progress, months of wages`

func newAuditCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "audit",
		Short:   "Roll up workers, flags and money per buyer, employer, agency or job order",
		Example: auditExample,
	}
	fs := cmd.Flags()
	sf := registerStore(fs, env)
	var q projections.AuditQuery
	fs.StringVar(&q.BuyerID, "buyer", "", "only this buyer's supply chain")
	fs.StringVar(&q.By, "by", "", "group rows by "+strings.Join(projections.Groupings, ", ")+" (default buyer)")
	completeWith(cmd, "by", projections.Groupings...)
	var tf timeFlags
	tf.register(fs)
	format := formatFlag(cmd, "table", "json", "csv")
	currency := currencyFlag(cmd)
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		var err error
		if q.Currency, err = currency(); err != nil {
			return err
		}
		if q.By != "" && !slices.Contains(projections.Groupings, q.By) {
			return usagef("audit: --by %q: one of %s", q.By, strings.Join(projections.Groupings, ", "))
		}
		return queryAndPrint(cmd, env, sf, tf, format, *wide, printAudit,
			func(ctx context.Context, rd query.Reader, filter projections.Filter, now time.Time) ([]projections.AuditRow, error) {
				return rd.Audit(ctx, q, filter, now)
			})
	}
	return cmd
}

func printAudit(w io.Writer, rows []projections.AuditRow, format string, width int) error {
	switch format {
	case "json":
		return writeJSON(w, rows)
	case "csv":
		return writeCSV(w, export.Audit(rows))
	}
	t := newTable("GROUP", "KEY", "NAME", "JOB ORDERS", "WORKERS", "FLAGGED", "TOP FLAGS").
		priority(2, 1).priority(1, 3, 4, 5)
	for _, r := range rows {
		t.add(r.Group, r.Key, orDash(r.Name), strconv.Itoa(r.JobOrders), strconv.Itoa(r.Workers),
			strconv.Itoa(r.FlaggedWorkers), orDash(topFlags(r.Flags, 3)))
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	fmt.Fprintln(w)
	say(w, width, "Money by currency (fees paid by workers, reimbursed, still owed back, estimated wage shortfall):")
	t = newTable("KEY", "CURRENCY", "WORKER-PAID", "REIMBURSED", "OUTSTANDING", "WAGE SHORTFALL").priority(1, 1, 2, 3, 4, 5)
	for _, r := range rows {
		for _, l := range export.ByCurrency(r) {
			t.add(r.Key, l.Currency, orDash(l.WorkerPaid), orDash(l.Reimbursed), orDash(l.Outstanding), orDash(l.WageShortfall))
		}
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	return printAuditIn(w, rows, width)
}

// topFlags names the n most frequent codes with their counts.
func topFlags(counts map[string]int, n int) string {
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	parts := []string{}
	for _, c := range codes[:min(n, len(codes))] {
		parts = append(parts, c+" "+strconv.Itoa(counts[c]))
	}
	return strings.Join(parts, ", ")
}
