package readmodel

import (
	"sync"

	"github.com/fairtrail/fairtrail/eventstore"
)

// Concurrent writes of a server each wait for the model to apply their events (read your writes), and this
// process catches up one at a time: a write whose events the catch-up in progress did not read waits for it to
// end, then for the catch-up that reads them, which reads the store up to its head at that moment, and so
// covers every write that waited beside it. Rather than take the catch-up token in turn, each only to read the
// model's checkpoint and hand the token on, they learn it all at once from progress: the position the last
// catch-up of this process left the model at, and a channel closed when it moves on.

// progress is the position this process's catch-ups have left the model at, which only moves forward. Safe
// for concurrent use; the zero value is at the store's start.
type progress struct {
	mu    sync.Mutex
	pos   eventstore.Position
	moved chan struct{} // closed when pos moves on; made when first asked for
}

// at returns the position and a channel closed when it next moves on.
func (p *progress) at() (eventstore.Position, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.moved == nil {
		p.moved = make(chan struct{})
	}
	return p.pos, p.moved
}

// advance moves the position on to pos, if pos is after it, and wakes those waiting for it to move.
func (p *progress) advance(pos eventstore.Position) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.pos.Less(pos) {
		return
	}
	p.pos = pos
	if p.moved != nil {
		close(p.moved)
		p.moved = nil
	}
}
