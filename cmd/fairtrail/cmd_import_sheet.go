package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/interviews"
)

// sheetOptions are import's options for interview sheets.
type sheetOptions struct {
	recordedBy string
	language   string
}

// sniff tells a file's format (see interviews.Detect) from its name and first bytes. For standard input it
// returns the reader to read it from, which still holds the bytes looked at.
func sniff(name string, stdin io.Reader) (interviews.Format, io.Reader, error) {
	if name == "-" {
		br := bufio.NewReaderSize(stdin, 64<<10)
		head, _ := br.Peek(4096) // a short input is read whole; its error comes when it is read
		return interviews.Detect(name, head), br, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return 0, stdin, err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	return interviews.Detect(name, head[:n]), stdin, nil
}

// sheetOutcome is what one sheet's import did: its counts, or the problems that refused it.
type sheetOutcome struct {
	rep      interviews.Report
	problems interviews.Problems
}

// importSheet checks a whole interview sheet, against the store too (its workers, and its rows' event ids), and
// stores it only if every row is good.
func importSheet(ctx context.Context, s eventstore.Store, sf storeFlags, name string, format interviews.Format,
	in io.Reader, o sheetOptions, stored func(context.Context, []eventstore.AppendResult) error) (sheetOutcome, error) {
	if o.recordedBy == "" {
		return sheetOutcome{}, usagef("import: %s is an interview sheet (%s): --recorded-by ORG is required "+
			"(the auditor or worker organisation that held the interviews)", name, format)
	}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return sheetOutcome{}, err
		}
		defer f.Close()
		in = f
	}
	findings, err := interviews.Parse(format, in, interviews.Options{Language: o.language})
	if err == nil {
		err = interviews.Check(ctx, s, findings, o.recordedBy)
	}
	var probs interviews.Problems
	switch {
	case errors.As(err, &probs):
		return sheetOutcome{rep: interviews.Report{Rows: len(findings)}, problems: probs}, nil
	case errors.Is(err, interviews.ErrRecorder):
		return sheetOutcome{}, failedError{fmt.Sprintf("--recorded-by %s: not an organisation registered as an "+
			"auditor or a worker organisation (record its OrganisationRegistered first); nothing was stored", o.recordedBy)}
	case errors.Is(err, domain.ErrInvalid):
		return sheetOutcome{}, usagef("import: %v", err)
	case err != nil:
		return sheetOutcome{}, err
	}
	ns, err := openNotes(sf, false)
	if err != nil {
		return sheetOutcome{}, err
	}
	defer ns.Close()
	rep, err := interviews.Store(ctx, s, ns, findings, o.recordedBy, stored)
	if errors.As(err, &probs) { // a row whose event id is stored for a different event: nothing was stored
		return sheetOutcome{rep: interviews.Report{Rows: len(findings)}, problems: probs}, nil
	}
	return sheetOutcome{rep: rep}, err
}

// printSheetProblems names a refused sheet's bad cells as FILE:ROW:COLUMN: problem (FILE:ROW: for a missing
// column or a row as a whole).
func printSheetProblems(w io.Writer, name string, probs interviews.Problems) {
	fmt.Fprintf(w, "%s: %d problem(s); nothing from this sheet was stored\n", name, len(probs))
	for i, p := range probs {
		if i == maxSheetProblems {
			fmt.Fprintf(w, "%s: ... and %d more\n", name, len(probs)-i)
			return
		}
		if p.Column == "" {
			fmt.Fprintf(w, "%s:%d: %s\n", name, p.Row, p.Problem)
			continue
		}
		fmt.Fprintf(w, "%s:%d:%s: %s\n", name, p.Row, p.Column, p.Problem)
	}
}

// maxSheetProblems is how many problems of one sheet are printed.
const maxSheetProblems = 100

// sheetReport counts a sheet's rows as the lines of the import's summary.
func sheetReport(out sheetOutcome) eventstore.ImportReport {
	rep := eventstore.ImportReport{Lines: out.rep.Rows, Appended: out.rep.Appended, Duplicates: out.rep.Duplicates}
	if len(out.problems) > 0 {
		rep.Rejected = len(out.problems)
	}
	return rep
}

// sayNotes reports what became of a stored sheet's notes.
func sayNotes(w io.Writer, name string, rep interviews.Report) {
	if rep.Notes+rep.NotesErased == 0 {
		return
	}
	fmt.Fprintf(w, "%s: %d note(s) in the note store", name, rep.Notes)
	if rep.NotesErased > 0 {
		fmt.Fprintf(w, "; %d erased before and not saved again", rep.NotesErased)
	}
	fmt.Fprintln(w)
}
