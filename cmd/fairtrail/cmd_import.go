package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/eventstore"
)

const importExample = `  fairtrail import events.ndjson
  fairtrail import --progress lines a.ndjson b.ndjson
  gzip -dc events.ndjson.gz | fairtrail import -`

func newImportCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Validate NDJSON event files and store them durably",
		Long: "import validates a whole file before storing anything from it: a file with any bad line is refused\n" +
			"whole, and every bad line is named as FILE:LINE: field: problem. Events already stored (same event_id\n" +
			"and content) are counted as duplicates. '-' reads standard input.",
		Example: importExample,
	}
	sf := registerStore(cmd.Flags(), env)
	progress := cmd.Flags().String("progress", "auto", "progress display: auto (a bar on a terminal), bar, lines, none")
	completeWith(cmd, "progress", "auto", "bar", "lines", "none")
	cmd.RunE = func(cmd *cobra.Command, files []string) error {
		if len(files) == 0 {
			return usagef("import: no FILE given ('-' reads standard input)")
		}
		if !slices.Contains([]string{"auto", "bar", "lines", "none"}, *progress) {
			return usagef("import: --progress %q: one of auto, bar, lines, none", *progress)
		}
		return importFiles(cmd.Context(), sf, files, *progress, env)
	}
	return cmd
}

func importFiles(ctx context.Context, sf storeFlags, files []string, progress string, env environment) error {
	s, err := sf.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	var total eventstore.ImportReport
	rejected := false
	for _, name := range files {
		rep, err := importFile(ctx, s, name, progress, env)
		total.Lines += rep.Lines
		total.Appended += rep.Appended
		total.Duplicates += rep.Duplicates
		total.Rejected += rep.Rejected
		switch {
		case errors.Is(err, eventstore.ErrRejected):
			rejected = true
			printRejections(env.stderr, name, rep)
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	fmt.Fprintf(env.stdout, "appended %d, duplicate %d, rejected %d (lines %d)\n",
		total.Appended, total.Duplicates, total.Rejected, total.Lines)
	if rejected {
		return failedError{"input rejected: files with bad lines were not stored"}
	}
	return nil
}

func importFile(ctx context.Context, s eventstore.Store, name, progress string, env environment) (eventstore.ImportReport, error) {
	var in io.Reader = env.stdin
	var size int64 = -1
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return eventstore.ImportReport{}, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		in = f
	}
	bar := newProgress(env.stderr, name, size, progress)
	rep, err := eventstore.Import(ctx, s, in, eventstore.ImportOptions{Progress: bar.update})
	bar.done()
	return rep, err
}

func printRejections(w io.Writer, name string, rep eventstore.ImportReport) {
	fmt.Fprintf(w, "%s: %d of %d lines rejected; nothing from this file was stored\n", name, rep.Rejected, rep.Lines)
	for _, le := range rep.Errors {
		for _, f := range le.Fields {
			path := f.Path
			if path == "" {
				path = "(line)"
			}
			fmt.Fprintf(w, "%s:%d: %s: %s\n", name, le.Line, path, f.Problem)
		}
	}
	if more := rep.Rejected - len(rep.Errors); more > 0 {
		fmt.Fprintf(w, "%s: ... and %d more bad lines\n", name, more)
	}
}
