package eventstore

import (
	"context"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// finderFor is how an import into s looks its input's event ids up: nil when s is not a Finder, or when s is
// empty as the import starts (nothing to clash with: an import into an empty store pays nothing for the check).
func finderFor(ctx context.Context, s Store) (Finder, error) {
	f, ok := s.(Finder)
	if !ok {
		return nil, nil
	}
	head, err := s.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: read the store's head: %w", err)
	}
	if head.IsStart() {
		return nil, nil
	}
	return f, nil
}

// checkStored looks the explicit event ids of a chunk's valid lines up in the store, and makes each line whose
// id is stored for a different event (Reused) a bad line naming event_id and the stored event's place. An id
// stored for the same event is left to be counted as a duplicate.
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
	found, err := f.FindEvents(ctx, keys)
	if err != nil {
		return err
	}
	if len(found) != len(keys) {
		return fmt.Errorf("%d events found for %d ids", len(found), len(keys))
	}
	for k, rec := range found {
		res := &results[at[k]]
		if rec.ID.IsZero() || !Reused(rec, res.a.Stream, res.a.Event) {
			continue
		}
		res.err = storedClash{&domain.ValidationError{Fields: []domain.FieldError{{Path: "event_id",
			Problem: fmt.Sprintf("already used by a different event (stored at position %s in %s)", rec.Position, rec.Stream)}}}}
	}
	return nil
}

// storedClash is the error of a line whose event_id is stored for a different event: a validation error naming
// event_id (domain.ErrInvalid) that also matches ErrEventIDReused.
type storedClash struct{ *domain.ValidationError }

func (e storedClash) Unwrap() []error { return []error{e.ValidationError, ErrEventIDReused} }
