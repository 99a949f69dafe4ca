package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/notes"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Authenticator finds who an API key speaks for. *keys.File implements it.
type Authenticator interface {
	// Authenticate returns the key's identity, or keys.ErrUnknownKey for a key that is unknown or revoked.
	Authenticate(secret string) (keys.Identity, error)
}

// Config is what the API needs. Store, Model, Keys, Registry and Logger are required.
type Config struct {
	// Store receives appends, and gives back the streams a read names (a worker's events, read by stream).
	Store eventstore.Store
	// Model is the persisted read model of Store, which every read answers from: listings by seeking in its
	// flag index, audits and metrics from its maintained rollups and counts, a worker or job order from a
	// partial model of its streams, as-of and known-at queries replayed worker by worker. Its owner keeps it
	// following Store (readmodel.Model.Follow); a read catches it up first where it lacks what the read must
	// see (see SoleWriter).
	Model *readmodel.Model
	// SoleWriter says that every append to Store goes through this server: the embedded store, whose directory
	// lock keeps other processes from writing it. A write then answers once the read model has applied it (or
	// ConsistencyWait has passed), and a read catches the model up only when it lacks a write answered before
	// the read came: it never waits for the catch-up of writes still in progress. Without it (KurrentDB, which
	// other replicas write) a read catches the model up with the store's head, where others' writes are found.
	SoleWriter bool
	// Keys authenticates requests.
	Keys Authenticator
	// Links keeps workers' access links (the /v1/workers/{id}/links routes and the worker's own page); without
	// it those routes answer 404.
	Links *keys.Links
	// PublicURL is the base of the links shown to workers (such as https://fairtrail.example.org); when empty,
	// the scheme and Host of the request that creates a link. Set it behind a proxy.
	PublicURL string
	// Registry receives the API's metrics and is what /metrics serves.
	Registry *prometheus.Registry
	// Logger receives access logs and errors.
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// SpoolDir holds import bodies while they are checked (os.TempDir when empty).
	SpoolDir string
	// PageKey signs page tokens; random when empty (tokens then do not survive a restart or reach another
	// instance). `fairtrail serve` gives a stable one: $FAIRTRAIL_PAGE_KEY, else page.key beside the key file.
	PageKey []byte
	// Limits bound requests; zero fields take their defaults.
	Limits Limits
	// Checkpoints is the journal of the log's signed checkpoints that the log routes serve, LogVerifier the
	// operator's verifier key that cosigned checkpoints must carry, and LogSigner the key that signs evidence
	// bundles' manifests; without them those routes answer 404.
	Checkpoints *checkpoint.Journal
	LogVerifier note.Verifier
	LogSigner   note.Signer
	// Witnesses, when given, are the cosignature verifiers of the witnesses this log knows: POST
	// /v1/log/cosignatures then keeps only lines that one of them signed and refuses any other. Without them
	// every line is kept as posted, for whoever trusts a witness to check with its key.
	Witnesses []note.Verifier
	// Currency, when set, is the reporting currency of the money metrics (ISO 4217, upper case): worker-paid,
	// outstanding and overdue money converted into it, each amount at its own date, and what no rate converts.
	Currency string
	// Notes is the erasable note store of reports' free text (spec section 8); without it a report posted with
	// a note is refused, and the note routes answer 404.
	Notes Notes
}

// Notes is what the API needs of the note store; *notes.Store implements it.
type Notes interface {
	PutAll(ctx context.Context, entries []notes.Entry) (notes.Saved, error)
	Discard(ctx context.Context, links []notes.Link) error
	Get(ctx context.Context, hash string) (notes.Note, error)
	EraseNote(ctx context.Context, hash string, req notes.Request) ([]notes.Erasure, error)
	EraseWorker(ctx context.Context, worker string, req notes.Request) ([]notes.Erasure, error)
	Erasures(ctx context.Context, worker string) ([]notes.Erasure, error)
}

// Limits bound what one request may cost.
type Limits struct {
	// MaxBodyBytes bounds a POST /v1/events body (default 8 MiB).
	MaxBodyBytes int64
	// MaxEvents bounds the events of one POST /v1/events (default 5000).
	MaxEvents int
	// MaxImportBytes bounds a POST /v1/import body (default 1 GiB).
	MaxImportBytes int64
	// RequestTimeout bounds a request other than an import (default 60 s).
	RequestTimeout time.Duration
	// ImportTimeout bounds an import, including reading its body (default 30 min).
	ImportTimeout time.Duration
	// ConsistencyWait is how long a non-admin's write waits for the read model to catch up before its scope
	// is checked against it (default 5 s; 503 when it runs out). A write is answered once stored: every read
	// catches the model up first, so a 201 is visible to the reads that follow.
	ConsistencyWait time.Duration
	// MaxReplays bounds the as-of and known-at listings and audits running at once (default 2; each replays
	// every worker, a chunk at a time); others wait.
	MaxReplays int
	// MetricsRefresh is the least time between two evaluations of the flag and money gauges (default 5 s).
	MetricsRefresh time.Duration
	// MaxReadyLag is the projection lag above which /readyz reports not ready (default 30 s).
	MaxReadyLag time.Duration
	// MaxHeaderBytes bounds a request's line and headers (default 64 KiB); a larger request answers 431 in the
	// JSON error shape. The http.Server's own MaxHeaderBytes must be larger (it answers in plain text):
	// TransportHeaderBytes is.
	MaxHeaderBytes int
	// DefaultPageSize and MaxPageSize bound list pages (defaults 100 and 1000).
	DefaultPageSize int
	MaxPageSize     int
}

// TransportHeaderBytes is the MaxHeaderBytes to give the http.Server that runs the API: above
// Limits.MaxHeaderBytes, so that the API, not net/http's plain-text 431, answers a request whose headers are too
// large, up to this size.
const TransportHeaderBytes = 1 << 20

func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxBodyBytes, 8<<20)
	def(&l.MaxImportBytes, 1<<30)
	defInt(&l.MaxEvents, 5000)
	defInt(&l.MaxHeaderBytes, 64<<10)
	defInt(&l.MaxReplays, 2)
	defInt(&l.DefaultPageSize, 100)
	defInt(&l.MaxPageSize, 1000)
	defDur(&l.RequestTimeout, 60*time.Second)
	defDur(&l.ImportTimeout, 30*time.Minute)
	defDur(&l.ConsistencyWait, 5*time.Second)
	defDur(&l.MetricsRefresh, 5*time.Second)
	defDur(&l.MaxReadyLag, 30*time.Second)
	l.DefaultPageSize = min(l.DefaultPageSize, l.MaxPageSize)
	return l
}

func (c Config) check() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("api: Config.Store is required"))
	}
	if c.Model == nil {
		errs = append(errs, errors.New("api: Config.Model is required"))
	}
	if c.Keys == nil {
		errs = append(errs, errors.New("api: Config.Keys is required"))
	}
	if c.Registry == nil {
		errs = append(errs, errors.New("api: Config.Registry is required"))
	}
	if c.Logger == nil {
		errs = append(errs, errors.New("api: Config.Logger is required"))
	}
	if c.Currency != "" {
		if err := projections.CheckCurrency(c.Currency); err != nil {
			errs = append(errs, fmt.Errorf("api: Config.Currency: %w", err))
		}
	}
	return errors.Join(errs...)
}
