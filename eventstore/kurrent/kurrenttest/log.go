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
	seq         int // index in the log
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

// appendLocked writes the events of one append: each record gets its own position in the log, a byte offset
// (so consecutive events are far apart), with commit = prepare, as a KurrentDB node writes every event of an
// append since explicit transactions went. The caller holds s.mu.
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
		r.stream, r.revision, r.created, r.prepare, r.commit, r.seq = name, rev, now, s.next, s.next, len(s.log)
		s.next += recordSize(r)
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
	if !s.opts.Follower {
		s.replicated = len(s.log)
	}
	s.notifyLocked()
}

// notifyLocked wakes the subscriptions waiting for the log to change. The caller holds s.mu.
func (s *Server) notifyLocked() {
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
