package kurrent

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/fairtrail/fairtrail/eventstore"
)

// confirm reads back the events of one append, from the leader, and returns them as stored.
//
// KurrentDB matches an append with the events already after the expected revision by their ids alone, and
// answers it as a success without writing (an idempotent retry). Two writers that read the same stream state
// and append the same event id with different content are therefore both told they succeeded, though only the
// first one's event is stored. Reading the events back shows which: an event stored with another hash than
// the one sent is another writer's, and the append is answered ErrEventIDReused when its content differs
// (ErrConflict when only its place in the chain does). The same read gives each event its position, which
// KurrentDB's answer gives for the last event only.
func (s *Store) confirm(ctx context.Context, stream string, part []eventstore.Planned) ([]eventstore.Recorded, error) {
	stored := make([]eventstore.Recorded, 0, len(part))
	for rec, err := range s.readStream(ctx, stream, part[0].Revision, uint64(len(part))) {
		if err != nil {
			return nil, fmt.Errorf("read back the events appended to %s: %w", stream, err)
		}
		if len(stored) == len(part) {
			break
		}
		f := part[len(stored)]
		switch {
		case rec.ID != f.ID || rec.Revision != f.Revision:
			return nil, fmt.Errorf("read back %s: event %s at revision %d, but %s was appended there", stream, rec.ID,
				rec.Revision, f.ID)
		case rec.Hash == hex.EncodeToString(f.Hash[:]):
		case !rec.SameEvent(f.Proposed):
			return nil, fmt.Errorf("event %s: another writer stored a different event under this id in %s at the same "+
				"time: %w", f.ID, stream, eventstore.ErrEventIDReused)
		default:
			return nil, fmt.Errorf("event %s: another writer stored it in %s at the same time, chained on another "+
				"event: %w", f.ID, stream, eventstore.ErrConflict)
		}
		stored = append(stored, rec)
	}
	if len(stored) != len(part) {
		return nil, fmt.Errorf("read back %s: %d of the %d events appended", stream, len(stored), len(part))
	}
	return stored, nil
}
