package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

func runAudit(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("audit")
	sf := registerStore(fs, env)
	var q projections.AuditQuery
	fs.StringVar(&q.BuyerID, "buyer", "", "only this buyer's supply chain")
	fs.StringVar(&q.By, "by", "", "group rows by buyer, employer, agency or job-order (default buyer)")
	var tf timeFlags
	tf.register(fs)
	format := formatFlag(fs, "table", "json", "csv")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("audit", pos); err != nil {
		return err
	}
	if q.By != "" && !slices.Contains(projections.Groupings, q.By) {
		return usagef("audit: --by %q: one of %s", q.By, strings.Join(projections.Groupings, ", "))
	}
	f, err := format()
	if err != nil {
		return err
	}
	v, err := replay(ctx, sf, tf)
	if err != nil {
		return err
	}
	rows, err := v.Audit(q)
	if err != nil {
		return err
	}
	return printAudit(env.stdout, rows, f)
}

func printAudit(w io.Writer, rows []projections.AuditRow, format string) error {
	switch format {
	case "json":
		return writeJSON(w, rows)
	case "csv":
		out := projections.AuditRecords(rows)
		return writeCSV(w, out)
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "GROUP\tKEY\tNAME\tJOB ORDERS\tWORKERS\tFLAGGED\tTOP FLAGS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.Group, r.Key, orDash(r.Name), r.JobOrders, r.Workers,
			r.FlaggedWorkers, orDash(topFlags(r.Flags, 3)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nMoney by currency (fees paid by workers, reimbursed, still owed back, estimated wage shortfall):")
	tw = newTable(w)
	fmt.Fprintln(tw, "KEY\tCURRENCY\tWORKER-PAID\tREIMBURSED\tOUTSTANDING\tWAGE SHORTFALL")
	for _, r := range rows {
		for _, line := range byCurrency(r) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, line[0], line[1], line[2], line[3], line[4])
		}
	}
	return tw.Flush()
}

// byCurrency lays a row's money out one currency a line: currency, paid, reimbursed, outstanding, shortfall.
func byCurrency(r projections.AuditRow) [][5]string {
	cols := [][]domain.Money{r.WorkerPaid, r.Reimbursed, r.Outstanding, r.WageShortfall}
	lines := map[string]*[5]string{}
	var order []string
	for c, ms := range cols {
		for _, m := range ms {
			l := lines[m.Currency]
			if l == nil {
				l = &[5]string{m.Currency, "-", "-", "-", "-"}
				lines[m.Currency] = l
				order = append(order, m.Currency)
			}
			l[c+1] = string(m.Amount)
		}
	}
	slices.Sort(order)
	out := make([][5]string, len(order))
	for i, cur := range order {
		out[i] = *lines[cur]
	}
	return out
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
