package notes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrDamaged: a note's text does not hash to the hash it is stored under.
var ErrDamaged = errors.New("note store damaged")

// CopyReport counts what Copy added to the destination.
type CopyReport struct {
	// Links are the (worker, note) pairs added; Notes the texts among them not held before.
	Links, Notes int
	// Erasures are the journal rows added, each applied to the destination's notes.
	Erasures int
	// Refused are the source's notes not copied because the destination's journal erased them.
	Refused int
}

// Copy copies the note store src into dst, for moving a store between backends: the source's erasure journal
// first (each row not yet in the destination is applied there, then journaled with its own time, who and
// why), then every note a worker links to, with its saved_at, unless the destination erased it. It is one
// transaction of the destination, all or nothing, and can be run again: rows already there are skipped.
// Every text is checked against its hash; a mismatch is ErrDamaged and nothing is copied.
func Copy(ctx context.Context, src, dst *Store) (CopyReport, error) {
	var rep CopyReport
	err := dst.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if rep.Erasures, err = copyErasures(ctx, src, tx); err != nil {
			return err
		}
		return copyLinks(ctx, src, tx, &rep)
	})
	if err != nil {
		return CopyReport{}, err
	}
	if rep.Erasures > 0 {
		return rep, dst.compact(ctx)
	}
	return rep, nil
}

// copyErasures applies and journals the source's erasures that the destination's journal lacks.
func copyErasures(ctx context.Context, src *Store, tx *sql.Tx) (int, error) {
	rows, err := src.db.QueryContext(ctx, `SELECT sha256, worker_id, scope, text_removed, erased_at, erased_by, reason
		FROM erasures ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("note store: read the source's erasures: %w", err)
	}
	defer rows.Close()
	added := 0
	for rows.Next() {
		var e Erasure
		var at string
		if err := rows.Scan(&e.SHA256, &e.Worker, &e.Scope, &e.TextRemoved, &at, &e.ErasedBy, &e.Reason); err != nil {
			return 0, fmt.Errorf("note store: read the source's erasures: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM erasures WHERE sha256 = ? AND worker_id = ? AND scope = ?
			AND text_removed = ? AND erased_at = ? AND erased_by = ? AND reason = ?`,
			e.SHA256, e.Worker, e.Scope, e.TextRemoved, at, e.ErasedBy, e.Reason).Scan(&n); err != nil {
			return 0, fmt.Errorf("note store: read erasures: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := applyErasure(ctx, tx, e); err != nil {
			return 0, err
		}
		e.ErasedAt = parseStamp(at)
		if err := journal(ctx, tx, &e); err != nil {
			return 0, err
		}
		added++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("note store: read the source's erasures: %w", err)
	}
	return added, nil
}

// applyErasure removes what an erasure of another store removed there: the note for every worker (scope
// note), or the worker's link and the text if no other worker keeps it (scope worker).
func applyErasure(ctx context.Context, tx *sql.Tx, e Erasure) error {
	switch e.Scope {
	case ScopeNote:
		return deleteNote(ctx, tx, e.SHA256)
	case ScopeWorker:
		return unlinkWorker(ctx, tx, e.Worker, e.SHA256)
	}
	return fmt.Errorf("%w: the source's erasure journal has scope %q for note %s", ErrDamaged, e.Scope, e.SHA256)
}

// copyLinks copies every (worker, note) of the source that the destination has not erased.
func copyLinks(ctx context.Context, src *Store, tx *sql.Tx, rep *CopyReport) error {
	rows, err := src.db.QueryContext(ctx, `SELECT l.worker_id, l.sha256, l.saved_at, n.text, n.saved_at
		FROM links l JOIN notes n ON n.sha256 = l.sha256 ORDER BY l.sha256, l.worker_id`)
	if err != nil {
		return fmt.Errorf("note store: read the source's notes: %w", err)
	}
	defer rows.Close()
	st, err := prepare(ctx, tx)
	if err != nil {
		return err
	}
	defer st.close()
	for rows.Next() {
		var worker, hash, linkAt, noteAt string
		var text []byte
		if err := rows.Scan(&worker, &hash, &linkAt, &text, &noteAt); err != nil {
			return fmt.Errorf("note store: read the source's notes: %w", err)
		}
		if Hash(string(text)) != hash {
			return fmt.Errorf("%w: the source's note %s does not hash to its name", ErrDamaged, hash)
		}
		if err := copyLink(ctx, st, worker, hash, linkAt, text, noteAt, rep); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("note store: read the source's notes: %w", err)
	}
	return nil
}

// copyLink saves one worker's note with the source's times, unless the destination erased it.
func copyLink(ctx context.Context, st *putStmts, worker, hash, linkAt string, text []byte, noteAt string, rep *CopyReport) error {
	var n int
	if err := st.erased.QueryRowContext(ctx, hash, worker).Scan(&n); err != nil {
		return fmt.Errorf("note store: read erasures: %w", err)
	}
	if n > 0 {
		rep.Refused++
		return nil
	}
	res, err := st.note.ExecContext(ctx, hash, text, noteAt)
	if err != nil {
		return fmt.Errorf("note store: save note: %w", err)
	}
	if k, err := res.RowsAffected(); err == nil && k > 0 {
		rep.Notes++
	}
	if res, err = st.link.ExecContext(ctx, worker, hash, linkAt); err != nil {
		return fmt.Errorf("note store: save note's worker: %w", err)
	}
	if k, err := res.RowsAffected(); err == nil && k > 0 {
		rep.Links++
	}
	return nil
}
