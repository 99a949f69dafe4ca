package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

const notesLong = `notes reads and erases the free text of workers' reports. Events never hold it (spec section 8): a
WorkerReported or WorkerReportResolved carries only note_sha256, the SHA-256 (lower-case hex) of the note's
exact UTF-8 bytes, and the text is kept in notes.sqlite beside the log: in the data directory, or with --store
in the cache directory (--cache, else the user's cache). Erasing a note (a worker's request, a court order)
removes its bytes from that file and leaves every event, hash chain, checkpoint and receipt as it was, so
'fairtrail verify' still passes. Each erasure is journaled in the same file (note, worker, when, who, why);
'notes show --erasures' lists the journal. An erased note is never saved again.`

// newNotesCmd groups the commands about the erasable notes.
func newNotesCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notes",
		Short: "Show and erase the free-text notes of workers' reports",
		Long:  notesLong,
		Example: `  fairtrail notes show --worker w-000042
  fairtrail notes erase --worker w-000042 --reason "the worker's request of 2026-03-01"
  fairtrail notes show --erasures`,
		Args: cobra.ArbitraryArgs,
		RunE: noSubcommand("notes", "a subcommand is required: show or erase"),
	}
	cmd.AddCommand(newNotesShowCmd(env), newNotesEraseCmd(env))
	return cmd
}

// notesDir is where the note store of the selected store lives: the embedded store's data directory, or a
// store server's cache directory.
func (sf storeFlags) notesDir() (string, error) {
	if *sf.url == "" {
		return *sf.data, nil
	}
	return sf.modelDir()
}

// openNotes opens the note store of the selected store. With existing set, a store never written is an error
// that says where it was looked for.
func openNotes(sf storeFlags, existing bool) (*notes.Store, error) {
	dir, err := sf.notesDir()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, notes.FileName)); existing && errors.Is(err, os.ErrNotExist) {
		return nil, failedError{fmt.Sprintf("no notes in %s: notes are saved with reports (POST /v1/events, "+
			"'fairtrail import' of an interview sheet)", dir)}
	}
	return notes.Open(dir, notes.Options{})
}

func newNotesShowCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show [SHA256]",
		Short: "Print a note's text, list a worker's notes, or list the erasure journal",
		Long: "show without arguments says where the note store is and what it holds; with a note's SHA-256 it prints\n" +
			"the text; --worker lists a worker's notes without their text; --erasures lists the erasure journal.",
		Example: `  fairtrail notes show
  fairtrail notes show 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
  fairtrail notes show --worker w-000042
  fairtrail notes show --erasures --format json`,
	}
	sf := registerStore(cmd.Flags(), env)
	worker := cmd.Flags().String("worker", "", "list this worker's notes (hash, size, when saved), without their text")
	erasures := cmd.Flags().Bool("erasures", false, "list the erasure journal (with --worker, that worker's rows)")
	format := formatFlag(cmd, "table", "json")
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f, err := format()
		if err != nil {
			return err
		}
		switch {
		case len(args) > 1:
			return usagef("notes show: give one SHA256 at most")
		case len(args) == 1 && (*worker != "" || *erasures):
			return usagef("notes show: give a SHA256, or --worker, or --erasures")
		}
		s, err := openNotes(sf, true)
		if err != nil {
			return err
		}
		defer s.Close()
		width := tableWidth(env, *wide)
		switch {
		case *erasures:
			return showErasures(cmd, s, *worker, f, width, env)
		case *worker != "":
			return showWorkerNotes(cmd, s, *worker, f, width, env)
		case len(args) == 0:
			return showCounts(cmd, s, f, env)
		}
		return showNote(cmd, s, args[0], f, env)
	}
	return cmd
}

// showNote prints one note: its text alone (as saved, for the table format) or the note as JSON.
func showNote(cmd *cobra.Command, s *notes.Store, h, format string, env environment) error {
	n, err := s.Get(cmd.Context(), h)
	switch {
	case errors.Is(err, notes.ErrErased):
		return failedError{fmt.Sprintf("note %s was erased ('notes show --erasures' says when and why)", h)}
	case errors.Is(err, notes.ErrNotFound) && !notes.ValidHash(h):
		return usagef("notes show: %q is not a note's SHA-256 (64 lower-case hex digits)", h)
	case errors.Is(err, notes.ErrNotFound):
		return failedError{fmt.Sprintf("no note %s", h)}
	case err != nil:
		return err
	}
	if format == "json" {
		return writeJSON(env.stdout, n)
	}
	_, err = io.WriteString(env.stdout, n.Text+"\n")
	return err
}

func showWorkerNotes(cmd *cobra.Command, s *notes.Store, worker, format string, width int, env environment) error {
	list, err := s.List(cmd.Context(), worker)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(env.stdout, append([]notes.Summary{}, list...))
	}
	if len(list) == 0 {
		fmt.Fprintf(env.stdout, "no notes of worker %s\n", worker)
		return nil
	}
	t := newTable("NOTE_SHA256", "BYTES", "SAVED")
	for _, n := range list {
		t.add(n.SHA256, strconv.Itoa(n.Bytes), when(n.SavedAt))
	}
	return t.write(env.stdout, width)
}

func showErasures(cmd *cobra.Command, s *notes.Store, worker, format string, width int, env environment) error {
	list, err := s.Erasures(cmd.Context(), worker)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(env.stdout, append([]notes.Erasure{}, list...))
	}
	if len(list) == 0 {
		fmt.Fprintln(env.stdout, "no erasures")
		return nil
	}
	t := newTable("ERASED", "NOTE_SHA256", "WORKER", "SCOPE", "TEXT", "BY", "REASON")
	for _, e := range list {
		t.add(when(e.ErasedAt), e.SHA256, orDash(e.Worker), e.Scope, removedText(e.TextRemoved), e.ErasedBy, orDash(e.Reason))
	}
	return t.write(env.stdout, width)
}

// showCounts says where the store is and how many notes, workers and erasures it holds.
func showCounts(cmd *cobra.Command, s *notes.Store, format string, env environment) error {
	c, err := s.Count(cmd.Context())
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(env.stdout, struct {
			Path string `json:"path"`
			notes.Counts
		}{s.Path(), c})
	}
	fmt.Fprintf(env.stdout, "%s: %d note(s) of %d worker(s); %d erasure(s) journaled\n", s.Path(), c.Notes, c.Workers, c.Erasures)
	return nil
}

// removedText says whether an erasure removed the text or left it to other workers.
func removedText(removed bool) string {
	if removed {
		return "removed"
	}
	return "kept (another worker's)"
}

func newNotesEraseCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "erase (--worker ID | --note SHA256) [--reason TEXT]",
		Short: "Erase a worker's notes, or one note, for good; events and checkpoints stay valid",
		Long: "erase removes the text of the notes from disk and journals the erasure (note, worker, when, who,\n" +
			"why). With --worker, a note whose same words are also another worker's note stays theirs. Run it\n" +
			"while 'fairtrail serve' runs, or not: the note store takes its own locks.",
		Example: `  fairtrail notes erase --worker w-000042 --reason "the worker's request of 2026-03-01"
  fairtrail notes erase --note 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --reason "court order 12/2026"`,
	}
	sf := registerStore(cmd.Flags(), env)
	worker := cmd.Flags().String("worker", "", "erase every note of this worker")
	note := cmd.Flags().String("note", "", "erase this note (its SHA-256) for every worker")
	reason := cmd.Flags().String("reason", "", "why, for the erasure journal (a worker's request, a court order's reference)")
	by := cmd.Flags().String("by", cmp.Or(env.getenv("USER"), "operator"), "who erases, for the erasure journal ($USER)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := noArgs(cmd, args); err != nil {
			return err
		}
		if (*worker == "") == (*note == "") {
			return usagef("notes erase: give --worker ID or --note SHA256 (one of them)")
		}
		if *note != "" && !notes.ValidHash(*note) {
			return usagef("notes erase: --note %q: not a note's SHA-256 (64 lower-case hex digits)", *note)
		}
		return eraseNotes(cmd, sf, *worker, *note, notes.Request{By: *by, Reason: *reason}, env)
	}
	return cmd
}

func eraseNotes(cmd *cobra.Command, sf storeFlags, worker, note string, req notes.Request, env environment) error {
	s, err := openNotes(sf, true)
	if err != nil {
		return err
	}
	defer s.Close()
	var erased []notes.Erasure
	if worker != "" {
		erased, err = s.EraseWorker(cmd.Context(), worker, req)
	} else {
		erased, err = s.EraseNote(cmd.Context(), note, req)
	}
	switch {
	case errors.Is(err, notes.ErrErased):
		return failedError{fmt.Sprintf("note %s was erased before ('notes show --erasures' says when)", note)}
	case errors.Is(err, notes.ErrNotFound):
		return failedError{fmt.Sprintf("no note %s", note)}
	case errors.Is(err, domain.ErrInvalid):
		return usagef("notes erase: %s", notes.Problem(err))
	case err != nil:
		return err
	}
	if len(erased) == 0 {
		fmt.Fprintf(env.stdout, "no notes of worker %s; nothing erased\n", worker)
		return nil
	}
	for _, e := range erased {
		fmt.Fprintf(env.stdout, "erased note %s of worker %s (text %s)\n", e.SHA256, orDash(e.Worker), removedText(e.TextRemoved))
	}
	return nil
}
