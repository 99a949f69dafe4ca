package notes

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Note is a stored note.
type Note struct {
	SHA256  string    `json:"note_sha256"`
	Text    string    `json:"text"`
	Workers []string  `json:"worker_ids"`
	SavedAt time.Time `json:"saved_at"`
}

// Summary describes a worker's note without its text.
type Summary struct {
	SHA256  string    `json:"note_sha256"`
	Bytes   int       `json:"bytes"`
	SavedAt time.Time `json:"saved_at"`
}

// Get returns the note with hash h. Errors: ErrNotFound (never stored, or h is not a hash), ErrErased (the
// note was erased by its hash, or for every worker it belonged to).
func (s *Store) Get(ctx context.Context, h string) (Note, error) {
	if !ValidHash(h) {
		return Note{}, fmt.Errorf("note %q: %w", h, ErrNotFound)
	}
	var n Note
	var text []byte
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT text, saved_at FROM notes WHERE sha256 = ?`, h).Scan(&text, &at)
	if errNoRows(err) {
		return Note{}, missing(ctx, s.db, h)
	}
	if err != nil {
		return Note{}, fmt.Errorf("note store: read note %s: %w", h, err)
	}
	n.SHA256, n.Text, n.SavedAt = h, string(text), parseStamp(at)
	if n.Workers, err = s.Workers(ctx, h); err != nil {
		return Note{}, err
	}
	return n, nil
}

// missing says why a note is not stored: erased, or never seen.
func missing(ctx context.Context, q rowQueryer, h string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM erasures WHERE sha256 = ?`, h).Scan(&n); err != nil {
		return fmt.Errorf("note store: read erasures: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("note %s: %w", h, ErrErased)
	}
	return fmt.Errorf("note %s: %w", h, ErrNotFound)
}

// Workers lists the workers a note belongs to, in order; none for a note not stored.
func (s *Store) Workers(ctx context.Context, h string) ([]string, error) {
	return s.strings(ctx, `SELECT worker_id FROM links WHERE sha256 = ? ORDER BY worker_id`, h)
}

// List describes a worker's notes, oldest first.
func (s *Store) List(ctx context.Context, worker string) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.sha256, length(n.text), l.saved_at FROM links l
		JOIN notes n ON n.sha256 = l.sha256 WHERE l.worker_id = ? ORDER BY l.saved_at, l.sha256`, worker)
	if err != nil {
		return nil, fmt.Errorf("note store: list notes of %s: %w", worker, err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var sum Summary
		var at string
		if err := rows.Scan(&sum.SHA256, &sum.Bytes, &at); err != nil {
			return nil, fmt.Errorf("note store: list notes of %s: %w", worker, err)
		}
		sum.SavedAt = parseStamp(at)
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("note store: list notes of %s: %w", worker, err)
	}
	return out, nil
}

// Counts are the store's totals.
type Counts struct {
	Notes    int `json:"notes"`
	Workers  int `json:"workers"`
	Erasures int `json:"erasures"`
}

// Count returns the store's totals.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM notes), (SELECT count(DISTINCT worker_id) FROM links),
		(SELECT count(*) FROM erasures)`).Scan(&c.Notes, &c.Workers, &c.Erasures)
	if err != nil {
		return c, fmt.Errorf("note store: count: %w", err)
	}
	return c, nil
}

// strings runs a query of one text column.
func (s *Store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	return queryStrings(ctx, s.db, q, args...)
}

type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryStrings(ctx context.Context, db queryer, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("note store: query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("note store: query: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("note store: query: %w", err)
	}
	return out, nil
}
