package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/fairtrail/fairtrail/eventstore"
)

func runImport(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("import")
	sf := registerStore(fs, env)
	progress := fs.String("progress", "auto", "progress display: auto (a bar on a terminal), bar, lines, none")
	receiptsPath := fs.String("receipts", "", "write each stored event's receipt (event_id, hash, leaf_index, leaf_hash) to this file as NDJSON")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("import: no FILE given ('-' reads standard input)")
	}
	if !slices.Contains([]string{"auto", "bar", "lines", "none"}, *progress) {
		return usagef("import: --progress %q: one of auto, bar, lines, none", *progress)
	}
	s, err := sf.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	stored, closeReceipts, err := receiptWriter(s, *receiptsPath)
	if err != nil {
		return err
	}
	defer closeReceipts()
	var total eventstore.ImportReport
	rejected := false
	for _, name := range files {
		rep, err := importFile(ctx, s, name, *progress, stored, env)
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
	return closeReceipts()
}

func importFile(ctx context.Context, s eventstore.Store, name, progress string,
	stored func(context.Context, []eventstore.AppendResult) error, env environment) (eventstore.ImportReport, error) {
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
	rep, err := eventstore.Import(ctx, s, in, eventstore.ImportOptions{Progress: bar.update, Stored: stored})
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
