package kurrenttest

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

type streamsService struct {
	streams.UnimplementedStreamsServer
	s *Server
}

// Append is client-streaming: first the options (stream and expected revision), then the proposed events.
func (svc *streamsService) Append(ss streams.Streams_AppendServer) error {
	first, err := ss.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "kurrenttest: the first append message must be the options")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	if name == "" {
		return status.Error(codes.InvalidArgument, "kurrenttest: append without a stream name")
	}
	recs, err := svc.s.receive(ss)
	if err != nil {
		return err
	}
	ctx := ss.Context()
	if svc.s.refuseAsFollower() || svc.s.onFollower(ctx) && requiresLeader(ctx) {
		return svc.s.notLeader(ss)
	}
	if hook := svc.s.opts.BeforeAppend; hook != nil {
		hook(name)
	}
	timedOut, committed := svc.s.takeTimeout()
	if timedOut && !committed {
		return errTimedOut
	}
	res, err := svc.s.append(ss, name, expectationOf(opts), recs)
	if err != nil {
		return err
	}
	if timedOut {
		return errTimedOut
	}
	return ss.SendAndClose(res)
}

// errTimedOut is how KurrentDB answers a write it could not confirm in time (it may or may not be written).
var errTimedOut = status.Error(codes.Aborted, "Operation timed out")

// receive reads an append's proposed events, counting their size as KurrentDB does (data, metadata and twice
// the type's length per event) and refusing the append at the first event that crosses Options.MaxAppendSize,
// without reading the rest.
func (s *Server) receive(ss streams.Streams_AppendServer) ([]*record, error) {
	var recs []*record
	size := 0
	for {
		m, err := ss.Recv()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		r, err := proposed(m.GetProposedMessage())
		if err != nil {
			return nil, err
		}
		if size += len(r.data) + len(r.meta) + 2*len(r.eventType); size > s.opts.MaxAppendSize {
			ss.SetTrailer(metadata.Pairs("exception", "maximum-append-size-exceeded",
				"maximum-append-size", strconv.Itoa(s.opts.MaxAppendSize)))
			return nil, status.Errorf(codes.InvalidArgument, "Maximum Append Size of %d Exceeded.", s.opts.MaxAppendSize)
		}
		recs = append(recs, r)
	}
}

// takeTimeout reports whether this append is one of those TimeOutAppends asked for, and if it is committed.
func (s *Server) takeTimeout() (timedOut, committed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.timeouts) == 0 {
		return false, false
	}
	committed, s.timeouts = s.timeouts[0], s.timeouts[1:]
	return true, committed
}

// refuseAsFollower reports whether this append is one of those refused as a follower.
func (s *Server) refuseAsFollower() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused < s.opts.RefuseAsFollower {
		s.refused++
		return true
	}
	return false
}

// proposed checks one proposed event: KurrentDB requires an id, a type and a content type.
func proposed(m *streams.AppendReq_ProposedMessage) (*record, error) {
	if m == nil {
		return nil, status.Error(codes.InvalidArgument, "kurrenttest: expected a proposed message after the options")
	}
	id, err := parseUUID(m.GetId())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	typ, ct := m.GetMetadata()["type"], m.GetMetadata()["content-type"]
	if typ == "" || ct == "" {
		return nil, status.Error(codes.InvalidArgument, "kurrenttest: a proposed event needs type and content-type metadata")
	}
	return &record{id: id, eventType: typ, contentType: ct, meta: m.GetCustomMetadata(), data: m.GetData()}, nil
}

// append applies the expectation and writes the events. An append whose events are already the ones after
// the expected revision is answered as a success without writing, as KurrentDB does for a retried write.
func (s *Server) append(ss grpc.ServerStream, name string, exp expectation, recs []*record) (*streams.AppendResp, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	if st != nil && st.tombstoned {
		return nil, streamDeleted(ss, name)
	}
	last, exists := st.last()
	if r, ok := replayed(st, exp, recs); ok {
		return appendSuccess(last, exists, r), nil
	}
	if !exp.holds(last, exists) {
		return wrongExpectedVersion(exp, last, exists), nil
	}
	if len(recs) == 0 {
		return appendSuccess(last, exists, nil), nil
	}
	s.appendLocked(name, recs)
	s.appends++
	return appendSuccess(recs[len(recs)-1].revision, true, recs[len(recs)-1]), nil
}

// replayed reports whether an exact or no-stream append carries the very events already stored after the
// expected revision, and if so returns the last of them.
func replayed(st *stream, exp expectation, recs []*record) (*record, bool) {
	if st == nil || len(recs) == 0 {
		return nil, false
	}
	start := 0
	switch exp.kind {
	case "revision":
		start = int(exp.rev) + 1
	case "no_stream":
	default:
		return nil, false
	}
	if start+len(recs) > len(st.records) {
		return nil, false
	}
	for i, r := range recs {
		if st.records[start+i].id != r.id {
			return nil, false
		}
	}
	return st.records[start+len(recs)-1], true
}

// Tombstone deletes a stream for good: KurrentDB writes a $streamDeleted event, and every later read or append
// of the stream fails with the stream-deleted trailers.
func (svc *streamsService) Tombstone(ctx context.Context, req *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	o := req.GetOptions()
	name := string(o.GetStreamIdentifier().GetStreamName())
	if name == "" {
		return nil, status.Error(codes.InvalidArgument, "kurrenttest: tombstone without a stream name")
	}
	exp := expectation{kind: "any"}
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.TombstoneReq_Options_Revision:
		exp = expectation{kind: "revision", rev: v.Revision}
	case *streams.TombstoneReq_Options_NoStream:
		exp = expectation{kind: "no_stream"}
	case *streams.TombstoneReq_Options_StreamExists:
		exp = expectation{kind: "stream_exists"}
	}
	s := svc.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	if st != nil && st.tombstoned {
		return nil, streamDeletedUnary(ctx, name)
	}
	if last, exists := st.last(); !exp.holds(last, exists) {
		return nil, status.Errorf(codes.FailedPrecondition, "kurrenttest: wrong expected version for tombstone of %s", name)
	}
	r := &record{eventType: "$streamDeleted", contentType: "application/octet-stream", meta: []byte{}, data: []byte{}}
	copy(r.id[:], name)
	s.appendLocked(name, []*record{r})
	r.revision = tombstoneRevision // still under the lock: no reader has seen it
	s.streams[name].tombstoned = true
	return &streams.TombstoneResp{PositionOption: &streams.TombstoneResp_Position_{Position: &streams.TombstoneResp_Position{
		CommitPosition: r.commit, PreparePosition: r.prepare}}}, nil
}

func streamDeletedUnary(ctx context.Context, name string) error {
	_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "stream-deleted", "stream-name", name))
	return status.Errorf(codes.FailedPrecondition, "Event stream '%s' is deleted.", name)
}

// Delete (soft deletion) is not part of the double: fairtrail never deletes a stream.
func (svc *streamsService) Delete(context.Context, *streams.DeleteReq) (*streams.DeleteResp, error) {
	return nil, status.Error(codes.Unimplemented, "kurrenttest: soft deletion is not part of the test double")
}
