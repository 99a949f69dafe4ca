package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/interviews"
)

const importExample = `  fairtrail import events.ndjson
  fairtrail import --progress lines a.ndjson b.ndjson
  gzip -dc events.ndjson.gz | fairtrail import -
  fairtrail import --recorded-by aud-1 --language ne interviews.xlsx`

func newImportCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Validate NDJSON event files and interview sheets (CSV, XLSX) and store them durably",
		Long: "import validates a whole file before storing anything from it: a file with any bad line is refused\n" +
			"whole, and every bad line is named as FILE:LINE: field: problem. Events already stored (same event_id\n" +
			"and content) are counted as duplicates. '-' reads standard input.\n\n" +
			"A .csv or .xlsx file (or one that looks like it) is an auditor's interview sheet, one finding a row, each\n" +
			"stored as a WorkerReported recorded_by --recorded-by, its note in the erasable note store; a bad cell is\n" +
			"named as FILE:ROW:COLUMN: problem and nothing from the sheet is stored. The columns are worker, date,\n" +
			"kind, category, amount, currency, payee, paid_on, method, term, promised, actual, document, held_by,\n" +
			"channel (default interview), language (default --language), note and report_id (default derived from\n" +
			"the row, so a second import adds nothing); see the README for the template.",
		Example: importExample,
	}
	sf := registerStore(cmd.Flags(), env)
	progress := cmd.Flags().String("progress", "auto", "progress on standard error: auto (a bar on a terminal, else none), "+
		"bar (one bar for all files, with rate and time left), lines (a line per durable batch), none")
	completeWith(cmd, "progress", progressModes...)
	receipts := cmd.Flags().String("receipts", "", "write each stored event's receipt (event_id, hash, leaf_index, leaf_hash) to this file as NDJSON")
	var so sheetOptions
	cmd.Flags().StringVar(&so.recordedBy, "recorded-by", "", "interview sheets: the auditor or worker organisation that held "+
		"the interviews, stored as recorded_by (required for a sheet; NDJSON files are recorded_by import)")
	cmd.Flags().StringVar(&so.language, "language", "", "interview sheets: the language (ISO 639-1) of rows with no language cell")
	cmd.RunE = func(cmd *cobra.Command, files []string) error {
		if len(files) == 0 {
			return usagef("import: no FILE given ('-' reads standard input)")
		}
		if !slices.Contains(progressModes, *progress) {
			return usagef("import: --progress %q: one of auto, bar, lines, none", *progress)
		}
		if so.recordedBy != "" && (domain.CheckRecordedBy(so.recordedBy) != nil || domain.ReservedRecorder(so.recordedBy)) {
			return usagef("import: --recorded-by %q: give the organisation id of the auditor or worker organisation "+
				"that held the interviews", so.recordedBy)
		}
		if so.language != "" && !domain.IsLanguage(so.language) {
			return usagef("import: --language %q: not an ISO 639-1 code (e.g. ne, bn, id)", so.language)
		}
		return importFiles(cmd.Context(), sf, files, importOptions{progress: *progress, receipts: *receipts, sheet: so}, env)
	}
	return cmd
}

// importOptions are import's flags.
type importOptions struct {
	progress, receipts string
	sheet              sheetOptions
}

func importFiles(ctx context.Context, sf storeFlags, files []string, o importOptions, env environment) error {
	s, err := sf.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	stored, closeReceipts, err := receiptWriter(s, o.receipts)
	if err != nil {
		return err
	}
	defer closeReceipts()
	sizes := make([]int64, len(files))
	for i, name := range files {
		sizes[i] = fileSize(name)
	}
	bar := newImportProgress(env.stderr, o.progress, sizes)
	var total eventstore.ImportReport
	rejected := map[string]eventstore.ImportReport{} // printed after the bar ends
	badSheets := map[string]interviews.Problems{}
	for i, name := range files {
		bar.file(name, sizes[i])
		rep, probs, err := importOne(ctx, s, sf, name, o, bar, stored, env)
		if len(probs) > 0 {
			badSheets[name] = probs
		}
		bar.fileDone()
		total.Lines += rep.Lines
		total.Appended += rep.Appended
		total.Duplicates += rep.Duplicates
		total.Rejected += rep.Rejected
		switch {
		case errors.Is(err, eventstore.ErrRejected):
			rejected[name] = rep
		case errors.As(err, new(usageError)), errors.As(err, new(failedError)):
			bar.done()
			return err
		case err != nil:
			bar.done()
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	bar.done()
	refused := reportImport(env, files, total, rejected, badSheets)
	m, err := openModel(ctx, sf, s) // the read model follows the import: queries then start at once
	if err != nil {
		return err
	}
	if err := m.Close(); err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	if refused != nil {
		return refused
	}
	return closeReceipts()
}

// reportImport names the refused files' bad lines and cells, then prints the totals. The error says that input
// was refused, nil when every file was stored.
func reportImport(env environment, files []string, total eventstore.ImportReport,
	rejected map[string]eventstore.ImportReport, badSheets map[string]interviews.Problems) error {
	for _, name := range files {
		printRejections(env.stderr, name, rejected[name])
		if probs, bad := badSheets[name]; bad {
			printSheetProblems(env.stderr, name, probs)
		}
	}
	fmt.Fprintf(env.stdout, "appended %d, duplicate %d, rejected %d (lines %d)\n",
		total.Appended, total.Duplicates, total.Rejected, total.Lines)
	switch {
	case len(badSheets) > 0:
		return failedError{"input rejected: files with bad lines or cells were not stored"}
	case len(rejected) > 0:
		return failedError{"input rejected: files with bad lines were not stored"}
	}
	return nil
}

// importOne imports one file, NDJSON or an interview sheet; a sheet's bad cells come back as its problems.
func importOne(ctx context.Context, s eventstore.Store, sf storeFlags, name string, o importOptions, bar *importProgress,
	stored func(context.Context, []eventstore.AppendResult) error, env environment) (eventstore.ImportReport, interviews.Problems, error) {
	format, in, err := sniff(name, env.stdin)
	switch {
	case err != nil:
		return eventstore.ImportReport{}, nil, err
	case format == interviews.NDJSON:
		env.stdin = in
		rep, err := importFile(ctx, s, name, bar, stored, env)
		return rep, nil, err
	}
	out, err := importSheet(ctx, s, sf, name, format, in, o.sheet, stored)
	if err == nil && len(out.problems) == 0 {
		sayNotes(env.stdout, name, out.rep)
	}
	return sheetReport(out), out.problems, err
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
