package embedded

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// streamAnswer is what an index answers about one stream.
type streamAnswer struct {
	count     uint64
	hash      [32]byte
	ok        bool
	positions []uint64
}

// indexAnswers is every answer of an index about the events in evs (and an event id and a stream never
// written), or the first error a lookup returned.
type indexAnswers struct {
	last    uint64
	offsets map[uint64]int64
	ids     map[domain.EventID]uint64
	streams map[string]streamAnswer
}

var (
	missingID     = domain.EventID{0xff}
	missingStream = "no-such-stream"
)

func answersOf(ix *index, evs []eventstore.Recorded) (indexAnswers, error) {
	a := indexAnswers{last: ix.last(), offsets: map[uint64]int64{}, ids: map[domain.EventID]uint64{},
		streams: map[string]streamAnswer{}}
	streams := []string{missingStream}
	for _, e := range append(evs, eventstore.Recorded{ID: missingID}) {
		p := e.Position.Commit
		if p > 0 {
			off, err := ix.offset(p)
			if err != nil {
				return a, err
			}
			a.offsets[p] = off
			streams = append(streams, e.Stream)
		}
		if pos, ok, err := ix.position(e.ID); err != nil {
			return a, err
		} else if ok {
			a.ids[e.ID] = pos
		}
	}
	for _, stream := range streams {
		var sa streamAnswer
		var err error
		if sa.count, sa.hash, sa.ok, err = ix.head(stream); err != nil {
			return a, err
		}
		if sa.positions, err = ix.positions(stream); err != nil {
			return a, err
		}
		a.streams[stream] = sa
	}
	return a, nil
}

// mustAnswers is answersOf, failing the test on an error.
func mustAnswers(t testing.TB, ix *index, evs []eventstore.Recorded) indexAnswers {
	t.Helper()
	a, err := answersOf(ix, evs)
	if err != nil {
		t.Fatalf("index lookup: %v", err)
	}
	return a
}
