//go:build !peer

package benchpeer

import "context"

// Built reports whether the peer is linked into this binary.
const Built = false

// Store is the peer's event store; in this build it cannot be opened.
type Store struct{}

// Open returns ErrNotBuilt: the peer is linked only with the build tag peer.
func Open(dir string) (*Store, error) { return nil, ErrNotBuilt }

// Describe names the peer and its settings.
func (s *Store) Describe() string { return ErrNotBuilt.Error() }

// Save returns ErrNotBuilt.
func (s *Store) Save(events []Event) error { return ErrNotBuilt }

// ReadAll returns ErrNotBuilt.
func (s *Store) ReadAll(ctx context.Context) (int, error) { return 0, ErrNotBuilt }

// Close does nothing.
func (s *Store) Close() error { return nil }
