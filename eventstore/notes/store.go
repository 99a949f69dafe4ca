package notes

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"
)

// FileName is the store's file in its directory.
const FileName = "notes.sqlite"

// Errors that callers branch on.
var (
	// ErrNotFound: no note with that hash is stored (and none was erased).
	ErrNotFound = errors.New("note not found")
	// ErrErased: the note was erased; it is not kept and cannot be saved again.
	ErrErased = errors.New("note erased")
)

// schema creates the tables. notes holds each text once; links says which workers a note belongs to; erasures
// is the append-only journal.
const schema = `
CREATE TABLE IF NOT EXISTS notes (
	sha256   TEXT PRIMARY KEY,
	text     BLOB NOT NULL,
	saved_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (
	worker_id TEXT NOT NULL,
	sha256    TEXT NOT NULL,
	saved_at  TEXT NOT NULL,
	PRIMARY KEY (worker_id, sha256)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_by_note ON links (sha256);
CREATE TABLE IF NOT EXISTS erasures (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	sha256       TEXT NOT NULL,
	worker_id    TEXT NOT NULL,
	scope        TEXT NOT NULL,
	text_removed INTEGER NOT NULL,
	erased_at    TEXT NOT NULL,
	erased_by    TEXT NOT NULL,
	reason       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS erasures_by_note ON erasures (sha256);
CREATE TRIGGER IF NOT EXISTS erasures_append_only_update BEFORE UPDATE ON erasures
BEGIN SELECT RAISE(ABORT, 'the erasure journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS erasures_append_only_delete BEFORE DELETE ON erasures
BEGIN SELECT RAISE(ABORT, 'the erasure journal is append-only'); END;
`

// Options tune a store; the zero value is usable.
type Options struct {
	// Now is the clock of saved_at and erased_at (time.Now when nil).
	Now func() time.Time
}

// Store is an open note store. Its methods are safe for concurrent use, also by several processes (a server
// and the command line): writes are SQLite transactions that wait for each other.
type Store struct {
	db   *sql.DB
	path string
	now  func() time.Time
}

// Open opens (creating if needed) the note store in dir.
func Open(dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("note store directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// secure_delete zeroes deleted content; the rollback journal (DELETE mode) is removed at each commit, so no
	// file keeps an old page after a transaction; synchronous FULL makes a commit durable.
	dsn := "file:" + path + "?_journal_mode=DELETE&_synchronous=FULL&_secure_delete=on&_busy_timeout=60000&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open note store %s: %w", path, err)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open note store %s: create tables: %w", path, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, path: path, now: now}, nil
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Hash is a note's identity: the lower-case hex SHA-256 of its exact UTF-8 bytes, as events carry it in
// note_sha256.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// stamp formats a time as the store keeps it.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseStamp reads a time the store wrote.
func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s) // written by stamp
	return t
}

// inTx runs fn in one immediate transaction, committed when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("note store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("note store: commit: %w", err)
	}
	return nil
}
