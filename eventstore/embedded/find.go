package embedded

import (
	"context"

	"github.com/fairtrail/fairtrail/eventstore"
)

// FindEvents implements eventstore.Finder: each id is looked up in the index of every event, whatever its
// stream, under one read lock for all the keys, then its event read.
func (s *Store) FindEvents(ctx context.Context, keys []eventstore.EventKey) ([]eventstore.Recorded, error) {
	positions := make([]uint64, len(keys))
	err := s.lookup(func(ix *index) error {
		for i, k := range keys {
			pos, ok, err := ix.position(k.ID)
			if err != nil {
				return err
			}
			if ok { // else 0, which no event has
				positions[i] = pos
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	found := make([]eventstore.Recorded, len(keys))
	for i, pos := range positions {
		if pos == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if found[i], err = s.readAt(pos); err != nil {
			return nil, err
		}
	}
	return found, nil
}
