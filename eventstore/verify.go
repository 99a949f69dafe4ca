package eventstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/fairtrail/fairtrail/domain"
)

// CorruptError reports stored bytes that cannot be trusted: a record whose checksum fails or that cannot be
// decoded. Backends return it from reads, naming the event as far as it can be read.
type CorruptError struct {
	Position Position
	EventID  string
	Stream   string
	// Where locates the bytes in the backend's storage (e.g. "events.log offset 1234").
	Where   string
	Problem string
}

func (e *CorruptError) Error() string {
	s := "corrupt stored event"
	if !e.Position.IsStart() {
		s += " at position " + e.Position.String()
	}
	if e.EventID != "" {
		s += " (event_id " + e.EventID + ")"
	}
	if e.Stream != "" {
		s += " in stream " + e.Stream
	}
	if e.Where != "" {
		s += ", " + e.Where
	}
	return s + ": " + e.Problem
}

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	Events  int `json:"events"`
	Streams int `json:"streams"`
	// Bad is the first event that does not match, nil when every chain holds.
	Bad *BadEvent `json:"bad,omitempty"`
}

// BadEvent names the first event whose stored form does not match its hash chain.
type BadEvent struct {
	Position Position `json:"position"`
	EventID  string   `json:"event_id"`
	Stream   string   `json:"stream"`
	Revision uint64   `json:"revision"`
	Problem  string   `json:"problem"`
}

func (b *BadEvent) String() string {
	return fmt.Sprintf("event %s (stream %s, revision %d, position %s): %s",
		b.EventID, b.Stream, b.Revision, b.Position, b.Problem)
}

// Verify recomputes every stream's hash chain (spec section 5) in global order and reports the first event that
// does not match: a changed byte of its type, time, data or id, a changed or missing predecessor, a revision
// out of sequence, or bytes the backend itself finds corrupt. The error is for failures to read at all.
func Verify(ctx context.Context, s Store) (VerifyReport, error) {
	var rep VerifyReport
	type head struct {
		hash string
		next uint64
	}
	heads := make(map[string]head)
	for rec, err := range s.ReadAll(ctx, Start) {
		if err != nil {
			var ce *CorruptError
			if errors.As(err, &ce) {
				rep.Bad = &BadEvent{Position: ce.Position, EventID: ce.EventID, Stream: ce.Stream, Problem: ce.Problem}
				return rep, nil
			}
			return rep, fmt.Errorf("verify: %w", err)
		}
		rep.Events++
		h := heads[rec.Stream]
		bad := func(problem string) (VerifyReport, error) {
			rep.Bad = &BadEvent{Position: rec.Position, EventID: rec.ID.String(), Stream: rec.Stream,
				Revision: rec.Revision, Problem: problem}
			return rep, nil
		}
		if rec.Revision != h.next {
			return bad(fmt.Sprintf("revision %d where %d was expected", rec.Revision, h.next))
		}
		canonical := domain.CanonicalBytes(rec.Type, rec.OccurredAt, rec.Data, rec.ID)
		if got := domain.ChainHash(h.hash, canonical); got != rec.Hash {
			return bad(fmt.Sprintf("hash mismatch: stored %s, recomputed %s", rec.Hash, got))
		}
		heads[rec.Stream] = head{hash: rec.Hash, next: h.next + 1}
	}
	rep.Streams = len(heads)
	return rep, nil
}
