package eventstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Errors that callers branch on.
var (
	// ErrConflict: the stream's revision was not the one expected.
	ErrConflict = errors.New("wrong expected revision")
	// ErrNotFound: the stream does not exist.
	ErrNotFound = errors.New("not found")
	// ErrEventIDReused: an event id already stored names a different event.
	ErrEventIDReused = errors.New("event id already used by a different event")
	// ErrClosed: the store was closed, or failed and must be reopened.
	ErrClosed = errors.New("event store closed")
)

// Position is an event's place in the global order. Positions are ordered but not contiguous: the embedded
// backend numbers events 1, 2, 3..., KurrentDB uses commit/prepare pairs of its transaction log. Never compute
// a next position; the zero Position is "before the first event".
type Position struct {
	Commit  uint64 `json:"commit"`
	Prepare uint64 `json:"prepare"`
}

// Start is the position before every event.
var Start = Position{}

// Less reports whether p comes before q.
func (p Position) Less(q Position) bool {
	if p.Commit != q.Commit {
		return p.Commit < q.Commit
	}
	return p.Prepare < q.Prepare
}

// IsStart reports whether p is Start.
func (p Position) IsStart() bool { return p == Start }

func (p Position) String() string {
	if p.Commit == p.Prepare {
		return fmt.Sprint(p.Commit)
	}
	return fmt.Sprintf("%d/%d", p.Commit, p.Prepare)
}

// ExpectedRevision is what an append expects of its stream: anything, no stream, an existing stream, or an
// exact last revision (revisions count from 0).
type ExpectedRevision struct {
	kind expectKind
	rev  uint64
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectExists
	expectExact
)

// Any accepts the stream in any state.
func Any() ExpectedRevision { return ExpectedRevision{} }

// NoStream expects the stream not to exist yet.
func NoStream() ExpectedRevision { return ExpectedRevision{kind: expectNoStream} }

// StreamExists expects the stream to have at least one event.
func StreamExists() ExpectedRevision { return ExpectedRevision{kind: expectExists} }

// Exact expects the stream's last revision to be rev.
func Exact(rev uint64) ExpectedRevision { return ExpectedRevision{kind: expectExact, rev: rev} }

// Exact returns the expected last revision, if the expectation is exact.
func (e ExpectedRevision) Exact() (uint64, bool) { return e.rev, e.kind == expectExact }

// IsAny reports whether any state is accepted.
func (e ExpectedRevision) IsAny() bool { return e.kind == expectAny }

// Check reports whether a stream whose last revision is last (exists false when it has no events) meets the
// expectation.
func (e ExpectedRevision) Check(last uint64, exists bool) bool {
	switch e.kind {
	case expectNoStream:
		return !exists
	case expectExists:
		return exists
	case expectExact:
		return exists && last == e.rev
	}
	return true
}

func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no stream"
	case expectExists:
		return "stream exists"
	case expectExact:
		return fmt.Sprintf("revision %d", e.rev)
	}
	return "any"
}

// Proposed is an event to append. Data is the canonical JSON of domain.EncodeData.
type Proposed struct {
	ID         domain.EventID
	Type       string
	OccurredAt time.Time
	Data       []byte
	// RecordedBy is the organisation that submitted it, or "import".
	RecordedBy string
	// RecordedAt is left zero: the store sets it to the time it learned of the event. Only a copy between
	// stores sets it, to preserve the original.
	RecordedAt time.Time
	// canonical caches Canonical's answer, worked out ahead where the event is final (an import's reader does
	// it while the store appends the batch before), so that the store's writer does not.
	canonical []byte
}

// Canonical returns the bytes its hash covers.
func (p Proposed) Canonical() []byte {
	if p.canonical != nil {
		return p.canonical
	}
	return domain.CanonicalBytes(p.Type, p.OccurredAt, p.Data, p.ID)
}

// Recorded is a stored event with the metadata the store added.
type Recorded struct {
	ID         domain.EventID
	Type       string
	Stream     string
	Revision   uint64
	Position   Position
	OccurredAt time.Time
	RecordedAt time.Time
	RecordedBy string
	Data       []byte
	// Hash is the chain hash (hex) of spec section 5.
	Hash string
}

// SameEvent reports whether a proposed event is the one already recorded under its id.
func (r Recorded) SameEvent(p Proposed) bool {
	return r.ID == p.ID && SameEvent(Proposed{Type: r.Type, OccurredAt: r.OccurredAt, Data: r.Data}, p)
}

// AppendRequest appends events to one stream.
type AppendRequest struct {
	Stream   string
	Expected ExpectedRevision
	Events   []Proposed
}

// Appended is the outcome for one event of an append.
type Appended struct {
	ID       domain.EventID `json:"event_id"`
	Revision uint64         `json:"revision"`
	Position Position       `json:"position"`
	// Duplicate is true when the event id was already stored: nothing was written, and Revision and Position are
	// those of the original.
	Duplicate bool `json:"duplicate"`
	// Hash is the event's section 5 hash and LeafHash the hash of its log leaf (section 6), both lower-case hex:
	// with LeafIndex, the event's receipt.
	Hash     string `json:"hash"`
	LeafHash string `json:"leaf_hash"`
	// LeafIndex is the event's leaf in the log; backends that learn it only later leave it to FillLeafIndexes.
	LeafIndex uint64 `json:"leaf_index"`
}

// AppendResult is the outcome of one AppendRequest.
type AppendResult struct {
	Stream string     `json:"stream"`
	Events []Appended `json:"events"`
}

// Store is the port every backend implements.
type Store interface {
	// Append writes events to one stream if the stream meets the expectation, durably, and reports each
	// event's revision and position. Events whose id is already stored are not written again (Duplicate);
	// a request made only of such events succeeds whatever the expectation, so a retry returns the original
	// result. Errors: ErrConflict (wrapped, naming the stream), ErrEventIDReused, ErrClosed.
	Append(ctx context.Context, req AppendRequest) (AppendResult, error)
	// AppendBatch is the bulk path: many requests, durably written together where the backend can (the
	// embedded backend commits them atomically with one sync; others append them in order). Same rules and
	// errors as Append; on error, results are returned for the requests stored before it.
	AppendBatch(ctx context.Context, reqs []AppendRequest) ([]AppendResult, error)
	// ReadStream yields a stream's events from revision from on, in order. A stream with no events yields
	// ErrNotFound.
	ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[Recorded, error]
	// ReadAll yields every event after position after (Start for all), in global order.
	ReadAll(ctx context.Context, after Position) iter.Seq2[Recorded, error]
	// Subscribe calls fn for every event after position after, in global order: first those stored, then
	// live ones as they are appended, without gaps or duplicates, until ctx ends (returning ctx.Err()) or fn
	// or the store fails.
	Subscribe(ctx context.Context, after Position, fn func(Recorded) error) error
	// Head is the position of the last event stored (Start when the store is empty): a reader that has
	// processed it is caught up.
	Head(ctx context.Context) (Position, error)
	// Close releases the store.
	Close() error
}

// ProposedFrom turns a decoded envelope into an event to append.
func ProposedFrom(env domain.Envelope, recordedBy string) (Proposed, error) {
	data, err := domain.EncodeData(env.Event)
	if err != nil {
		return Proposed{}, fmt.Errorf("encode %s: %w", env.Type, err)
	}
	return Proposed{ID: env.EventID, Type: env.Type, OccurredAt: env.OccurredAt, Data: data, RecordedBy: recordedBy}, nil
}
