package kurrenttest

// StoredEvent is a user event as the double keeps it, for tests that play an attacker with the database in
// hand.
type StoredEvent struct {
	ID          [16]byte
	Stream      string
	Type        string
	ContentType string
	Metadata    []byte
	Data        []byte
}

// Rewrite replaces the database's user events with what edit returns, as an attacker restoring an edited
// backup would: the node's own events are written again, then each returned event in order, in streams
// renumbered from revision 0 and at new positions. Subscriptions in progress are not told.
func (s *Server) Rewrite(edit func([]StoredEvent) []StoredEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var user []StoredEvent
	for _, r := range s.log {
		if r.stream[0] != '$' {
			user = append(user, StoredEvent{ID: r.id, Stream: r.stream, Type: r.eventType, ContentType: r.contentType,
				Metadata: r.meta, Data: r.data})
		}
	}
	user = edit(user)
	s.log, s.streams, s.next = nil, make(map[string]*stream), firstLogPosition
	s.userEvents, s.nextSystem, s.systemSeq = 0, s.opts.SystemEvery, 0
	s.systemEventLocked("$epoch-information")
	for _, e := range user {
		s.appendLocked(e.Stream, []*record{{id: e.ID, eventType: e.Type, contentType: e.ContentType, meta: e.Metadata,
			data: e.Data}})
	}
}
