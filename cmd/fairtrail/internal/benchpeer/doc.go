// Package benchpeer is the peer that `fairtrail bench` measures fairtrail against: the SQLite event store of
// github.com/hallgren/eventsourcing, an established Go event-sourcing library, fed the same events.
//
// The peer is linked only into binaries built with the build tag peer (go run -tags peer ./cmd/fairtrail bench);
// without it this package is a stub whose Open returns ErrNotBuilt, so the production binary does not depend on
// the library, its SQLite driver or cgo.
package benchpeer

import "errors"

// Event is one event as the peer stores it: fairtrail's stream is the peer's aggregate id, the event type its
// reason, and the event id, occurred_at and recorded_by travel as metadata.
type Event struct {
	Stream string
	Type   string
	Data   []byte
	Meta   []byte
}

// ErrNotBuilt is returned by Open in a binary built without the tag peer.
var ErrNotBuilt = errors.New("peer: not built (build with -tags peer)")
