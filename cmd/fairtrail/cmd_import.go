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
	progress := cmd.Flags().String("progress", "auto", "progress on standard error: auto (a bar on a terminal, else none), "+
		"bar (one bar for all files, with rate and time left), lines (a line per durable batch), none")
	completeWith(cmd, "progress", progressModes...)
	receipts := cmd.Flags().String("receipts", "", "write each stored event's receipt (event_id, hash, leaf_index, leaf_hash) to this file as NDJSON")
	cmd.RunE = func(cmd *cobra.Command, files []string) error {
		if len(files) == 0 {
			return usagef("import: no FILE given ('-' reads standard input)")
		}
		if !slices.Contains(progressModes, *progress) {
			return usagef("import: --progress %q: one of auto, bar, lines, none", *progress)
		}
		return importFiles(cmd.Context(), sf, files, *progress, *receipts, env)
	}
	return cmd
}

func importFiles(ctx context.Context, sf storeFlags, files []string, progress, receiptsPath string, env environment) error {
	s, err := sf.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	stored, closeReceipts, err := receiptWriter(s, receiptsPath)
	if err != nil {
		return err
	}
	defer closeReceipts()
	sizes := make([]int64, len(files))
	for i, name := range files {
		sizes[i] = fileSize(name)
	}
	bar := newImportProgress(env.stderr, progress, sizes)
	var total eventstore.ImportReport
	rejected := map[string]eventstore.ImportReport{} // printed after the bar ends
	for i, name := range files {
		bar.file(name, sizes[i])
		rep, err := importFile(ctx, s, name, bar, stored, env)
		bar.fileDone()
		total.Lines += rep.Lines
		total.Appended += rep.Appended
		total.Duplicates += rep.Duplicates
		total.Rejected += rep.Rejected
		switch {
		case errors.Is(err, eventstore.ErrRejected):
			rejected[name] = rep
		case err != nil:
			bar.done()
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	bar.done()
	for _, name := range files {
		printRejections(env.stderr, name, rejected[name])
	}
	fmt.Fprintf(env.stdout, "appended %d, duplicate %d, rejected %d (lines %d)\n",
		total.Appended, total.Duplicates, total.Rejected, total.Lines)
	if len(rejected) > 0 {
		return failedError{"input rejected: files with bad lines were not stored"}
	}
	return closeReceipts()
}

// fileSize is a file's size, -1 for standard input or a file that cannot be examined (its open reports why).
func fileSize(name string) int64 {
	if name == "-" {
		return -1
	}
	st, err := os.Stat(name)
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	return st.Size()
}

func importFile(ctx context.Context, s eventstore.Store, name string, bar *importProgress,
	stored func(context.Context, []eventstore.AppendResult) error, env environment) (eventstore.ImportReport, error) {
	var in io.Reader = env.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return eventstore.ImportReport{}, err
		}
		defer f.Close()
		in = f
	}
	return eventstore.Import(ctx, s, in, eventstore.ImportOptions{Progress: bar.update, Stored: stored})
}

// printRejections names a rejected file's bad lines; it prints nothing for a file that was not rejected.
func printRejections(w io.Writer, name string, rep eventstore.ImportReport) {
	if rep.Rejected == 0 {
		return
	}
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
