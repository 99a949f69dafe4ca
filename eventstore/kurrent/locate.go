package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// A KurrentDB append answers with the position of its last event only. A locator collects the other events
// of a batch's appends and finds their positions once the batch is written, with two reads instead of one per
// append: the events of one append are contiguous in $all, so the first append's are read backwards from its
// last event, and the rest forwards from there to the batch's last event, matched by id.
type locator struct {
	written []written
	found   map[domain.EventID]eventstore.Position
}

// written is one KurrentDB append: its events and the position of the last.
type written struct {
	stream string
	events []eventstore.Planned
	last   eventstore.Position
}

func (l *locator) add(w written) {
	if l.found == nil {
		l.found = make(map[domain.EventID]eventstore.Position)
	}
	if !w.last.IsStart() {
		l.found[w.events[len(w.events)-1].ID] = w.last
	}
	l.written = append(l.written, w)
}

// missing is the number of events whose position is not known yet.
func (l *locator) missing() int {
	n := 0
	for _, w := range l.written {
		for _, f := range w.events {
			if _, ok := l.found[f.ID]; !ok {
				n++
			}
		}
	}
	return n
}

// locate finds every position, falling back to reading an append's stream for any the two reads missed (a
// node that answered without a position, or events of one append not contiguous).
func (s *Store) locate(ctx context.Context, l *locator) error {
	first := -1
	for i, w := range l.written {
		if len(w.events) > 1 && !w.last.IsStart() {
			first = i
			break
		}
	}
	if first >= 0 && l.missing() > 0 {
		w := l.written[first]
		if err := s.scanAll(ctx, l, esdb.ReadAllOptions{Direction: esdb.Backwards, From: allPosition(w.last)},
			uint64(len(w.events)-1), eventstore.Start); err != nil {
			return err
		}
		end := w.last
		for _, o := range l.written[first:] {
			if end.Less(o.last) {
				end = o.last
			}
		}
		if l.missing() > 0 && w.last.Less(end) {
			if err := s.scanAll(ctx, l, esdb.ReadAllOptions{From: allPosition(w.last)}, readAll, end); err != nil {
				return err
			}
		}
	}
	for _, w := range l.written {
		if err := s.readBack(ctx, l, w); err != nil {
			return err
		}
	}
	return nil
}

// scanAll reads $all and records the positions of the locator's events it meets, until end (when not Start)
// or until nothing is missing.
func (s *Store) scanAll(ctx context.Context, l *locator, opts esdb.ReadAllOptions, count uint64, end eventstore.Position) error {
	want := make(map[domain.EventID]bool)
	for _, w := range l.written {
		for _, f := range w.events {
			if _, ok := l.found[f.ID]; !ok {
				want[f.ID] = true
			}
		}
	}
	var rs *esdb.ReadStream
	err := s.withClient(func(c *esdb.Client) error {
		var err error
		rs, err = c.ReadAll(ctx, opts, count)
		return err
	})
	if err != nil {
		return fmt.Errorf("read $all to locate appended events: %w", err)
	}
	defer rs.Close()
	for len(want) > 0 {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read $all to locate appended events: %w", err)
		}
		e := ev.OriginalEvent()
		pos := position(e)
		if !end.IsStart() && end.Less(pos) {
			return nil
		}
		if id := domain.EventID(e.EventID); want[id] {
			l.found[id] = pos
			delete(want, id)
		}
	}
	return nil
}

// readBack reads an append's events from its stream when the scans did not find them all.
func (s *Store) readBack(ctx context.Context, l *locator, w written) error {
	complete := true
	for _, f := range w.events {
		_, ok := l.found[f.ID]
		complete = complete && ok
	}
	if complete {
		return nil
	}
	i := 0
	for rec, err := range s.readStream(ctx, w.stream, w.events[0].Revision, uint64(len(w.events))) {
		if err != nil {
			return fmt.Errorf("read back the events appended to %s: %w", w.stream, err)
		}
		if i >= len(w.events) || rec.ID != w.events[i].ID || rec.Revision != w.events[i].Revision {
			return fmt.Errorf("read back %s: event %s at revision %d is not the one appended", w.stream, rec.ID, rec.Revision)
		}
		l.found[rec.ID] = rec.Position
		i++
	}
	if i != len(w.events) {
		return fmt.Errorf("read back %s: %d of the %d events appended", w.stream, i, len(w.events))
	}
	return nil
}
