package eventstore

import (
	"context"
	"errors"
	"fmt"
)

// Batch lays out events for one AppendBatch in input order, the order they are stored in: one request per run
// of consecutive events to one stream. A stream's expectation goes with its first run; its later runs in the
// batch follow what the batch appended before them, so they expect anything.
type Batch struct {
	// Requests are the batch's append requests, in input order.
	Requests []AppendRequest
	expect   func(stream string) ExpectedRevision
	opened   map[string]bool
}

// NewBatch starts a batch; expect gives a stream's expectation (Any for every stream when nil).
func NewBatch(expect func(stream string) ExpectedRevision) *Batch {
	b := &Batch{expect: expect}
	if expect != nil {
		b.opened = map[string]bool{}
	}
	return b
}

// Requests lays admitted events out for one AppendBatch as the ingest lays out every input (Batch): in order, one
// request per run of a stream's events, each expecting anything.
func Requests(events []Admitted) []AppendRequest {
	b := NewBatch(nil)
	for _, a := range events {
		b.Add(a.Stream, a.Event)
	}
	return b.Requests
}

// Add appends p to the batch, to stream, and returns where it is: its request and its place in it.
func (b *Batch) Add(stream string, p Proposed) (req, at int) {
	if n := len(b.Requests); n > 0 && b.Requests[n-1].Stream == stream {
		b.Requests[n-1].Events = append(b.Requests[n-1].Events, p)
		return n - 1, len(b.Requests[n-1].Events) - 1
	}
	exp := Any()
	if b.expect != nil && !b.opened[stream] {
		exp, b.opened[stream] = b.expect(stream), true
	}
	b.Requests = append(b.Requests, AppendRequest{Stream: stream, Expected: exp, Events: []Proposed{p}})
	return len(b.Requests) - 1, 0
}

// IngestOptions are a front end's part in Ingest.
type IngestOptions struct {
	// Expect is what the client expects of streams before the input (Any for a stream it does not name).
	Expect map[string]ExpectedRevision
	// Decide, when set, is the front end's own write rules (the API's tenant scope). It sees every event, after
	// validation and before anything is stored; its error refuses the whole input and is returned as it is. The
	// record-id rule (see RecordIDs) is applied after it, so that a caller outside a worker's scope learns nothing
	// of the worker's reports, fees, reimbursements or loans.
	// created names streams the input creates: they are appended expecting no stream, unless Expect names them,
	// so that two writers racing to create one stream cannot both succeed.
	Decide func(ctx context.Context, events []Admitted) (created map[string]bool, err error)
}

// Ingested is what Ingest appended: the requests in input order, their results, and where each input event is
// among them (At[i] is the request and the place in it of event i).
type Ingested struct {
	Requests []AppendRequest
	Results  []AppendResult
	At       [][2]int
}

// ingestAttempts is how many times Ingest checks and appends an input when a concurrent writer moves, between the
// check and the append, a worker stream the check read.
const ingestAttempts = 4

// Ingest decides and appends one request-sized input of admitted events with settled ids (Admit, IDs.Note) with
// one AppendBatch: atomic on the embedded store, so the input is stored whole or not at all. An input that breaks
// the record-id rule (RecordIDs: a report_id, fee_id, reimbursement_id or loan_id its worker already uses, a
// resolution of a report the worker does not have) is refused with a *RefusedEvents, before anything is
// appended. The worker streams the rule read are appended expecting the revision it read them at (unless the
// front end's Expect or created name them), so that a concurrent writer cannot slip a record under the same id
// in between: the input is then checked and appended again, up to ingestAttempts times. Events already stored
// are duplicates (Appended.Duplicate), so a retry stores nothing twice. On an append error (ErrConflict,
// ErrEventIDReused, ...) the requests are returned with it, for the caller to explain which stream was stale.
func Ingest(ctx context.Context, s Store, events []Admitted, opts IngestOptions) (Ingested, error) {
	var created map[string]bool
	if opts.Decide != nil {
		var err error
		if created, err = opts.Decide(ctx, events); err != nil {
			return Ingested{}, err
		}
	}
	for attempt := 1; ; attempt++ {
		read, err := CheckRecordIDs(ctx, s, events)
		if err != nil {
			return Ingested{}, err
		}
		b := NewBatch(func(stream string) ExpectedRevision {
			if exp, given := opts.Expect[stream]; given {
				return exp
			}
			if created[stream] {
				return NoStream()
			}
			if exp, checked := read[stream]; checked {
				return exp
			}
			return Any()
		})
		in := Ingested{At: make([][2]int, len(events))}
		for i, a := range events {
			r, j := b.Add(a.Stream, a.Event)
			in.At[i] = [2]int{r, j}
		}
		in.Requests = b.Requests
		results, err := s.AppendBatch(ctx, in.Requests)
		switch {
		case err == nil:
			in.Results = results
			return in, nil
		case errors.Is(err, ErrConflict) && len(read) > 0 && attempt < ingestAttempts && ctx.Err() == nil:
			continue // a stream moved since the check (maybe one the rule read): check again
		}
		return in, fmt.Errorf("ingest %d events: %w", len(events), err)
	}
}

// Counted is how many events of an append's results were stored new and how many were already stored
// (duplicates), as every ingest reports them.
func Counted(results []AppendResult) (appended, duplicates int) {
	for _, res := range results {
		for _, a := range res.Events {
			if a.Duplicate {
				duplicates++
			} else {
				appended++
			}
		}
	}
	return appended, duplicates
}
