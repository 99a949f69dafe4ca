package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fairtrail/fairtrail/eventstore"
)

// ErrReadOnly is returned by CatchUp and Rebuild of a model opened with Options.ReadOnly when the model would
// have to be written: it is behind the store, or cannot be trusted (see the package comment).
var ErrReadOnly = errors.New("the read model is open read-only")

// openReadOnly opens the model in dir, which must exist, for reading only. SQLite is told the file cannot
// change (immutable: no locks, no shared memory, nothing written beside it), so a model with a write-ahead log,
// which a process writing it or one that did not close it holds, is refused.
func openReadOnly(dir string, opts Options) (*Model, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open read model %s read-only: %w", path, err)
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		return nil, fmt.Errorf("open read model %s read-only: it has a write-ahead log: a process is writing it, or it was not closed", path)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&immutable=1&_foreign_keys=0&_cache_size=-262144")
	if err != nil {
		return nil, fmt.Errorf("open read model %s read-only: %w", path, err)
	}
	if _, _, ok, err := state(context.Background(), db); err != nil || !ok {
		db.Close()
		if err == nil {
			err = errors.New(ReasonMissing)
		}
		return nil, fmt.Errorf("open read model %s read-only: %w", path, err)
	}
	return newModel(db, db, path, opts), nil
}

// current is a read-only model's catch-up: nil when the model describes the store up to its head, else
// ErrReadOnly with what a catch-up would have done about it.
func current(cp Checkpoint, head eventstore.Position, reason string) error {
	switch {
	case reason != "":
		return fmt.Errorf("read model: %s: %w", reason, ErrReadOnly)
	case cp.Position != head:
		return fmt.Errorf("read model: behind the store (at %s, the store at %s): %w", cp.Position, head, ErrReadOnly)
	}
	return nil
}
