package kurrenttest

import (
	"context"
	"net"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// A server started with Options.Follower is a two-node cluster: the leader at Addr, and a follower at
// FollowerAddr that shares the leader's log as a real follower replicates it. What the follower does is what a
// KurrentDB follower does, as far as a client can tell:
//
//   - it forwards writes to the leader: an append sent to it is written (to the one log) and answered;
//   - it answers reads and subscriptions from its own copy, which lags: it holds the log as it was at the last
//     Replicate, so a client reading there after a write does not see it;
//   - a call that carries the gRPC metadata requires-leader: true is refused with not-leader, naming the
//     leader, as KurrentDB refuses it (the client then reconnects to the leader);
//   - Gossip.Read lists both members, so a client given both as seeds with nodePreference=follower connects
//     to the follower.

// FollowerAddr is the follower's host:port ("" unless Options.Follower).
func (s *Server) FollowerAddr() string { return s.followerAddr }

// FollowerURL is a connection string for the follower alone (a client connects there directly).
func (s *Server) FollowerURL() string {
	return "esdb://" + s.followerAddr + "?tls=false"
}

// Replicate brings the follower's copy of the log up to the leader's.
func (s *Server) Replicate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replicated = len(s.log)
	s.notifyLocked()
}

// listenFollower opens the follower's port.
func (s *Server) listenFollower() error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.followerLis, s.followerAddr = lis, lis.Addr().String()
	s.followerPort = lis.Addr().(*net.TCPAddr).Port
	return nil
}

// onFollower reports whether a call came to the follower's port.
func (s *Server) onFollower(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok || p.LocalAddr == nil || s.followerPort == 0 {
		return false
	}
	a, ok := p.LocalAddr.(*net.TCPAddr)
	return ok && a.Port == s.followerPort
}

// requiresLeader reports whether a call asks that only the leader answer it.
func requiresLeader(ctx context.Context) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("requires-leader") {
		if v == "true" {
			return true
		}
	}
	return false
}

// notLeader refuses a call as a follower does, naming the leader in the trailers the client reads.
func (s *Server) notLeader(ss grpc.ServerStream) error {
	ss.SetTrailer(metadata.Pairs("exception", "not-leader", "leader-endpoint-host", "127.0.0.1",
		"leader-endpoint-port", strconv.Itoa(s.port)))
	return status.Error(codes.NotFound, "Leader info available")
}

// visibleLocked is how much of the log a call on this node sees: all of it on the leader, the replicated
// part on the follower. The caller holds s.mu.
func (s *Server) visibleLocked(follower bool) int {
	if follower {
		return s.replicated
	}
	return len(s.log)
}

// streamView is the part of a stream's records a node sees.
func streamView(recs []*record, visible int) []*record {
	n := len(recs)
	for n > 0 && recs[n-1].seq >= visible {
		n--
	}
	return recs[:n]
}
