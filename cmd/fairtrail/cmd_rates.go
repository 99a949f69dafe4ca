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

// importRates parses the whole file, then stores its tables; a bad file stores nothing.
func importRates(ctx context.Context, sf storeFlags, o ratesImportOptions, env environment) error {
	envs, err := parseRatesFile(o, env.stdin)
	var bad domain.RatesFileErrors
	switch {
	case errors.As(err, &bad):
		fmt.Fprintf(env.stderr, "%s: rejected; nothing from this file was stored\n", o.file)
		for _, p := range bad {
			fmt.Fprintf(env.stderr, "%s:%d:%d: %s\n", o.file, p.Line, p.Column, p.Problem)
		}
		return failedError{"rates file rejected: nothing stored"}
	case err != nil:
		return err
	}
	s, err := sf.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	appended, duplicates, err := storeRates(ctx, s, envs)
	if err != nil {
		return fmt.Errorf("%s: %w", o.file, err)
	}
	fmt.Fprintf(env.stdout, "appended %d, duplicate %d (tables of %s%s)\n", appended, duplicates, o.source, span(envs))
	return nil
}

func parseRatesFile(o ratesImportOptions, stdin io.Reader) ([]domain.Envelope, error) {
	in := stdin
	if o.file != "-" {
		f, err := os.Open(o.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	envs, err := domain.ParseRatesFile(in, domain.RatesFileOptions{Source: o.source, Base: o.base})
	if errors.Is(err, domain.ErrInvalid) && !errors.As(err, new(domain.RatesFileErrors)) {
		return nil, usagef("rates import: %v", err)
	}
	return envs, err
}

// span names the first and last dates of the tables, for the summary.
func span(envs []domain.Envelope) string {
	if len(envs) == 0 {
		return ": none"
	}
	first := envs[0].Event.(*domain.ExchangeRatesPublished).Date
	last := envs[len(envs)-1].Event.(*domain.ExchangeRatesPublished).Date
	return fmt.Sprintf(", %s to %s", first, last)
}

// storeRates appends each table to its stream, in durable batches, and counts the tables new and already stored.
// A table already stored under its id with other rates (the source corrected a date) is an error naming it.
func storeRates(ctx context.Context, s eventstore.Store, envs []domain.Envelope) (appended, duplicates int, err error) {
	for start := 0; start < len(envs); start += ratesBatch {
		chunk := envs[start:min(start+ratesBatch, len(envs))]
		b := eventstore.NewBatch(nil) // the ingest's layout: in order, a request per run of a stream's events
		for _, env := range chunk {
			p, err := eventstore.ProposedFrom(env, "import")
			if err != nil {
				return appended, duplicates, err
			}
			b.Add(env.Stream(), p)
		}
		results, err := s.AppendBatch(ctx, b.Requests)
		a, d := eventstore.Counted(results)
		appended, duplicates = appended+a, duplicates+d
		if errors.Is(err, eventstore.ErrEventIDReused) {
			return appended, duplicates, fmt.Errorf("a table of this source for one of these dates is already stored "+
				"with other rates (tables are not corrected in place): %w", err)
		}
		if err != nil {
			return appended, duplicates, fmt.Errorf("store rates (the first %d tables are stored; importing again stores the rest once): %w",
				appended+duplicates, err)
		}
	}
	return appended, duplicates, nil
}
