package kurrenttest

import (
	"iter"
	"regexp"
	"slices"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Read serves plain reads of a stream or of $all, and catch-up subscriptions to $all.
func (svc *streamsService) Read(req *streams.ReadReq, ss streams.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "kurrenttest: read without options")
	}
	f, err := newFilter(o.GetFilter())
	if err != nil {
		return err
	}
	structured := o.GetUuidOption().GetString_() == nil
	follower := svc.s.onFollower(ss.Context())
	if follower && requiresLeader(ss.Context()) {
		return svc.s.notLeader(ss)
	}
	switch {
	case o.GetSubscription() != nil && o.GetAll() != nil:
		return svc.s.subscribeAll(ss, o.GetAll(), f, structured, follower)
	case o.GetSubscription() != nil:
		return status.Error(codes.Unimplemented, "kurrenttest: stream subscriptions are not part of the test double")
	case o.GetStream() != nil:
		return svc.s.readStream(ss, o, structured, follower)
	case o.GetAll() != nil:
		return svc.s.readAll(ss, o, f, structured, follower)
	}
	return status.Error(codes.InvalidArgument, "kurrenttest: read of neither a stream nor $all")
}

// readStream replies the stream's events from a revision (inclusive either way), or one stream_not_found,
// and nothing else: a plain read never carries checkpoints or positions. On the follower it replies what the
// follower holds.
func (s *Server) readStream(ss streams.Streams_ReadServer, o *streams.ReadReq_Options, structured, follower bool) error {
	so := o.GetStream()
	name := string(so.GetStreamIdentifier().GetStreamName())
	backwards := o.GetReadDirection() == streams.ReadReq_Options_Backwards
	s.mu.Lock()
	st := s.streams[name]
	var recs []*record
	tombstoned := false
	if st != nil {
		recs, tombstoned = streamView(st.records, s.visibleLocked(follower)), st.tombstoned
	}
	s.mu.Unlock()
	if tombstoned {
		return streamDeleted(ss, name)
	}
	if len(recs) == 0 {
		return ss.Send(streamNotFound(name))
	}
	var out iter.Seq[*record]
	switch rev := so.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_Revision:
		i, _ := slices.BinarySearchFunc(recs, rev.Revision, func(r *record, v uint64) int {
			return cmpUint(r.revision, v)
		})
		if backwards {
			if i < len(recs) && recs[i].revision == rev.Revision {
				i++
			}
			out = reversed(recs[:i])
		} else {
			out = slices.Values(recs[i:])
		}
	case *streams.ReadReq_Options_StreamOptions_End:
		out = slices.Values([]*record(nil))
		if backwards {
			out = reversed(recs)
		}
	default:
		out = slices.Values([]*record(nil))
		if !backwards {
			out = slices.Values(recs)
		}
	}
	return sendRecords(ss, out, o.GetCount(), nil, structured)
}

// readAll replies $all's events: forwards from a position inclusive, backwards from a position exclusive.
func (s *Server) readAll(ss streams.Streams_ReadServer, o *streams.ReadReq_Options, f *filter, structured, follower bool) error {
	backwards := o.GetReadDirection() == streams.ReadReq_Options_Backwards
	s.mu.Lock()
	log := s.log[:s.visibleLocked(follower)]
	i := 0
	switch from := o.GetAll().GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		i = min(s.firstAfter(from.Position.GetCommitPosition(), from.Position.GetPreparePosition(), true), len(log))
	case *streams.ReadReq_Options_AllOptions_End:
		i = len(log)
	}
	s.mu.Unlock()
	out := slices.Values(log[i:])
	if backwards {
		out = reversed(log[:i])
		if _, fromStart := o.GetAll().GetAllOption().(*streams.ReadReq_Options_AllOptions_Start); fromStart {
			out = slices.Values([]*record(nil))
		}
	}
	return sendRecords(ss, out, o.GetCount(), f, structured)
}

func sendRecords(ss streams.Streams_ReadServer, recs iter.Seq[*record], count uint64, f *filter, structured bool) error {
	sent := uint64(0)
	for r := range recs {
		if sent >= count {
			return nil
		}
		if !f.match(r) {
			continue
		}
		if err := ss.SendMsg(eventWire(r, structured)); err != nil {
			return err
		}
		sent++
	}
	return nil
}

// reversed yields records from the last to the first.
func reversed(recs []*record) iter.Seq[*record] {
	return func(yield func(*record) bool) {
		for i := len(recs) - 1; i >= 0; i-- {
			if !yield(recs[i]) {
				return
			}
		}
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// filter is a server-side $all filter on stream names or event types, by prefixes or a regular expression.
type filter struct {
	onType   bool
	prefixes []string
	re       *regexp.Regexp
	window   int // events scanned between checkpoints
}

func newFilter(o *streams.ReadReq_Options_FilterOptions) (*filter, error) {
	if o == nil {
		return nil, nil
	}
	f := &filter{window: int(o.GetMax())}
	expr := o.GetStreamIdentifier()
	if e := o.GetEventType(); e != nil {
		f.onType, expr = true, e
	}
	if expr == nil || len(expr.GetPrefix()) == 0 && expr.GetRegex() == "" {
		return nil, status.Error(codes.InvalidArgument, "kurrenttest: a filter needs prefixes or a regular expression")
	}
	f.prefixes = expr.GetPrefix()
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "kurrenttest: filter regex: %v", err)
		}
		f.re = re
	}
	if f.window <= 0 {
		f.window = 32
	}
	if m := int(o.GetCheckpointIntervalMultiplier()); m > 1 {
		f.window *= m
	}
	return f, nil
}

// match reports whether a record passes; a nil filter passes everything.
func (f *filter) match(r *record) bool {
	if f == nil {
		return true
	}
	subject := r.stream
	if f.onType {
		subject = r.eventType
	}
	if f.re != nil {
		return f.re.MatchString(subject)
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(subject, p) {
			return true
		}
	}
	return false
}
