package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/projections"
)

const historyExample = `  fairtrail history worker w-000042
  fairtrail history worker w-000042 --as-of 2025-06-30 --format json`

func newHistoryCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "history",
		Short:   "Replay the history of one worker",
		Long:    "history replays the events of one subject: history worker ID shows a worker's timeline, every\ncontract version with its differences from the first, the fees paid and the flags raised.",
		Example: historyExample,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("history: unknown subject %q%s: usage: fairtrail history worker ID", args[0], suggest(cmd, args[0]))
			}
			return usagef("history: usage: fairtrail history worker ID")
		},
	}
	cmd.AddCommand(newHistoryWorkerCmd(env))
	return cmd
}

func newHistoryWorkerCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "worker ID",
		Short:   "A worker's timeline, contract versions, fees and flags",
		Example: historyExample,
		Args:    cobra.ExactArgs(1),
	}
	sf := registerStore(cmd.Flags(), env)
	var tf timeFlags
	tf.register(cmd.Flags())
	format := formatFlag(cmd, "table", "json")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		f, err := format()
		if err != nil {
			return err
		}
		v, err := replay(cmd.Context(), sf, tf)
		if err != nil {
			return err
		}
		r, ok := v.History(pos[0])
		if !ok {
			return failedError{fmt.Sprintf("no worker %q in %s (under the time filter given)", pos[0], sf)}
		}
		if f == "json" {
			return writeJSON(env.stdout, r)
		}
		return printHistory(env.stdout, r)
	}
	return cmd
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
