package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/query"
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
	filter, err := tf.filter()
	if err != nil {
		return err
	}
	r, done, err := openReader(ctx, sf)
	if err != nil {
		return err
	}
	defer done()
	return printFlags(env.stdout, f, func(fn func(string) error) error {
		return r.Flags(ctx, q, filter, time.Now().UTC(), fn)
	})
}

// printFlags writes a listing as it is read: each flag's JSON, one at a time, from list.
func printFlags(w io.Writer, format string, list func(fn func(string) error) error) error {
	switch format {
	case "json":
		return writeJSONArray(w, list)
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(query.FlagColumns); err != nil {
			return err
		}
		err := list(func(text string) error {
			f, err := query.DecodeFlag(text)
			if err != nil {
				return err
			}
			return cw.Write(query.FlagRecord(f))
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "RAISED AT\tCODE\tWORKER\tJOB ORDER\tBUYERS\tAMOUNTS\tEVIDENCE")
	n := 0
	err := list(func(text string) error {
		f, err := query.DecodeFlag(text)
		if err != nil {
			return err
		}
		n++
		_, err = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d event(s)\n", when(f.RaisedAt), f.Code, orDash(f.WorkerID),
			orDash(f.JobOrderID), orDash(strings.Join(f.BuyerIDs, ",")), orDash(moneyText(f.Amounts)), len(f.EventIDs))
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d flag(s)\n", n)
	return err
}
