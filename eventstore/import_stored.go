package eventstore

import (
	"context"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// lookups is how an import looks its input up in what the store held as it started: its event ids (ids, nil
// when the store is not a Finder) and the records of the workers its events name (store: RecordIDs).
type lookups struct {
	ids   Finder
	store Store
}

// lookupsFor is the lookups of an import into s: nil when s is empty as the import starts (nothing to clash
// with: an import into an empty store pays nothing for the checks).
func lookupsFor(ctx context.Context, s Store) (*lookups, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: read the store's head: %w", err)
	}
	if head.IsStart() {
		return nil, nil
	}
	f, _ := s.(Finder)
	return &lookups{ids: f, store: s}, nil
}

// finderFor is how an importer of its own (FindClashes) looks its input's event ids up in s: nil when s is not a
// Finder, or when s is empty as the import starts (nothing to clash with: it pays nothing for the check).
func finderFor(ctx context.Context, s Store) (Finder, error) {
	l, err := lookupsFor(ctx, s)
	if err != nil || l == nil {
		return nil, err
	}
	return l.ids, nil
}

// check looks a chunk's valid lines up in the store: their event ids (checkStored), and the records of the
// workers that its events naming a record, not stored already, name (RecordIDs.Load takes them, in input
// order): a file imported again reads no stream.
func (l *lookups) check(ctx context.Context, c *chunk) error {
	if l.ids != nil {
		if err := checkStored(ctx, l.ids, c.results); err != nil {
			return fmt.Errorf("look up the input's event ids in the store: %w", err)
		}
	}
	workers := recordWorkers(len(c.results), func(i int) domain.Event {
		if c.results[i].err != nil || c.results[i].stored {
			return nil
		}
		return c.results[i].a.Envelope.Event // nil for a blank line
	})
	if len(workers) == 0 {
		return nil
	}
	var err error
	if c.records, err = ReadRecordIDs(ctx, l.store, workers); err != nil {
		return fmt.Errorf("look up the records of the input's workers in the store: %w", err)
	}
	return nil
}

// checkStored looks the explicit event ids of a chunk's valid lines up in the store, and makes each line whose
// id is stored for a different event (Reused) a bad line naming event_id and the stored event's place. A line
// whose event is stored under its id is marked stored, to be counted as a duplicate.
func checkStored(ctx context.Context, f Finder, results []lineResult) error {
	keys := make([]EventKey, 0, len(results))
	at := make([]int, 0, len(results))
	for i, res := range results {
		if res.blank || res.err != nil || res.a.Event.ID.IsZero() {
			continue
		}
		keys = append(keys, EventKey{Stream: res.a.Stream, ID: res.a.Event.ID})
		at = append(at, i)
	}
	if len(keys) == 0 {
		return nil
	}
	clashes, err := reusedIn(ctx, f, keys, func(k int) Proposed { return results[at[k]].a.Event },
		func(k int) { results[at[k]].stored = true })
	if err != nil {
		return err
	}
	for _, c := range clashes {
		results[at[c.At]].err = storedClash{&domain.ValidationError{Fields: []domain.FieldError{{Path: "event_id",
			Problem: c.Problem()}}}}
	}
	return nil
}

// Clash is an event of an input whose event_id is stored for a different event (Reused).
type Clash struct {
	// At is the event's place in the input, from 0.
	At int
	// Stored is the event stored under its id.
	Stored Recorded
}

// Problem says what is wrong with the clashing event's event_id, in the words of an import's bad line.
func (c Clash) Problem() string {
	return fmt.Sprintf("already used by a different event (stored at position %s in %s)", c.Stored.Position, c.Stored.Stream)
}

// findChunk is how many ids FindClashes looks up at once.
const findChunk = 2000

// FindClashes looks the event ids of an input's events up in s before any of them is stored, and returns, in
// input order, those stored for a different event (Reused): an importer that stores its input in several batches
// refuses the whole input on a clash instead of stopping after the batches before it. An id stored for the same
// event is no clash (the append counts it as a duplicate). It looks nothing up, and returns none, in a store
// that is not a Finder (a clash is then met only as the events are appended) or that is empty.
func FindClashes(ctx context.Context, s Store, events []Admitted) ([]Clash, error) {
	f, err := finderFor(ctx, s)
	if err != nil || f == nil {
		return nil, err
	}
	var clashes []Clash
	keys := make([]EventKey, 0, min(len(events), findChunk))
	for start := 0; start < len(events); start += findChunk {
		chunk := events[start:min(start+findChunk, len(events))]
		keys = keys[:0]
		for _, a := range chunk {
			keys = append(keys, EventKey{Stream: a.Stream, ID: a.Event.ID})
		}
		found, err := reusedIn(ctx, f, keys, func(k int) Proposed { return chunk[k].Event }, nil)
		if err != nil {
			return nil, fmt.Errorf("look up the input's event ids in the store: %w", err)
		}
		for _, c := range found {
			c.At += start
			clashes = append(clashes, c)
		}
	}
	return clashes, nil
}

// reusedIn looks keys up in f and returns the keys (At: their index) whose id is stored for a different event
// than event(k): the one test of a clash (Reused) that every importer's look-up applies. stored, when not nil, is
// told of each key whose id is stored for the same event (a duplicate).
func reusedIn(ctx context.Context, f Finder, keys []EventKey, event func(k int) Proposed, stored func(k int)) ([]Clash, error) {
	found, err := f.FindEvents(ctx, keys)
	if err != nil {
		return nil, err
	}
	if len(found) != len(keys) {
		return nil, fmt.Errorf("%d events found for %d ids", len(found), len(keys))
	}
	var clashes []Clash
	for k, rec := range found {
		switch {
		case rec.ID.IsZero():
		case Reused(rec, keys[k].Stream, event(k)):
			clashes = append(clashes, Clash{At: k, Stored: rec})
		case stored != nil:
			stored(k)
		}
	}
	return clashes, nil
}

// storedClash is the error of a line whose event_id is stored for a different event: a validation error naming
// event_id (domain.ErrInvalid) that also matches ErrEventIDReused.
type storedClash struct{ *domain.ValidationError }

func (e storedClash) Unwrap() []error { return []error{e.ValidationError, ErrEventIDReused} }
