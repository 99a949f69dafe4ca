// Package kurrenttest is a wire-protocol test double of KurrentDB (formerly EventStoreDB), for tests only.
//
// It is an in-process gRPC server on a loopback TCP port that answers the part of KurrentDB's client protocol
// that the official Go client (github.com/EventStore/EventStore-Client-Go/v4) uses for fairtrail's backend:
// ServerFeatures.GetSupportedMethods, Gossip.Read (so cluster connection strings work), and the Streams service's
// Append, Read (a stream or $all, forwards or backwards, plain reads and catch-up subscriptions to $all with
// stream or event-type filters) and Tombstone. It is built on the generated code shipped inside the client
// module, so the real client talks to it over the real wire protocol.
//
// It is not a database: events live in memory and vanish with it, there is no durability, clustering,
// authorisation beyond one set of credentials, scavenging or soft deletion. What it does keep faithfully is
// what a backend can get wrong: expected revisions (including KurrentDB's idempotent replay of an exact
// append), stream_not_found, stream-deleted trailers, $all positions that are commit/prepare pairs with gaps
// (each event its own, commit = prepare, as a current node writes them), system events interleaved in $all, inclusive forward and
// exclusive backward $all reads, exclusive subscription starts, filter checkpoints, subscriptions dropped on
// demand or mid-stream (DropSubscriptions, Options.DropEvery), appends refused as a follower refuses them,
// naming the leader (Options.RefuseAsFollower), a follower node with forwarded writes and lagging reads that
// honours requires-leader (Options.Follower), appends that time out committed or not (TimeOutAppends), the
// append size limit counted as the server counts it, and restarts at the same address (Options.Addr).
//
// Import it only from _test.go files and from its command, cmd/fairtrail/internal/kurrentdouble, which tests
// run as a child process built without the race detector; a test in cmd/fairtrail checks that the fairtrail
// binary does not contain it.
package kurrenttest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Options shape a Server; the zero value is an insecure node with no credentials.
type Options struct {
	// SystemEvery, when positive, writes a system event (to a $stats- stream) after every SystemEvery events
	// appended to user streams, so readers of $all meet system events between theirs, as on a real node.
	SystemEvery int
	// TLS serves TLS with a fresh self-signed certificate for 127.0.0.1; URL names its file with tlsCAFile.
	TLS bool
	// Username and Password, when set, are required as basic credentials on every Streams call (the client
	// sends credentials only over TLS).
	Username, Password string
	// MaxAppendSize bounds the bytes of one append's events (1 MiB, KurrentDB's default, when zero).
	MaxAppendSize int
	// DropEvery, when positive, drops every subscription (codes.Unavailable) after it has sent that many
	// events, so that drops land in the middle of a catch-up or of live events.
	DropEvery int
	// RefuseAsFollower is how many appends are refused as a follower would refuse them (not-leader, naming this
	// server as the leader) before appends are accepted.
	RefuseAsFollower int
	// Addr is the address to listen on (127.0.0.1:0, a free port, when empty): a test restarts a server at
	// the address of one it closed.
	Addr string
	// Follower adds a follower node on a second port (cluster.go): writes sent there are forwarded, reads
	// there lag until Replicate, and calls that require the leader are refused with not-leader.
	Follower bool
	// BeforeAppend, when set, is called with the stream's name before each append is applied, outside the
	// server's lock: a test makes another writer's append land between a client's read and its write.
	BeforeAppend func(stream string)
}

// Server is a running test double. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	lis    net.Listener
	srv    *grpc.Server
	addr   string
	port   int
	caFile string
	served chan error

	mu         sync.Mutex
	log        []*record // $all in position order
	streams    map[string]*stream
	next       uint64        // prepare position of the next record
	changed    chan struct{} // closed and replaced after every write
	subs       map[*subscriber]struct{}
	userEvents int
	nextSystem int
	systemSeq  int
	subscribed int
	refused    int
	appends    int
	replicated int // records of the log the follower holds
	timeouts   []bool

	followerLis  net.Listener
	followerAddr string
	followerPort int
}

// Start starts a server on a loopback port and stops it when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	dir := ""
	if opts.TLS {
		dir = tb.TempDir()
	}
	s, err := Listen(opts, dir)
	if err != nil {
		tb.Fatalf("kurrenttest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("kurrenttest: %v", err)
		}
	})
	return s
}

// Listen starts a server on a loopback port for a caller that is not a test, such as the command kurrentdouble
// (which a test runs as a child process); the caller stops it with Close. With Options.TLS, the server writes
// its certificate's PEM file in dir.
func Listen(opts Options, dir string) (*Server, error) {
	if opts.MaxAppendSize <= 0 {
		opts.MaxAppendSize = 1 << 20
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{opts: opts, lis: lis, addr: lis.Addr().String(), port: lis.Addr().(*net.TCPAddr).Port,
		streams: make(map[string]*stream), next: firstLogPosition, changed: make(chan struct{}),
		subs: make(map[*subscriber]struct{}), nextSystem: opts.SystemEvery, served: make(chan error, 1)}
	grpcOpts := []grpc.ServerOption{grpc.ChainUnaryInterceptor(s.authUnary), grpc.ChainStreamInterceptor(s.authStream),
		grpc.ForceServerCodec(codec{})}
	if opts.TLS {
		cert, caFile, err := selfSigned(dir)
		if err != nil {
			lis.Close()
			return nil, err
		}
		s.caFile = caFile
		grpcOpts = append(grpcOpts, grpc.Creds(credentials.NewServerTLSFromCert(&cert)))
	}
	if opts.Follower {
		if err := s.listenFollower(); err != nil {
			lis.Close()
			return nil, fmt.Errorf("listen as a follower: %w", err)
		}
	}
	s.srv = grpc.NewServer(grpcOpts...)
	streams.RegisterStreamsServer(s.srv, &streamsService{s: s})
	serverfeatures.RegisterServerFeaturesServer(s.srv, &featuresService{})
	gossip.RegisterGossipServer(s.srv, &gossipService{s: s})
	s.seed()
	go func() { s.served <- s.srv.Serve(lis) }()
	if s.followerLis != nil {
		go func() { _ = s.srv.Serve(s.followerLis) }() // ends with the server; its error is the leader's
	}
	return s, nil
}

// seed writes what a fresh node writes before any client does, so $all never starts with a user event.
func (s *Server) seed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.systemEventLocked("$epoch-information")
	s.systemEventLocked("$UserCreated")
	s.replicated = len(s.log)
}

// Close stops the server, ending every call in progress. It reports how serving ended if not by Close.
func (s *Server) Close() error {
	s.srv.Stop()
	err := <-s.served
	s.served <- nil // a second Close returns at once
	if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// URL is a KurrentDB connection string for this server, with its credentials and TLS settings.
func (s *Server) URL() string {
	creds := ""
	if s.opts.Username != "" {
		creds = s.opts.Username + ":" + s.opts.Password + "@"
	}
	if s.opts.TLS {
		return "esdb://" + creds + s.addr + "?tls=true&tlsCAFile=" + s.caFile
	}
	return "esdb://" + creds + s.addr + "?tls=false"
}

// CAFile is the PEM file of the server's certificate when it serves TLS.
func (s *Server) CAFile() string { return s.caFile }

// Subscriptions is the number of catch-up subscriptions being served.
func (s *Server) Subscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// Subscribed is the number of catch-up subscriptions started so far.
func (s *Server) Subscribed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subscribed
}

// DropSubscriptions ends every active subscription with codes.Unavailable, as a node restart or a network
// failure would, and returns how many it dropped.
func (s *Server) DropSubscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.subs)
	for sub := range s.subs {
		sub.dropOnce.Do(func() { close(sub.drop) })
		delete(s.subs, sub)
	}
	return n
}

// Appends is the number of appends that wrote events.
func (s *Server) Appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

// TimeOutAppends makes the next n appends answer Aborted "Operation timed out", as KurrentDB answers a write
// it could not confirm in time; committed says whether each was written before that answer (a client cannot
// tell which).
func (s *Server) TimeOutAppends(n int, committed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.timeouts = append(s.timeouts, committed)
	}
}

// Events is the number of events in user (non-system) streams.
func (s *Server) Events() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userEvents
}

// authorize checks the basic credentials when the server requires them.
func (s *Server) authorize(ctx context.Context) error {
	if s.opts.Username == "" {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.opts.Username+":"+s.opts.Password))
	for _, got := range md.Get("authorization") {
		if got == want {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "Bad HTTP status code: 401 (kurrenttest: missing or wrong credentials)")
}

func (s *Server) authUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if strings.HasPrefix(info.FullMethod, "/event_store.client.streams.") {
		if err := s.authorize(ctx); err != nil {
			return nil, err
		}
	}
	return h(ctx, req)
}

func (s *Server) authStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if strings.HasPrefix(info.FullMethod, "/event_store.client.streams.") {
		if err := s.authorize(ss.Context()); err != nil {
			return err
		}
	}
	return h(srv, ss)
}
