package notes

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Scopes of an erasure: one note by its hash, or a worker's notes.
const (
	ScopeNote   = "note"
	ScopeWorker = "worker"
)

// Erasure is one row of the erasure journal: a note erased for a worker.
type Erasure struct {
	Seq    int64  `json:"seq"`
	SHA256 string `json:"note_sha256"`
	// Worker is the worker the note was erased for ("" for a note that belonged to none).
	Worker string `json:"worker_id"`
	// Scope is ScopeNote (erased by its hash, for every worker) or ScopeWorker (erased for this worker).
	Scope string `json:"scope"`
	// TextRemoved is false when a worker's erasure left the text, because it is also another worker's note.
	TextRemoved bool      `json:"text_removed"`
	ErasedAt    time.Time `json:"erased_at"`
	ErasedBy    string    `json:"erased_by"`
	Reason      string    `json:"reason"`
}

// Request says who erases and why; both are journaled. By is required (an operator's name, an API key's
// organisation); Reason is free text of at most 1000 bytes (a worker's request, a court order's reference).
type Request struct {
	By     string
	Reason string
}

func (r Request) check() error {
	switch {
	case strings.TrimSpace(r.By) == "":
		return fmt.Errorf("%w: who erases is required", domain.ErrInvalid)
	case len(r.By) > 200 || len(r.Reason) > 1000:
		return fmt.Errorf("%w: who erases is at most 200 bytes, the reason at most 1000", domain.ErrInvalid)
	case strings.ContainsFunc(r.By+r.Reason, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%w: who erases and the reason hold a control character", domain.ErrInvalid)
	}
	return nil
}

// EraseNote erases the note with hash h for every worker it belongs to, and journals it. Errors: ErrNotFound,
// ErrErased (already erased), domain.ErrInvalid (a bad request).
func (s *Store) EraseNote(ctx context.Context, h string, req Request) ([]Erasure, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	if !ValidHash(h) {
		return nil, fmt.Errorf("%w: %q is not a note hash (64 lower-case hex digits)", domain.ErrInvalid, h)
	}
	var out []Erasure
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notes WHERE sha256 = ?`, h).Scan(&n); err != nil {
			return fmt.Errorf("note store: read note: %w", err)
		}
		if n == 0 {
			return missing(ctx, tx, h)
		}
		workers, err := queryStrings(ctx, tx, `SELECT worker_id FROM links WHERE sha256 = ? ORDER BY worker_id`, h)
		if err != nil {
			return err
		}
		if len(workers) == 0 {
			workers = []string{""}
		}
		if err := deleteNote(ctx, tx, h); err != nil {
			return err
		}
		at := s.now()
		for _, w := range workers {
			e := Erasure{SHA256: h, Worker: w, Scope: ScopeNote, TextRemoved: true, ErasedAt: at, ErasedBy: req.By, Reason: req.Reason}
			if err := journal(ctx, tx, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, s.compact(ctx)
}

// EraseWorker erases every note of a worker and journals each. A note that is also another worker's (the same
// text) stays theirs: it is unlinked from this worker, and its journal row says the text was not removed.
// A worker with no notes erases nothing and returns none.
func (s *Store) EraseWorker(ctx context.Context, worker string, req Request) ([]Erasure, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	if err := checkWorker(worker); err != nil {
		return nil, err
	}
	var out []Erasure
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		hashes, err := queryStrings(ctx, tx, `SELECT sha256 FROM links WHERE worker_id = ? ORDER BY saved_at, sha256`, worker)
		if err != nil {
			return err
		}
		at := s.now()
		for _, h := range hashes {
			if err := unlinkWorker(ctx, tx, worker, h); err != nil {
				return err
			}
			var left int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notes WHERE sha256 = ?`, h).Scan(&left); err != nil {
				return fmt.Errorf("note store: read note: %w", err)
			}
			e := Erasure{SHA256: h, Worker: worker, Scope: ScopeWorker, TextRemoved: left == 0, ErasedAt: at,
				ErasedBy: req.By, Reason: req.Reason}
			if err := journal(ctx, tx, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	return out, s.compact(ctx)
}

// deleteNote removes the note with hash h for every worker (an erasure of scope note).
func deleteNote(ctx context.Context, tx *sql.Tx, h string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE sha256 = ?`, h); err != nil {
		return fmt.Errorf("note store: erase note's workers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM notes WHERE sha256 = ?`, h); err != nil {
		return fmt.Errorf("note store: erase note: %w", err)
	}
	return nil
}

// unlinkWorker removes a worker's link to the note with hash h, and the text if no other worker keeps it (an
// erasure of scope worker).
func unlinkWorker(ctx context.Context, tx *sql.Tx, worker, h string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE worker_id = ? AND sha256 = ?`, worker, h); err != nil {
		return fmt.Errorf("note store: erase note's worker: %w", err)
	}
	return dropUnlinked(ctx, tx, h)
}

// journal appends an erasure to the journal and sets its sequence number.
func journal(ctx context.Context, tx *sql.Tx, e *Erasure) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO erasures (sha256, worker_id, scope, text_removed, erased_at, erased_by, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.SHA256, e.Worker, e.Scope, e.TextRemoved, stamp(e.ErasedAt), e.ErasedBy, e.Reason)
	if err != nil {
		return fmt.Errorf("note store: journal erasure: %w", err)
	}
	e.Seq, err = res.LastInsertId()
	if err != nil {
		return fmt.Errorf("note store: journal erasure: %w", err)
	}
	return nil
}

// compact rewrites the file (VACUUM), so that no free page or moved cell keeps a copy of erased text.
func (s *Store) compact(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("note store: erased, but rewriting the file failed (run the erasure again to retry): %w", err)
	}
	return nil
}

// Erasures lists the erasure journal in order; with worker set, only that worker's rows.
func (s *Store) Erasures(ctx context.Context, worker string) ([]Erasure, error) {
	q := `SELECT seq, sha256, worker_id, scope, text_removed, erased_at, erased_by, reason FROM erasures`
	var args []any
	if worker != "" {
		q += ` WHERE worker_id = ?`
		args = append(args, worker)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("note store: read erasures: %w", err)
	}
	defer rows.Close()
	var out []Erasure
	for rows.Next() {
		var e Erasure
		var at string
		if err := rows.Scan(&e.Seq, &e.SHA256, &e.Worker, &e.Scope, &e.TextRemoved, &at, &e.ErasedBy, &e.Reason); err != nil {
			return nil, fmt.Errorf("note store: read erasures: %w", err)
		}
		e.ErasedAt = parseStamp(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("note store: read erasures: %w", err)
	}
	return out, nil
}
