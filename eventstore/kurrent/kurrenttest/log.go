package kurrenttest

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// record is one stored event. Records are never changed once appended, so readers may hold them without the
// lock.
type record struct {
	id          [16]byte
	stream      string
	revision    uint64
	commit      uint64
	prepare     uint64
	eventType   string
	contentType string
	created     int64 // .NET ticks (100 ns) since the Unix epoch, as KurrentDB sends it
	meta        []byte
	data        []byte
}

// after reports whether r comes after the position (commit, prepare) in $all.
func (r *record) after(commit, prepare uint64) bool {
	if r.commit != commit {
		return r.commit > commit
	}
	return r.prepare > prepare
}

type stream struct {
	records    []*record
	tombstoned bool
}

func (st *stream) last() (uint64, bool) {
	if st == nil || len(st.records) == 0 {
		return 0, false
	}
	return st.records[len(st.records)-1].revision, true
}

// expectation is an append's or a tombstone's expected stream state.
type expectation struct {
	kind string // "any", "no_stream", "stream_exists" or "revision"
	rev  uint64
}

func (e expectation) holds(last uint64, exists bool) bool {
	switch e.kind {
	case "no_stream":
		return !exists
	case "stream_exists":
		return exists
	case "revision":
		return exists && last == e.rev
	}
	return true
}

// firstLogPosition is where user data starts, as a real node's log holds a header and its own records first.
const firstLogPosition = 1536

// tombstoneRevision is the revision KurrentDB gives a stream's tombstone ($streamDeleted) event.
const tombstoneRevision = math.MaxInt64

// appendLocked writes a transaction: every record gets its own prepare position (a byte offset in a log, so
// consecutive events are far apart) and all share the commit position of the last one, as in KurrentDB's
// transaction log. The caller holds s.mu.
func (s *Server) appendLocked(name string, recs []*record) {
	st := s.streams[name]
	if st == nil {
		st = &stream{}
		s.streams[name] = st
	}
	rev, exists := st.last()
	now := time.Now().UnixNano() / 100
	for _, r := range recs {
		if exists {
			rev++
		}
		exists = true
		r.stream, r.revision, r.created, r.prepare = name, rev, now, s.next
		s.next += recordSize(r)
	}
	commit := recs[len(recs)-1].prepare
	for _, r := range recs {
		r.commit = commit
		st.records = append(st.records, r)
		s.log = append(s.log, r)
	}
	if name[0] != '$' {
		s.userEvents += len(recs)
	}
	if s.opts.SystemEvery > 0 && name[0] != '$' && s.userEvents >= s.nextSystem {
		s.nextSystem = s.userEvents + s.opts.SystemEvery
		s.systemEventLocked("$statsCollected")
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// systemEventLocked writes an event to a system stream, as a node's statistics collector does.
func (s *Server) systemEventLocked(eventType string) {
	s.systemSeq++
	var id [16]byte
	copy(id[:], fmt.Sprintf("system-%09d", s.systemSeq))
	s.appendLocked("$stats-"+s.addr, []*record{{id: id, eventType: eventType, contentType: "application/json",
		data: []byte(`{"proc-cpu":1}`), meta: []byte{}}})
}

// recordSize is the room a record takes in the simulated log: headers plus its variable parts.
func recordSize(r *record) uint64 {
	return uint64(80 + len(r.stream) + len(r.eventType) + len(r.meta) + len(r.data))
}

// firstAfter is the index in s.log of the first record after the position; inclusive makes it the first at or
// after it. The caller holds s.mu.
func (s *Server) firstAfter(commit, prepare uint64, inclusive bool) int {
	return sort.Search(len(s.log), func(i int) bool {
		r := s.log[i]
		if inclusive && r.commit == commit && r.prepare == prepare {
			return true
		}
		return r.after(commit, prepare)
	})
}
