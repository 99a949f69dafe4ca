package kurrent

import (
	"context"

	"github.com/fairtrail/fairtrail/eventstore"
)

// FindEvents implements eventstore.Finder with the reads an append makes: each key's stream is read whole
// (prefetch, Options.Concurrency at once) and the id looked up in it. KurrentDB has no index by event id, so an
// id stored in another stream is not found, as an append does not find it (see the package comment).
func (s *Store) FindEvents(ctx context.Context, keys []eventstore.EventKey) ([]eventstore.Recorded, error) {
	reqs := make([]eventstore.AppendRequest, 0, len(keys))
	for _, k := range keys {
		if isFairtrailStream(k.Stream) { // no other stream holds fairtrail's events
			reqs = append(reqs, eventstore.AppendRequest{Stream: k.Stream})
		}
	}
	states, err := s.prefetch(ctx, reqs)
	if err != nil {
		return nil, err
	}
	found := make([]eventstore.Recorded, len(keys))
	for i, k := range keys {
		if st := states[k.Stream]; st != nil {
			found[i] = st.byID[k.ID]
		}
	}
	return found, nil
}
