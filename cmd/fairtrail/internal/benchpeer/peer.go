//go:build peer

package benchpeer

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/hallgren/eventsourcing/core"
	essql "github.com/hallgren/eventsourcing/eventstore/sql"
	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"
)

// aggregateType is the peer's aggregate type for every fairtrail stream.
const aggregateType = "fairtrail"

// Built reports whether the peer is linked into this binary.
const Built = true

// library names the pinned versions (see go.mod).
const library = "github.com/hallgren/eventsourcing/eventstore/sql v0.7.0 (core v0.5.2), SQLite by github.com/mattn/go-sqlite3 v1.14.32"

// Store is the peer's SQLite event store with what a writer needs to know: the last version of every stream.
type Store struct {
	db       *sql.DB
	es       *essql.SQLite
	versions map[string]core.Version
	settings string
}

// Open creates the peer's database in dir: one SQLite file in WAL mode with synchronous=FULL, so that a
// committed Save is on disk, as a fairtrail append is.
func Open(dir string) (*Store, error) {
	dsn := "file:" + filepath.Join(dir, "peer.sqlite") + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("peer: open: %w", err)
	}
	es, err := essql.NewSQLite(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("peer: create schema: %w", err)
	}
	s := &Store{db: db, es: es, versions: map[string]core.Version{}}
	if s.settings, err = s.pragmas(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// pragmas reads back the settings in force, so the report states what was measured rather than what was asked.
func (s *Store) pragmas() (string, error) {
	var mode string
	var sync int
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return "", fmt.Errorf("peer: read journal_mode: %w", err)
	}
	if err := s.db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
		return "", fmt.Errorf("peer: read synchronous: %w", err)
	}
	names := map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
	return fmt.Sprintf("journal_mode=%s, synchronous=%s", mode, names[sync]), nil
}

// Describe names the peer, its versions and the SQLite settings in force.
func (s *Store) Describe() string { return library + "; " + s.settings }

// Save appends one stream's events after those saved before, in one transaction, through the library's Save:
// it checks that the first event's version follows the stream's stored version (optimistic concurrency, like
// an exact expected revision) and fails with core.ErrConcurrency otherwise.
func (s *Store) Save(events []Event) error {
	if len(events) == 0 {
		return nil
	}
	stream := events[0].Stream
	v := s.versions[stream]
	now := time.Now().UTC()
	batch := make([]core.Event, len(events))
	for i, e := range events {
		v++
		batch[i] = core.Event{AggregateID: e.Stream, Version: v, AggregateType: aggregateType, Timestamp: now,
			Reason: e.Type, Data: e.Data, Metadata: e.Meta}
	}
	if err := s.es.Save(batch); err != nil {
		return fmt.Errorf("peer: save %s: %w", stream, err)
	}
	s.versions[stream] = v
	return nil
}

// ReadAll reads every event back in global order through the library's All and returns how many there were.
func (s *Store) ReadAll(ctx context.Context) (int, error) {
	fetch := s.es.All(0)
	total := 0
	for {
		it, err := fetch()
		if err != nil {
			return total, fmt.Errorf("peer: read all: %w", err)
		}
		n, err := drain(ctx, it)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

func drain(ctx context.Context, it core.Iterator) (int, error) {
	defer it.Close()
	n := 0
	for it.Next() {
		if _, err := it.Value(); err != nil {
			return n, fmt.Errorf("peer: read all: %w", err)
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	if si, ok := it.(*essql.Iterator); ok && si.Rows.Err() != nil {
		return n, fmt.Errorf("peer: read all: %w", si.Rows.Err())
	}
	return n, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
