package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fairtrail/fairtrail/eventstore"
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
	v, err := replay(ctx, sf, tf)
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
	rs, err := streamReceipts(ctx, sf, "worker-"+pos[1])
	if err != nil {
		return err
	}
	return printHistory(env.stdout, r, rs)
}

func printHistory(w io.Writer, r *projections.WorkerReport, receipts map[string]eventReceipt) error {
	fmt.Fprintf(w, "Worker %s  job order %s  employer %s  buyers %s\n", r.WorkerID, orDash(r.JobOrderID),
		orDash(r.EmployerID), orDash(strings.Join(r.BuyerIDs, ",")))
	fmt.Fprintf(w, "Origin %s  languages %s  recruited by %s  status %s\n\n", orDash(r.OriginCountry),
		orDash(strings.Join(r.Languages, ",")), orDash(r.RecruitedBy), r.Status)
	tw := newTable(w)
	fmt.Fprintln(tw, "OCCURRED AT\tRECORDED AT\tTYPE\tEVENT ID\tLEAF\tHASH")
	for _, e := range r.Timeline {
		leaf, hash := "-", "-"
		if rc, ok := receipts[e.EventID]; ok {
			leaf, hash = fmt.Sprint(rc.leaf), rc.hash
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", when(e.OccurredAt), when(e.RecordedAt), e.Type, e.EventID, leaf, hash)
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

// eventReceipt is an event's hash and leaf in the log, as the history table shows them.
type eventReceipt struct {
	hash string
	leaf int64
}

// streamReceipts reads a stream's events' hashes and leaves from the store.
func streamReceipts(ctx context.Context, sf storeFlags, stream string) (map[string]eventReceipt, error) {
	s, err := sf.open(true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	l, _ := s.(eventstore.Log)
	out := make(map[string]eventReceipt)
	for rec, err := range s.ReadStream(ctx, stream, 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		rc := eventReceipt{hash: rec.Hash, leaf: -1}
		if l != nil {
			if rc.leaf, err = l.LeafIndex(ctx, rec.Position); err != nil {
				return nil, err
			}
		}
		out[rec.ID.String()] = rc
	}
	return out, nil
}
