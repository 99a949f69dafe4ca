package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	grpcmd "google.golang.org/grpc/metadata"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// Options tune a Store; the zero value is usable.
type Options struct {
	// Logger receives the store's warnings (dropped subscriptions, reconnections) and, at debug and info
	// level, the client library's own messages (slog.Default when nil).
	Logger *slog.Logger
	// Now is the clock for recorded_at (time.Now when nil).
	Now func() time.Time
	// Concurrency is how many streams AppendBatch reads at once before appending (8 when zero).
	Concurrency int
	// SubscribeRetries is how many resubscriptions in a row that deliver no event Subscribe makes before it
	// returns the error (5 when zero; negative for none).
	SubscribeRetries int
	// Backoff is the first wait before resubscribing, doubled after each failure up to MaxBackoff (100 ms and
	// 10 s when zero).
	Backoff, MaxBackoff time.Duration
	// MaxAppendBytes bounds the size of one KurrentDB append, counted as the server counts it (each event's
	// data and metadata and twice its type's length): 900 KiB when zero, under KurrentDB's default
	// MaxAppendSize of 1 MiB. A larger request is written in several appends.
	MaxAppendBytes int
	// Namespace, when set, is put before every stream name in KurrentDB ("brand-a." stores worker-w1 as
	// brand-a.worker-w1), so that several fairtrail stores can share one database; callers never see it. It
	// may hold letters, digits and . _ - and must not start with '$'.
	Namespace string
	// CacheDir is where the log's Merkle tree, derived from $all, is kept between runs (--cache); empty keeps it
	// in memory, computed again by each process on first use.
	CacheDir string
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.SubscribeRetries == 0 {
		o.SubscribeRetries = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.MaxAppendBytes <= 0 {
		o.MaxAppendBytes = 900 << 10
	}
	return o
}

// streamPrefixes are the names of fairtrail's streams, as the event catalogue derives them from the data.
func streamPrefixes() []string { return domain.StreamPrefixes() }

func checkNamespace(ns string) error {
	for i, c := range ns {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok || i >= 64 {
			return fmt.Errorf("KurrentDB namespace %q: up to 64 letters, digits, '.', '_' or '-'", ns)
		}
	}
	return nil
}

// Store is the KurrentDB event store. It is safe for concurrent use.
type Store struct {
	opts  Options
	conf  esdb.Configuration
	where string // the nodes, for messages (never the credentials)

	mu     sync.Mutex // guards client
	client *esdb.Client

	gate    sync.RWMutex // held shared to start an operation, exclusively by Close
	closed  bool
	ops     sync.WaitGroup     // operations in flight
	stop    context.Context    // done when Close begins: aborts operations in flight
	stopAll context.CancelFunc // ends stop

	log logCache
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to KurrentDB. connString is a KurrentDB connection string, passed to the client as given:
// kurrentdb://host:2113?tls=false for one insecure node, kurrentdb://user:password@a:2113,b:2113,c:2113 for a
// cluster's gossip seeds, kurrentdb+discover://cluster.example.org:2113 for DNS discovery, with tlsCAFile,
// tlsVerifyCert, nodePreference and the client's other settings; esdb:// and esdb+discover:// are the same. Open checks the string (an unknown setting is an error,
// not a warning) and reads the last event of $all, so a wrong address, certificate or password fails here,
// as does a user not allowed to read $all, which the store needs. A string that cannot be used is an error
// matching ErrConnString; errors never contain the password.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	conf, where, err := parseConnString(connString)
	if err != nil {
		return nil, err
	}
	if err := checkNamespace(opts.Namespace); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	conf.Logger = clientLogger(opts.Logger)
	s := &Store{opts: opts, conf: *conf, where: where}
	s.stop, s.stopAll = context.WithCancel(context.Background())
	if s.client, err = s.newClient(); err != nil {
		return nil, err
	}
	if err := s.ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to KurrentDB at %s: %w", where, err)
	}
	return s, nil
}

// ping reads the last event of $all: the node is reachable, and the user may read $all.
func (s *Store) ping(ctx context.Context) error {
	opCtx, end, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer end()
	rs, err := s.openRead(func(c *esdb.Client) (*esdb.ReadStream, error) {
		return c.ReadAll(opCtx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	})
	if err == nil {
		defer rs.Close()
		if _, err = rs.Recv(); errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		return s.failure(ctx, fmt.Errorf("read the end of $all: %w", err))
	}
	return nil
}

func (s *Store) newClient() (*esdb.Client, error) {
	conf := s.conf
	c, err := esdb.NewClient(&conf)
	if err != nil {
		return nil, fmt.Errorf("KurrentDB client: %w", err)
	}
	return c, nil
}

// Close ends the operations in flight (they return ErrClosed), waits for them and disconnects.
func (s *Store) Close() error {
	s.gate.Lock()
	if s.closed {
		s.gate.Unlock()
		return nil
	}
	s.closed = true
	s.gate.Unlock()
	s.stopAll()
	s.ops.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.client.Close(), s.closeCache())
}

// begin registers an operation: its context ends with ctx or when Close begins. end must be called.
func (s *Store) begin(ctx context.Context) (opCtx context.Context, end func(), err error) {
	s.gate.RLock()
	if s.closed {
		s.gate.RUnlock()
		return nil, nil, eventstore.ErrClosed
	}
	s.ops.Add(1)
	s.gate.RUnlock()
	opCtx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.stop, cancel)
	return leaderOnly(opCtx), func() { stop(); cancel(); s.ops.Done() }, nil
}

// leaderOnly makes every call of an operation carry the gRPC metadata requires-leader: true. On a cluster a
// follower would otherwise forward writes and answer reads from its own copy, which may lag: the read-back
// after an append and the read an append is planned on could then miss the stream's last events. A follower
// answers such a call with not-leader, naming the leader, and the client reconnects there (withClient and
// openRead retry). Client v4.2.0 means to send it for NodePreference=leader but puts it on the incoming
// context, so it never leaves the process; outgoing metadata on the context it is given does.
func leaderOnly(ctx context.Context) context.Context {
	return grpcmd.AppendToOutgoingContext(ctx, "requires-leader", "true")
}

// conn is the client to use now.
func (s *Store) conn() *esdb.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// withClient runs fn with the client, and once more when that is safe and may succeed:
//   - the node was a follower and refused (ErrorCodeNotLeader): it did nothing, and the client has already
//     switched to the leader it named;
//   - the client library gave up for good after failing to reach any node (its connection loop ends, and every
//     later call fails with ErrorCodeConnectionClosed before sending anything): fn runs again with a new client,
//     so a store outlives a node restart.
func (s *Store) withClient(fn func(*esdb.Client) error) error {
	c := s.conn()
	err := fn(c)
	switch {
	case hasCode(err, esdb.ErrorCodeNotLeader):
		s.opts.Logger.Info("KurrentDB node is not the leader; retrying on the leader", "store", s.where)
		return fn(s.conn())
	case !hasCode(err, esdb.ErrorCodeConnectionClosed) || s.stop.Err() != nil:
		return err
	}
	s.mu.Lock()
	if s.client == c {
		fresh, nerr := s.newClient()
		if nerr != nil {
			s.mu.Unlock()
			return errors.Join(err, nerr)
		}
		// The dead client is not closed: its connection loop has ended, and closing it could make a call
		// still failing on it panic inside the library.
		s.client = fresh
		s.opts.Logger.Warn("KurrentDB client had lost every node; connecting again", "store", s.where)
	}
	s.mu.Unlock()
	return fn(s.conn())
}

// failure maps the error of an operation started with the caller's ctx: the caller's own cancellation is
// reported as ctx.Err(), and Close's as ErrClosed.
func (s *Store) failure(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case s.stop.Err() != nil:
		return eventstore.ErrClosed
	}
	return err
}

// clientLogger passes the client library's messages to slog below warning level: the library logs every
// failed call as an error, and the store itself reports what matters.
func clientLogger(l *slog.Logger) esdb.LoggingFunc {
	return func(level esdb.LogLevel, format string, args ...any) {
		lvl := slog.LevelDebug
		if level == esdb.LogError || level == esdb.LogWarn {
			lvl = slog.LevelInfo
		}
		l.Log(context.Background(), lvl, "KurrentDB client: "+fmt.Sprintf(format, args...))
	}
}
