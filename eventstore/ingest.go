package eventstore

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"

	"github.com/fairtrail/fairtrail/domain"
)

// Ingest is the one path by which outside input becomes stored events, shared by `fairtrail import`,
// POST /v1/import (both through Import, for NDJSON files of any size) and POST /v1/events (through Ingest, for
// one request): validate every envelope (Admit), settle the input's event ids (IDs: "is this the same event"),
// let the front end decide (IngestOptions.Decide: the API's tenant scope), then lay the events out in input
// order (Batch) and append them. It lives in eventstore because what it decides is the store's contract: an id
// names one event, an append is whole or refused; the rules of one append (duplicates against what is stored,
// expected revisions, hashes, leaves) stay in PlanAppend, and the front ends only parse and answer.

// Admitted is an outside envelope that passed validation: the decoded envelope, its stream, and the event to
// append (its RecordedBy is the caller's to set; its ID is zero until IDs.Note when the envelope had none).
type Admitted struct {
	Envelope domain.Envelope
	Stream   string
	Event    Proposed
	sum      uint64 // contentSum of Event, when the envelope carried an event_id
}

// Admit validates one outside envelope (spec section 1): a bad envelope is a *domain.ValidationError naming
// every bad field by its path in the envelope (domain.ErrInvalid); other errors are internal.
func Admit(raw []byte) (Admitted, error) {
	env, err := Decode(raw)
	if err != nil {
		return Admitted{}, err
	}
	return AdmitEnvelope(env, "")
}

// AdmitEnvelope admits an envelope already decoded and validated (one an importer built itself: an interview
// sheet's finding, a rates file's table), recorded_by recordedBy; errors are internal.
func AdmitEnvelope(env domain.Envelope, recordedBy string) (Admitted, error) {
	p, err := ProposedFrom(env, recordedBy)
	if err != nil {
		return Admitted{}, err
	}
	a := Admitted{Envelope: env, Stream: env.Stream(), Event: p}
	if !p.ID.IsZero() {
		a.sum = contentSum(p)
	}
	return a, nil
}

// SameEvent reports whether two events under one event_id are the same event: the same type, business time
// and data. An id given again for the same event is a retry, stored once; for a different event it is refused.
// Where it was recorded, by whom and when are not compared: they are the store's, not the event's.
func SameEvent(a, b Proposed) bool {
	return a.Type == b.Type && a.OccurredAt.Equal(b.OccurredAt) && string(a.Data) == string(b.Data)
}

// contentSeed keys contentSum for this process, so that no input can be made to collide on purpose.
var contentSeed = maphash.MakeSeed()

// contentSum fingerprints exactly what SameEvent compares, so that IDs holds a number per id, not the event.
func contentSum(p Proposed) uint64 {
	var h maphash.Hash
	h.SetSeed(contentSeed)
	h.WriteString(p.Type)
	var t [8]byte
	binary.LittleEndian.PutUint64(t[:], uint64(p.OccurredAt.UnixNano()))
	h.Write(t[:])
	h.Write(p.Data)
	return h.Sum64()
}

// IDs settles the event ids of one input, in input order: an envelope without an event_id gets a new one, and
// an event_id used again within the input must name the same event (SameEvent; the store then keeps it once).
type IDs struct {
	seen  map[domain.EventID]idUse
	newID func() (domain.EventID, error)
	place func(at int) string
}

// idUse is where an id was first used in the input, and its event's contentSum.
type idUse struct {
	sum uint64
	at  int
}

// NewIDs starts the ids of one input: newID makes the id of an event that has none, and place names an event
// of the input by its place in it, as the front end's messages do ("line 3", "events[2]").
func NewIDs(newID func() (domain.EventID, error), place func(at int) string) *IDs {
	return &IDs{seen: map[domain.EventID]idUse{}, newID: newID, place: place}
}

// Note settles the id of a, the input's event at place at. An id that an earlier event of the input used for a
// different event is a *domain.ValidationError naming event_id and the earlier event's place; other errors are
// internal.
func (s *IDs) Note(a *Admitted, at int) error {
	if a.Event.ID.IsZero() {
		id, err := s.newID()
		if err != nil {
			return fmt.Errorf("make event id: %w", err)
		}
		a.Event.ID, a.Envelope.EventID = id, id
		return nil
	}
	prev, seen := s.seen[a.Event.ID]
	switch {
	case !seen:
		s.seen[a.Event.ID] = idUse{sum: a.sum, at: at}
	case prev.sum != a.sum:
		return &domain.ValidationError{Fields: []domain.FieldError{{Path: "event_id",
			Problem: "used earlier in this input (" + s.place(prev.at) + ") for a different event"}}}
	}
	return nil
}
