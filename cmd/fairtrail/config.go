package main

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// defaultData is the data directory when neither --data nor FAIRTRAIL_DATA is set.
const defaultData = "./fairtrail-data"

// timeFlags are --as-of and --known-at.
type timeFlags struct{ asOf, knownAt string }

func (t *timeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&t.asOf, "as-of", "", "replay what had happened by then (occurred_at <= T): a date such as 2025-06-30 "+
		"(the end of that day, UTC) or a time such as 2025-06-30T10:00:00Z")
	fs.StringVar(&t.knownAt, "known-at", "", "replay what the tracker knew then (recorded_at <= T), a date or time as for --as-of")
}

func (t *timeFlags) filter() (projections.Filter, error) {
	var f projections.Filter
	var err error
	if f.AsOf, err = parseWhen("--as-of", t.asOf); err != nil {
		return f, err
	}
	f.KnownAt, err = parseWhen("--known-at", t.knownAt)
	return f, err
}

// parseWhen reads an RFC 3339 date-time, or a date meaning the end of that day (UTC).
func parseWhen(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return time.Time{}, usagef("%s %q: not a date or a time: give a date such as 2025-06-30 (the end of that day, UTC) "+
			"or a time such as 2025-06-30T10:00:00Z", name, s)
	}
	return d.LastInstant().UTC(), nil
}

// formatFlag registers --format with the allowed values.
func formatFlag(cmd *cobra.Command, allowed ...string) func() (string, error) {
	v := cmd.Flags().String("format", allowed[0], "output format: "+strings.Join(allowed, ", "))
	completeWith(cmd, "format", allowed...)
	return func() (string, error) {
		if !slices.Contains(allowed, *v) {
			return "", usagef("--format %q: one of %s", *v, strings.Join(allowed, ", "))
		}
		return *v, nil
	}
}

// noArgs refuses positional arguments as a usage error.
func noArgs(cmd *cobra.Command, pos []string) error {
	if len(pos) > 0 {
		return usagef("%s: unexpected argument %q", cmd.Name(), pos[0])
	}
	return nil
}

// completeWith makes shell completion offer these values for a flag.
func completeWith(cmd *cobra.Command, flag string, values ...string) {
	cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}
