package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// newRatesCmd groups the commands about published exchange rates.
func newRatesCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rates",
		Short: "Load published exchange rates, for caps and figures across currencies",
		Long: "rates stores published exchange rates as ExchangeRatesPublished events. Caps in one currency are\n" +
			"then judged against fees paid in another, with the rate of the fee's day (or the latest before it).",
		Example: `  fairtrail rates import eurofxref-hist.csv --source ECB`,
		Args:    cobra.ArbitraryArgs,
		RunE:    noSubcommand("rates", "no subcommand given (import)"),
	}
	cmd.AddCommand(newRatesImportCmd(env))
	return cmd
}

// ratesImportOptions are the parsed options of `rates import`.
type ratesImportOptions struct {
	file   string
	source string
	base   string
}

func newRatesImportCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import FILE --source NAME",
		Short: "Store a table of exchange rates as ExchangeRatesPublished events, one per date",
		Long: "rates import reads the ECB's historical file (a Date column, then one column per currency, base EUR,\n" +
			"\"N/A\" for a missing rate) or a long layout with the header date,currency,rate[,base]. A file with any\n" +
			"bad cell is refused whole, each problem named as FILE:LINE:COLUMN: problem. Each table's event id is\n" +
			"derived from the source and the date, so importing the same file again adds nothing.",
		Example: `  fairtrail rates import eurofxref-hist.csv --source ECB
  fairtrail rates import nrb.csv --source "Nepal Rastra Bank" --base NPR`,
	}
	sf := registerStore(cmd.Flags(), env)
	var o ratesImportOptions
	cmd.Flags().StringVar(&o.source, "source", "", "who published the rates, e.g. ECB (required)")
	cmd.Flags().StringVar(&o.base, "base", "EUR", "base of a long-layout file without a base column")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usagef("rates import: give exactly one FILE ('-' reads standard input)")
		}
		if o.source == "" {
			return usagef("rates import: --source NAME is required (e.g. --source ECB)")
		}
		if !domain.IsRateCurrency(o.base) {
			return usagef("rates import: --base %q: not an ISO 4217 currency code in upper case", o.base)
		}
		o.file = args[0]
		return importRates(cmd.Context(), sf, o, env)
	}
	return cmd
}

// ratesBatch is how many tables one durable append holds.
const ratesBatch = 1000

// importRates parses the whole file, then stores its tables; a bad file stores nothing, nor does one with a
// table stored before with other rates.
func importRates(ctx context.Context, sf storeFlags, o ratesImportOptions, env environment) error {
	tables, err := parseRatesFile(o, env.stdin)
	var bad domain.RatesFileErrors
	switch {
	case errors.As(err, &bad):
		return rejectRates(env.stderr, o.file, bad)
	case err != nil:
		return err
	}
	s, err := sf.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	appended, duplicates, err := storeRates(ctx, s, tables)
	switch {
	case errors.As(err, &bad):
		return rejectRates(env.stderr, o.file, bad)
	case err != nil:
		return fmt.Errorf("%s: %w", o.file, err)
	}
	fmt.Fprintf(env.stdout, "appended %d, duplicate %d (tables of %s%s)\n", appended, duplicates, o.source, span(tables))
	return nil
}

// rejectRates names a refused file's problems as FILE:LINE:COLUMN: problem.
func rejectRates(w io.Writer, file string, bad domain.RatesFileErrors) error {
	fmt.Fprintf(w, "%s: rejected; nothing from this file was stored\n", file)
	for i, p := range bad {
		if i == maxRatesProblems {
			fmt.Fprintf(w, "%s: ... and %d more\n", file, len(bad)-i)
			break
		}
		fmt.Fprintf(w, "%s:%d:%d: %s\n", file, p.Line, p.Column, p.Problem)
	}
	return failedError{"rates file rejected: nothing stored"}
}

// maxRatesProblems is how many problems of a refused rates file are printed (the parser stops at 20; the tables
// stored with other rates can be as many as the file's).
const maxRatesProblems = 20

func parseRatesFile(o ratesImportOptions, stdin io.Reader) ([]domain.RatesTable, error) {
	in := stdin
	if o.file != "-" {
		f, err := os.Open(o.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	tables, err := domain.ParseRatesFile(in, domain.RatesFileOptions{Source: o.source, Base: o.base})
	if errors.Is(err, domain.ErrInvalid) && !errors.As(err, new(domain.RatesFileErrors)) {
		return nil, usagef("rates import: %v", err)
	}
	return tables, err
}

// span names the first and last dates of the tables, for the summary.
func span(tables []domain.RatesTable) string {
	if len(tables) == 0 {
		return ": none"
	}
	first := tables[0].Event.(*domain.ExchangeRatesPublished).Date
	last := tables[len(tables)-1].Event.(*domain.ExchangeRatesPublished).Date
	return fmt.Sprintf(", %s to %s", first, last)
}

// storeRates appends each table to its stream, in durable batches, and counts the tables new and already stored.
// Before anything is stored, the tables' ids are looked up (eventstore.FindClashes): a table already stored under
// its id with other rates (the source corrected a date) refuses the whole file, as RatesFileErrors naming each
// such table's line and date.
func storeRates(ctx context.Context, s eventstore.Store, tables []domain.RatesTable) (appended, duplicates int, err error) {
	events := make([]eventstore.Admitted, len(tables))
	for i, t := range tables {
		if events[i], err = eventstore.AdmitEnvelope(t.Envelope, "import"); err != nil {
			return 0, 0, err
		}
	}
	clashes, err := eventstore.FindClashes(ctx, s, events)
	if err != nil {
		return 0, 0, fmt.Errorf("store rates: %w", err)
	}
	if len(clashes) > 0 {
		return 0, 0, storedWithOtherRates(tables, clashes)
	}
	for start := 0; start < len(events); start += ratesBatch {
		results, err := s.AppendBatch(ctx, eventstore.Requests(events[start:min(start+ratesBatch, len(events))]))
		a, d := eventstore.Counted(results)
		appended, duplicates = appended+a, duplicates+d
		if err != nil {
			return appended, duplicates, fmt.Errorf("store rates: %sstoring stopped after the first %d tables (%s): %w",
				otherRates(err), appended+duplicates, eventstore.RetryHint(err, "the file"), err)
		}
	}
	return appended, duplicates, nil
}

// storedWithOtherRates names each table whose id is stored for a different event, at the line of its date.
func storedWithOtherRates(tables []domain.RatesTable, clashes []eventstore.Clash) domain.RatesFileErrors {
	bad := make(domain.RatesFileErrors, len(clashes))
	for i, c := range clashes {
		t := tables[c.At]
		e := t.Event.(*domain.ExchangeRatesPublished)
		bad[i] = domain.RatesFileError{Line: t.Line, Column: 1, Problem: fmt.Sprintf("the table of %s for %s: event_id: "+
			"%s; it holds other rates (a table is not corrected in place)", e.Source, e.Date, c.Problem())}
	}
	return bad
}

// otherRates explains a table met only as it was appended (in a store that is not an eventstore.Finder, or
// stored meanwhile) with its id stored for a different event.
func otherRates(err error) string {
	if errors.Is(err, eventstore.ErrEventIDReused) {
		return "a table of this source is already stored with other rates (a table is not corrected in place); "
	}
	return ""
}
