package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

func runFlags(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("flags")
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
	format := formatFlag(fs, "table", "json", "csv")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("flags", pos); err != nil {
		return err
	}
	f, err := format()
	if err != nil {
		return err
	}
	v, err := replay(ctx, sf, tf)
	if err != nil {
		return err
	}
	return printFlags(env.stdout, v.Flags(q), f)
}

func printFlags(w io.Writer, flags []domain.Flag, format string) error {
	switch format {
	case "json":
		return writeJSON(w, flags)
	case "csv":
		rows, err := projections.FlagRecords(flags)
		if err != nil {
			return err
		}
		return writeCSV(w, rows)
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "RAISED AT\tCODE\tWORKER\tJOB ORDER\tBUYERS\tAMOUNTS\tEVIDENCE")
	for _, f := range flags {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d event(s)\n", when(f.RaisedAt), f.Code, orDash(f.WorkerID),
			orDash(f.JobOrderID), orDash(strings.Join(f.BuyerIDs, ",")), orDash(moneyText(f.Amounts)), len(f.EventIDs))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d flag(s)\n", len(flags))
	return err
}
