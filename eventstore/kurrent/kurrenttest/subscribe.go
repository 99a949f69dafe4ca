package kurrenttest

import (
	"fmt"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// subscriber is one catch-up subscription being served.
type subscriber struct {
	drop     chan struct{}
	dropOnce sync.Once
}

func (s *Server) addSubscriber() *subscriber {
	sub := &subscriber{drop: make(chan struct{})}
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.subscribed++
	s.mu.Unlock()
	return sub
}

func (s *Server) removeSubscriber(sub *subscriber) {
	s.mu.Lock()
	delete(s.subs, sub)
	s.mu.Unlock()
}

// errDropped is how a dropped subscription ends.
var errDropped = status.Error(codes.Unavailable, "kurrenttest: subscription dropped (DropSubscriptions or DropEvery)")

// subscribeAll serves a catch-up subscription to $all: a confirmation first, then the stored events after the
// start (exclusive of a given position), a caught_up, then live events as they are written. With a filter,
// only matching events are sent, and a checkpoint after every window of events scanned.
func (s *Server) subscribeAll(ss streams.Streams_ReadServer, o *streams.ReadReq_Options_AllOptions, f *filter, structured, follower bool) error {
	sub := s.addSubscriber()
	defer s.removeSubscriber(sub)
	s.mu.Lock()
	next := 0 // index in s.log of the next record to consider
	switch from := o.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		next = s.firstAfter(from.Position.GetCommitPosition(), from.Position.GetPreparePosition(), false)
	case *streams.ReadReq_Options_AllOptions_End:
		next = s.visibleLocked(follower)
	}
	s.mu.Unlock()
	id := fmt.Sprintf("kurrenttest-%p", sub)
	if err := ss.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{
		Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: id}}}); err != nil {
		return err
	}
	scanned, sent, caughtUp := 0, 0, false
	for {
		s.mu.Lock()
		batch, changed := s.log[min(next, s.visibleLocked(follower)):s.visibleLocked(follower)], s.changed
		s.mu.Unlock()
		for _, r := range batch {
			select {
			case <-sub.drop:
				return errDropped
			default:
			}
			next++
			scanned++
			if f.match(r) {
				if s.opts.DropEvery > 0 && sent == s.opts.DropEvery {
					return errDropped
				}
				if err := ss.SendMsg(eventWire(r, structured)); err != nil {
					return err
				}
				sent++
			}
			if f != nil && scanned%f.window == 0 {
				if err := ss.Send(checkpoint(r)); err != nil {
					return err
				}
			}
		}
		if !caughtUp {
			caughtUp = true
			if err := ss.Send(&streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-sub.drop:
			return errDropped
		case <-ss.Context().Done():
			return ss.Context().Err()
		}
	}
}

func checkpoint(r *record) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
		CommitPosition: r.commit, PreparePosition: r.prepare}}}
}
