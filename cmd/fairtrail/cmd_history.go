package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/narrate"
)

const historyExample = `  fairtrail history worker w-000042
  fairtrail history worker w-000042 --as-of 2025-06-30 --format json
  fairtrail history worker w-000042 --format csv > w-000042.csv
  fairtrail history worker w-000042 --currency USD --format json  # with money in USD and months of wages`

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
	format := formatFlag(cmd, "table", "json", "csv")
	currency := currencyFlag(cmd)
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		f, err := format()
		if err != nil {
			return err
		}
		cur, err := currency()
		if err != nil {
			return err
		}
		rd, filter, done, err := openQuery(cmd.Context(), sf, tf)
		if err != nil {
			return err
		}
		defer done()
		v, err := rd.Worker(cmd.Context(), pos[0], filter, time.Now().UTC())
		if err != nil {
			return err
		}
		r, ok := v.History(pos[0])
		if !ok {
			return failedError{fmt.Sprintf("no worker %q in %s (under the time filter given)", pos[0], sf)}
		}
		if cur != "" {
			if r, err = v.InCurrency(r, cur); err != nil {
				return err
			}
		} else if f == "table" {
			m, _ := v.MonthsOfWages(pos[0])
			r.MonthsOfWages = &m
		}
		switch f {
		case "json":
			return writeJSON(env.stdout, r)
		case "csv":
			rows, err := export.History(r)
			if err != nil {
				return err
			}
			return writeCSV(env.stdout, rows)
		}
		receipts, err := streamReceipts(cmd.Context(), rd.Store, "worker-"+pos[0])
		if err != nil {
			return err
		}
		return printHistory(env.stdout, r, receipts, tableWidth(env, *wide))
	}
	return cmd
}

// printHistory writes a worker's report for people: who the worker is, each event with its facts in words,
// the contract versions with their changes, the money and the flags.
func printHistory(w io.Writer, r *projections.WorkerReport, receipts map[string]eventReceipt, width int) error {
	say(w, width, fmt.Sprintf("Worker %s; job order %s; employer %s; buyers %s", r.WorkerID, orDash(r.JobOrderID),
		orDash(r.EmployerID), orDash(strings.Join(r.BuyerIDs, listSep))))
	say(w, width, fmt.Sprintf("Origin %s; languages %s; recruited by %s; status %s", orDash(r.OriginCountry),
		orDash(strings.Join(r.Languages, listSep)), orDash(r.RecruitedBy), r.Status))
	fmt.Fprintln(w)
	if err := printTimeline(w, r.Timeline, receipts, width); err != nil {
		return err
	}
	printContracts(w, r.Contracts, width)
	fmt.Fprintln(w)
	say(w, width, fmt.Sprintf("Worker-paid fees %s; reimbursed %s; outstanding %s", orDash(moneyText(r.Totals.WorkerPaid)),
		orDash(moneyText(r.Totals.Reimbursed)), orDash(moneyText(r.Totals.Outstanding))))
	printWorkerIn(w, r, width)
	fmt.Fprintf(w, "\nFlags (%d):\n", len(r.Flags))
	t := newTable("RAISED AT", "CODE", "AMOUNTS").priority(1, 0, 1)
	t.indent = "  "
	for _, f := range r.Flags {
		t.add(whenShort(f.RaisedAt), f.Code, orDash(moneyText(f.Amounts)))
	}
	if len(r.Flags) > 0 {
		return t.write(w, width)
	}
	return nil
}

// printTimeline writes each event's time, type and id, and under it what the event records, in words, and
// its leaf in the log and its hash (its receipt, with the leaf's hash).
func printTimeline(w io.Writer, timeline []projections.TimelineEntry, receipts map[string]eventReceipt, width int) error {
	t := newTable("OCCURRED AT", "TYPE", "EVENT ID", "RECORDED AT").priority(2, 0, 1).priority(1, 2)
	sentences := make([]string, len(timeline))
	for i, e := range timeline {
		t.add(whenShort(e.OccurredAt), e.Type, e.EventID, whenShort(e.RecordedAt))
		s, err := narrate.Entry(e)
		if err != nil {
			return err
		}
		sentences[i] = s
	}
	lines := t.lines(width)
	fmt.Fprintln(w, lines[0])
	for i, line := range lines[1:] {
		fmt.Fprintln(w, line)
		for _, l := range wrap(sentences[i], "    ", width) {
			fmt.Fprintln(w, l)
		}
		if rc, ok := receipts[timeline[i].EventID]; ok {
			fmt.Fprintln(w, fitWidth(fmt.Sprintf("    leaf %d, hash %s", rc.leaf, rc.hash), width))
		}
	}
	return nil
}

// printContracts writes every contract version: when it was signed, its terms, and its changes from the
// baseline, wrapped to width.
func printContracts(w io.Writer, contracts []projections.ContractReport, width int) {
	fmt.Fprintln(w, "\nContract versions:")
	if len(contracts) == 0 {
		fmt.Fprintln(w, "  none signed")
		return
	}
	for _, c := range contracts {
		fmt.Fprintf(w, "  %s  %s  %s\n", whenShort(c.SignedAt), c.ContractID, c.Stage)
		notes := []string{fmt.Sprintf("wage %s %s/%s (monthly %s), %d h/week, %d rest day(s), %d months, language %s, worker copy %s",
			c.Terms.Wage.Amount, c.Terms.Wage.Currency, c.Terms.Wage.Per, c.MonthlyWage.Amount, c.Terms.Hours(),
			c.Terms.RestDays(), c.Terms.Duration(), c.Language, yesNo(c.WorkerCopy))}
		switch {
		case c.Baseline:
			notes = append(notes, "baseline")
		case len(c.Changes) == 0 && c.ComparedWith != "":
			notes = append(notes, "no less favourable term than "+c.ComparedWith)
		}
		for _, ch := range c.Changes {
			notes = append(notes, narrate.Change(ch, c.ComparedWith))
		}
		if c.WageShortfall != nil {
			notes = append(notes, fmt.Sprintf("estimated wage shortfall %s %s", c.WageShortfall.Amount, c.WageShortfall.Currency))
		}
		for _, n := range notes {
			for _, l := range wrap(n, "      ", width) {
				fmt.Fprintln(w, l)
			}
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// eventReceipt is an event's hash and leaf in the log, as the history shows them.
type eventReceipt struct {
	hash string
	leaf int64
}

// streamReceipts reads a stream's events' hashes and leaves from the store the query opened (none from a store
// that is not a log with leaves).
func streamReceipts(ctx context.Context, s eventstore.Store, stream string) (map[string]eventReceipt, error) {
	l, ok := s.(eventstore.Log)
	if !ok {
		return nil, nil
	}
	out := make(map[string]eventReceipt)
	for rec, err := range s.ReadStream(ctx, stream, 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		leaf, err := l.LeafIndex(ctx, rec.Position)
		if err != nil {
			return nil, err
		}
		out[rec.ID.String()] = eventReceipt{hash: rec.Hash, leaf: leaf}
	}
	return out, nil
}

// fitWidth cuts a line of ASCII to width columns, marking the cut (no limit when width <= 0).
func fitWidth(line string, width int) string {
	if width <= 0 || len(line) <= width {
		return line
	}
	return line[:width-1] + "…"
}
