package main

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/query"
)

// defaultData is the data directory when neither --data nor FAIRTRAIL_DATA is set.
const defaultData = "./fairtrail-data"

// newFlagSet makes a flag set that reports errors as usage errors instead of exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags, allowing them before and after positional arguments, and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("%s: help requested", fs.Name())
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// timeFlags are --as-of and --known-at.
type timeFlags struct{ asOf, knownAt string }

func (t *timeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.asOf, "as-of", "", "replay what had happened by then (occurred_at <= T)")
	fs.StringVar(&t.knownAt, "known-at", "", "replay what the tracker knew then (recorded_at <= T)")
}

func (t *timeFlags) filter() (projections.Filter, error) {
	f, fields := query.ParseFilter("--as-of", t.asOf, "--known-at", t.knownAt)
	if len(fields) > 0 {
		given := map[string]string{"--as-of": t.asOf, "--known-at": t.knownAt}[fields[0].Path]
		return f, usagef("%s %q: %s", fields[0].Path, given, fields[0].Problem)
	}
	return f, nil
}

// formatFlag registers --format with the allowed values.
func formatFlag(fs *flag.FlagSet, allowed ...string) func() (string, error) {
	v := fs.String("format", allowed[0], "output format: "+strings.Join(allowed, ", "))
	return func() (string, error) {
		if !slices.Contains(allowed, *v) {
			return "", usagef("--format %q: one of %s", *v, strings.Join(allowed, ", "))
		}
		return *v, nil
	}
}

func noArgs(name string, pos []string) error {
	if len(pos) > 0 {
		return usagef("%s: unexpected argument %q", name, pos[0])
	}
	return nil
}
