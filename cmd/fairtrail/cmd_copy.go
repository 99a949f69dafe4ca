package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// runCopy moves a store between backends: every event in global order with its id, type, times, data and
// recorded_by, so the destination recomputes the same hashes, which are checked against the source's.
func newCopyCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "copy",
		Short: "Copy a store to another backend, resumably, checking every hash",
		Long: "copy moves a store between backends (a data directory or a KurrentDB connection string on each side):\n" +
			"every event in global order with its id, type, times, data and recorded_by, so the destination\n" +
			"recomputes the same hashes, which are checked against the source's. An interrupted copy resumes.\n" +
			"Then the note store (the free text of reports, kept beside the log) follows: its erasure journal,\n" +
			"applied in the destination, and every note not erased there; a KurrentDB side keeps it in its\n" +
			"cache directory (--from-cache, --to-cache; by default the one serve and the queries use).",
		Example: `  fairtrail copy --from ./fairtrail-data --to 'kurrentdb://127.0.0.1:2113?tls=false'
  fairtrail copy --from 'kurrentdb://127.0.0.1:2113?tls=false' --to ./restored`,
	}
	fs := cmd.Flags()
	from := fs.String("from", "", "source store: a data directory or a KurrentDB connection string (kurrentdb://... or esdb://...)")
	to := fs.String("to", "", "destination store: a data directory or a KurrentDB connection string")
	fromCache := fs.String("from-cache", "", "with a KurrentDB --from: the cache directory holding its notes (default: the user's cache, as serve)")
	toCache := fs.String("to-cache", "", "with a KurrentDB --to: the cache directory that will hold its notes (default: the user's cache, as serve)")
	batch := fs.Int("batch", 2000, "events per durable batch, 1 to 100000")
	progress := fs.String("progress", "auto", "progress on standard error: auto (a bar on a terminal, else lines), "+
		"bar (counts the source's events first, then shows rate and time left), lines (a line a second), none")
	completeWith(cmd, "progress", progressModes...)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		switch {
		case *from == "" || *to == "":
			return usagef("copy: --from and --to are both required")
		case sameStore(*from, *to):
			return usagef("copy: --from and --to name the same store")
		case (*fromCache != "" && !strings.Contains(*from, "://")) || (*toCache != "" && !strings.Contains(*to, "://")):
			return usagef("copy: --from-cache and --to-cache go with a KurrentDB side: a data directory keeps its notes in itself")
		case *batch < 1 || *batch > 100_000:
			return usagef("copy: --batch must be between 1 and 100000")
		case !slices.Contains(progressModes, *progress):
			return usagef("copy: --progress %q: one of %s", *progress, strings.Join(progressModes, ", "))
		}
		return copyCommand(cmd.Context(), endpoint(*from, *fromCache, env), endpoint(*to, *toCache, env), *batch, *progress, env)
	}
	return cmd
}

func copyCommand(ctx context.Context, from, to storeFlags, batch int, progress string, env environment) error {
	srcNotes, dstNotes, err := notesDirs(from, to)
	if err != nil {
		return err
	}
	src, err := from.open(true)
	if err != nil {
		return fmt.Errorf("copy: source: %w", err)
	}
	defer src.Close()
	dst, err := to.open(false)
	if err != nil {
		return fmt.Errorf("copy: destination: %w", err)
	}
	defer dst.Close()
	start := time.Now()
	show, finish, err := copyDisplay(ctx, src, progress, env.stderr, start)
	if err != nil {
		return err
	}
	rep, err := copyStore(ctx, src, dst, copyOptions{batch: batch, progress: show})
	finish()
	if err != nil {
		return fmt.Errorf("copy %s to %s stopped after %d events (the same command resumes after them): %w",
			from, to, rep.skipped+rep.copied, err)
	}
	fmt.Fprintf(env.stdout, "copied %d events (%d already in the destination) from %s to %s in %s; every hash matches the source\n",
		rep.copied, rep.skipped, from, to, since(start))
	return copyNotes(ctx, srcNotes, dstNotes, env)
}

// endpoint is the store named by a copy's --from or --to, with the cache directory of a KurrentDB side.
func endpoint(spec, cache string, env environment) storeFlags {
	if strings.Contains(spec, "://") { // a URL: openURL refuses any that is not KurrentDB's
		return storeFlags{data: new(string), url: &spec, cache: &cache, env: env}
	}
	return storeFlags{data: &spec, url: new(string), env: env}
}

func sameStore(a, b string) bool {
	if strings.Contains(a, "://") || strings.Contains(b, "://") {
		return a == b
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

type copyOptions struct {
	batch    int
	progress func(copyReport, bool)
}

// copyReport counts a copy: events found already in the destination, and events copied now.
type copyReport struct{ skipped, copied int }

// copyStore copies src into dst. The destination must be empty or hold what an interrupted copy of this
// source stored: its events are matched one by one with the source's first events (id, stream, revision,
// hash, recorded_at, recorded_by), and the copy resumes after them. Every source event's hash chain is
// recomputed before it is copied, so a tampered source is refused rather than given a valid chain in the
// destination. Each batch is appended with the source's revisions as exact expected revisions and read back,
// and every copied event must carry the source's hash.
func copyStore(ctx context.Context, src, dst eventstore.Store, opts copyOptions) (copyReport, error) {
	var rep copyReport
	pull, stop := iter.Pull2(src.ReadAll(ctx, eventstore.Start))
	defer stop()
	chains := make(map[string]link)
	next := func() (eventstore.Recorded, error, bool) {
		s, err, ok := pull()
		if ok && err == nil {
			err = checkChain(chains, s)
		}
		return s, err, ok
	}
	var head eventstore.Position // of the destination
	for d, err := range dst.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return rep, fmt.Errorf("read the destination: %w", err)
		}
		s, err, ok := next()
		if err != nil {
			return rep, fmt.Errorf("the source: %w", err)
		}
		if !ok {
			return rep, fmt.Errorf("the destination holds more events than the source (event %s): it is not a copy of it", d.ID)
		}
		if err := sameCopy(s, d); err != nil {
			return rep, fmt.Errorf("the destination is not empty and is not a copy of the source: its event %d: %w", rep.skipped+1, err)
		}
		rep.skipped++
		head = d.Position
	}
	for {
		batch, err := pullBatch(next, opts.batch)
		if err != nil {
			return rep, fmt.Errorf("the source: %w", err)
		}
		if len(batch) == 0 {
			opts.progress(rep, true)
			return rep, nil
		}
		if head, err = copyBatch(ctx, dst, batch, head); err != nil {
			return rep, err
		}
		rep.copied += len(batch)
		opts.progress(rep, false)
	}
}

// link is where a stream's hash chain has got to.
type link struct {
	hash string
	next uint64
}

// checkChain recomputes a source event's hash from its stream's previous one, as verify does.
func checkChain(chains map[string]link, rec eventstore.Recorded) error {
	l := chains[rec.Stream]
	if rec.Revision != l.next {
		return fmt.Errorf("event %s in %s has revision %d where %d was expected: run fairtrail verify on it", rec.ID,
			rec.Stream, rec.Revision, l.next)
	}
	if h := domain.ChainHash(l.hash, domain.CanonicalBytes(rec.Type, rec.OccurredAt, rec.Data, rec.ID)); h != rec.Hash {
		return fmt.Errorf("event %s in %s fails its hash chain (stored %s, recomputed %s): run fairtrail verify on it",
			rec.ID, rec.Stream, rec.Hash, h)
	}
	chains[rec.Stream] = link{hash: rec.Hash, next: l.next + 1}
	return nil
}

func pullBatch(next func() (eventstore.Recorded, error, bool), n int) ([]eventstore.Recorded, error) {
	var out []eventstore.Recorded
	for len(out) < n {
		rec, err, ok := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		out = append(out, rec)
	}
	return out, nil
}

// copyBatch appends events, each request expecting the revision before its first event, and reads them back
// from the destination after head, checking each against the source.
func copyBatch(ctx context.Context, dst eventstore.Store, batch []eventstore.Recorded, head eventstore.Position) (eventstore.Position, error) {
	var reqs []eventstore.AppendRequest
	for _, r := range batch {
		p := eventstore.Proposed{ID: r.ID, Type: r.Type, OccurredAt: r.OccurredAt, Data: r.Data,
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
		if n := len(reqs); n > 0 && reqs[n-1].Stream == r.Stream {
			reqs[n-1].Events = append(reqs[n-1].Events, p)
			continue
		}
		exp := eventstore.NoStream()
		if r.Revision > 0 {
			exp = eventstore.Exact(r.Revision - 1)
		}
		reqs = append(reqs, eventstore.AppendRequest{Stream: r.Stream, Expected: exp, Events: []eventstore.Proposed{p}})
	}
	if _, err := dst.AppendBatch(ctx, reqs); err != nil {
		return head, fmt.Errorf("append to the destination: %w", err)
	}
	i := 0
	for d, err := range dst.ReadAll(ctx, head) {
		if err != nil {
			return head, fmt.Errorf("read back the destination: %w", err)
		}
		if i == len(batch) {
			return head, fmt.Errorf("the destination holds event %s that the source does not have here: another writer?", d.ID)
		}
		if err := sameCopy(batch[i], d); err != nil {
			return head, fmt.Errorf("copied event %s does not match the source: %w", batch[i].ID, err)
		}
		head = d.Position
		i++
	}
	if i != len(batch) {
		return head, fmt.Errorf("read back %d of the %d events copied", i, len(batch))
	}
	return head, nil
}

// sameCopy reports how a destination event differs from the source event it should copy. Equal hashes mean
// equal type, occurred_at, data, id and predecessors.
func sameCopy(s, d eventstore.Recorded) error {
	switch {
	case d.ID != s.ID:
		return fmt.Errorf("event id %s where the source has %s", d.ID, s.ID)
	case d.Stream != s.Stream || d.Revision != s.Revision:
		return fmt.Errorf("event %s is %s revision %d, in the source %s revision %d", d.ID, d.Stream, d.Revision, s.Stream, s.Revision)
	case d.Hash != s.Hash:
		return fmt.Errorf("event %s has hash %s, the source %s", d.ID, d.Hash, s.Hash)
	case !d.RecordedAt.Equal(s.RecordedAt) || d.RecordedBy != s.RecordedBy:
		return fmt.Errorf("event %s was recorded at %s by %q, in the source at %s by %q", d.ID,
			d.RecordedAt.Format(time.RFC3339Nano), d.RecordedBy, s.RecordedAt.Format(time.RFC3339Nano), s.RecordedBy)
	}
	return nil
}

// copyDisplay returns the progress callback of a copy and the function that ends the display. A bar counts
// the source's events first, for its total.
func copyDisplay(ctx context.Context, src eventstore.Store, mode string, w io.Writer, start time.Time) (func(copyReport, bool), func(), error) {
	switch resolveMode(mode, w, "lines") {
	case "none":
		return func(copyReport, bool) {}, func() {}, nil
	case "lines":
		return newCopyProgress(w, start), func() {}, nil
	}
	fmt.Fprint(w, "copy: counting the source's events...")
	total := int64(0)
	for _, err := range src.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return nil, nil, fmt.Errorf("copy: count the source's events: %w", err)
		}
		total++
	}
	fmt.Fprintf(w, " %d\n", total)
	bar := newBar(w, total, false, "events")
	bar.Describe("copy")
	show := func(r copyReport, _ bool) { bar.Set64(int64(r.skipped + r.copied)) }
	return show, func() { bar.Finish() }, nil
}

// newCopyProgress reports a copy's progress at most once a second, and when it ends.
func newCopyProgress(w io.Writer, start time.Time) func(copyReport, bool) {
	var last time.Time
	return func(r copyReport, done bool) {
		if !done && time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		rate := float64(r.copied) / max(time.Since(start).Seconds(), 1e-3)
		fmt.Fprintf(w, "copy: %d events copied, %d were already in the destination (%.0f events/s)\n", r.copied, r.skipped, rate)
	}
}

// notesDirs are the directories of the source's and the destination's note stores, which must differ.
func notesDirs(from, to storeFlags) (string, string, error) {
	src, err := from.notesDir()
	if err != nil {
		return "", "", err
	}
	dst, err := to.notesDir()
	if err != nil {
		return "", "", err
	}
	if filepath.Clean(src) == filepath.Clean(dst) {
		return "", "", usagef("copy: both stores would keep their notes in %s: give the KurrentDB side its own --from-cache or --to-cache", src)
	}
	return src, dst, nil
}

// copyNotes copies the note store in srcDir, if there is one, into the one in dstDir (see notes.Copy).
func copyNotes(ctx context.Context, srcDir, dstDir string, env environment) error {
	if _, err := os.Stat(filepath.Join(srcDir, notes.FileName)); errors.Is(err, os.ErrNotExist) {
		return nil // no report ever carried a note
	}
	src, err := notes.Open(srcDir, notes.Options{})
	if err != nil {
		return fmt.Errorf("copy: the source's notes: %w", err)
	}
	defer src.Close()
	dst, err := notes.Open(dstDir, notes.Options{})
	if err != nil {
		return fmt.Errorf("copy: the destination's notes: %w", err)
	}
	defer dst.Close()
	rep, err := notes.Copy(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("copy: the events are copied, the notes are not (the same command copies them): %w", err)
	}
	fmt.Fprintf(env.stdout, "copied the notes from %s to %s: %d notes (%d worker links), %d erasures applied; %d notes the destination had erased stay erased\n",
		src.Path(), dst.Path(), rep.Notes, rep.Links, rep.Erasures, rep.Refused)
	return nil
}
