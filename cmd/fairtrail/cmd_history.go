package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

func runHistory(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("history")
	sf := registerStore(fs, env)
	var tf timeFlags
	tf.register(fs)
	format := formatFlag(fs, "table", "json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "worker" {
		return usagef("history: usage: fairtrail history worker ID")
	}
	f, err := format()
	if err != nil {
		return err
	}
	filter, err := tf.filter()
	if err != nil {
		return err
	}
	rd, done, err := openReader(ctx, sf)
	if err != nil {
		return err
	}
	defer done()
	v, err := rd.Worker(ctx, pos[1], filter, time.Now().UTC())
	if err != nil {
		return err
	}
	r, ok := v.History(pos[1])
	if !ok {
		return failedError{fmt.Sprintf("no worker %q in %s (under the time filter given)", pos[1], sf)}
	}
	if f == "json" {
		return writeJSON(env.stdout, r)
	}
	return printHistory(env.stdout, r)
}

func printHistory(w io.Writer, r *projections.WorkerReport) error {
	fmt.Fprintf(w, "Worker %s  job order %s  employer %s  buyers %s\n", r.WorkerID, orDash(r.JobOrderID),
		orDash(r.EmployerID), orDash(strings.Join(r.BuyerIDs, ",")))
	fmt.Fprintf(w, "Origin %s  languages %s  recruited by %s  status %s\n\n", orDash(r.OriginCountry),
		orDash(strings.Join(r.Languages, ",")), orDash(r.RecruitedBy), r.Status)
	tw := newTable(w)
	fmt.Fprintln(tw, "OCCURRED AT\tRECORDED AT\tTYPE\tEVENT ID")
	for _, e := range r.Timeline {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", when(e.OccurredAt), when(e.RecordedAt), e.Type, e.EventID)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nContract versions:")
	if len(r.Contracts) == 0 {
		fmt.Fprintln(w, "  none signed")
	}
	for _, c := range r.Contracts {
		fmt.Fprintf(w, "  %s  %s  %s  wage %s %s/%s (monthly %s)  %dh/week  %d rest day(s)  %d months  language %s  worker copy %t\n",
			when(c.SignedAt), c.ContractID, c.Stage, c.Terms.Wage.Amount, c.Terms.Wage.Currency, c.Terms.Wage.Per,
			c.MonthlyWage.Amount, c.Terms.Hours(), c.Terms.RestDays(), c.Terms.Duration(), c.Language, c.WorkerCopy)
		switch {
		case c.Baseline:
			fmt.Fprintln(w, "    baseline")
		case len(c.Changes) == 0 && c.ComparedWith != "":
			fmt.Fprintf(w, "    no less favourable term than %s\n", c.ComparedWith)
		}
		for _, ch := range c.Changes {
			fmt.Fprintf(w, "    %s %s vs %s: %s -> %s\n", ch.Term, ch.Note, c.ComparedWith, describe(ch.Before), describe(ch.After))
		}
		if c.WageShortfall != nil {
			fmt.Fprintf(w, "    estimated wage shortfall %s %s\n", c.WageShortfall.Amount, c.WageShortfall.Currency)
		}
	}
	fmt.Fprintf(w, "\nWorker-paid fees %s; reimbursed %s; outstanding %s\n", orDash(moneyText(r.Totals.WorkerPaid)),
		orDash(moneyText(r.Totals.Reimbursed)), orDash(moneyText(r.Totals.Outstanding)))
	fmt.Fprintf(w, "\nFlags (%d):\n", len(r.Flags))
	for _, f := range r.Flags {
		fmt.Fprintf(w, "  %s  %s  %s\n", when(f.RaisedAt), f.Code, moneyText(f.Amounts))
	}
	return nil
}
