package eventstore

import (
	"context"

	"github.com/fairtrail/fairtrail/domain"
)

// EventKey names an event to look for: its id, and the stream an append of it would write to.
type EventKey struct {
	Stream string
	ID     domain.EventID
}

// Finder is a Store that can look stored events up by id ahead of an append. Both backends implement it;
// Import (while it validates) and FindClashes (for the interview sheets' and the rates files' importers) use it
// to refuse, before anything is stored, an input whose event_id names a different stored event (Reused). A store
// without it is checked only as the events are appended: a clash then stops the import after the batches before
// it, which stay stored.
type Finder interface {
	// FindEvents returns, for each key, the event stored under its id, or a Recorded with a zero ID when the id
	// is not found. A backend that keeps ids per stream (KurrentDB) looks in the key's stream only, as its
	// appends do.
	FindEvents(ctx context.Context, keys []EventKey) ([]Recorded, error)
}

// Reused reports whether appending ev to stream, under an id already stored as rec, is a different event under
// a reused id (ErrEventIDReused) rather than a retry of rec (a duplicate): the event is not the same
// (Recorded.SameEvent) or lives in another stream.
func Reused(rec Recorded, stream string, ev Proposed) bool {
	return rec.Stream != stream || !rec.SameEvent(ev)
}
