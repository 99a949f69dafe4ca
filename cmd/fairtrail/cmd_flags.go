package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/query"
)

const flagsExample = `  fairtrail flags                                  # every flag raised, as a table
  fairtrail flags --buyer buyer-1 --code contract. # one buyer's contract flags
  fairtrail flags --worker w-000042 --format json
  fairtrail flags --as-of 2025-06-30               # what had happened by the end of that day
  fairtrail flags --known-at 2025-06-30T10:00:00Z  # what the tracker knew then
  fairtrail flags --code fee. --currency USD       # each flag's money also in US dollars, with the rate used`

func newFlagsCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "flags",
		Short:   "List the flags raised against fair-recruitment rules",
		Long:    "flags replays the events and lists every flag raised (contract substitution, worker-paid fees, ...),\nfiltered by party, code prefix and time.",
		Example: flagsExample,
	}
	fs := cmd.Flags()
	sf := registerStore(fs, env)
	var q projections.FlagQuery
	fs.StringVar(&q.WorkerID, "worker", "", "only this worker's flags")
	fs.StringVar(&q.JobOrderID, "job-order", "", "only this job order's flags (and its workers')")
	fs.StringVar(&q.BuyerID, "buyer", "", "only flags concerning this buyer")
	fs.StringVar(&q.EmployerID, "employer", "", "only flags of this employer's job orders")
	fs.StringVar(&q.AgencyID, "agency", "", "only flags of workers in this agency's chain")
	fs.StringVar(&q.Code, "code", "", "only codes starting with this prefix (e.g. fee. or contract.substitution)")
	var tf timeFlags
	tf.register(fs)
	format := formatFlag(cmd, "table", "json", "csv")
	currency := currencyFlag(cmd)
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
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
		now := time.Now().UTC()
		if q.WorkerID != "" {
			v, err := rd.Worker(cmd.Context(), q.WorkerID, filter, now)
			if err != nil {
				return err
			}
			if _, ok := v.Worker(q.WorkerID); !ok {
				return failedError{fmt.Sprintf("no worker %q in %s (under the time filter given)", q.WorkerID, sf)}
			}
		}
		list := func(fn func(string) error) error { return rd.Flags(cmd.Context(), q, filter, now, fn) }
		if cur != "" {
			rep, err := rd.Reporting(cmd.Context(), cur, filter, now)
			if err != nil {
				return err
			}
			return printFlagsIn(env.stdout, list, rep, f, tableWidth(env, *wide))
		}
		return printFlags(env.stdout, list, f, tableWidth(env, *wide))
	}
	return cmd
}

// printFlags writes the flags list yields (each as its JSON): JSON and CSV as they are read, a table once all
// are (its columns are sized to them).
func printFlags(w io.Writer, list func(fn func(string) error) error, format string, width int) error {
	switch format {
	case "json":
		return writeJSONArray(w, list)
	case "csv":
		return writeFlagsCSV(w, list, nil)
	}
	var flags []domain.Flag
	err := list(func(text string) error {
		f, err := query.DecodeFlag(text)
		flags = append(flags, f)
		return err
	})
	if err != nil {
		return err
	}
	t := newTable("RAISED AT", "CODE", "WORKER", "AMOUNTS", "JOB ORDER", "BUYERS", "EVENTS").
		priority(3, 0).priority(2, 1, 2, 3).priority(1, 4, 6)
	for _, f := range flags {
		t.add(whenShort(f.RaisedAt), f.Code, orDash(f.WorkerID), orDash(moneyText(f.Amounts)), orDash(f.JobOrderID),
			orDash(strings.Join(f.BuyerIDs, listSep)), strconv.Itoa(len(f.EventIDs)))
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d flag(s)\n", len(flags))
	return err
}

// writeFlagsCSV writes the records of each flag as it is read (export.FlagWriter), with its money also in
// rep's currency when rep is not nil.
func writeFlagsCSV(w io.Writer, list func(fn func(string) error) error, rep *projections.Reporting) error {
	fw := export.NewFlagWriter(w, rep)
	err := list(func(text string) error {
		f, err := query.DecodeFlag(text)
		if err != nil {
			return err
		}
		return fw.Write(f)
	})
	if err != nil {
		return err
	}
	return fw.Close()
}
