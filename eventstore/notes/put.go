package notes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Entry is a note to save: its text, and the worker whose event carries it.
type Entry struct {
	Worker string
	Text   string
}

// Link is a note saved for a worker: the worker and the note's hash.
type Link struct {
	Worker string
	SHA256 string
}

// Saved is the outcome of PutAll.
type Saved struct {
	// Hashes is each entry's hash, in order.
	Hashes []string
	// Added are the links the call created (not those there before), to Discard if the events that carry
	// them are not stored after all.
	Added []Link
	// Erased lists the entries not saved because the note was erased before (for that worker, or by its hash),
	// by index.
	Erased []int
}

// Put saves a note for a worker and returns its hash. Saving the same text again is harmless. Errors:
// domain.ErrInvalid (the text or worker id is bad: see Validate), ErrErased (the note was erased and is not
// saved again).
func (s *Store) Put(ctx context.Context, worker, text string) (string, error) {
	saved, err := s.PutAll(ctx, []Entry{{Worker: worker, Text: text}})
	if err != nil {
		return "", err
	}
	if len(saved.Erased) > 0 {
		return saved.Hashes[0], fmt.Errorf("note %s of worker %s: %w; it is not saved again", saved.Hashes[0], worker, ErrErased)
	}
	return saved.Hashes[0], nil
}

// PutAll saves many notes in one durable transaction: all or, on error, none. Every entry is validated first
// (the error names the first bad one by index and matches domain.ErrInvalid). An entry whose note was erased
// is skipped and listed in Saved.Erased.
func (s *Store) PutAll(ctx context.Context, entries []Entry) (Saved, error) {
	saved := Saved{Hashes: make([]string, len(entries))}
	for i, e := range entries {
		if err := checkWorker(e.Worker); err != nil {
			return Saved{}, fmt.Errorf("note %d: %w", i, err)
		}
		if err := Validate(e.Text); err != nil {
			return Saved{}, fmt.Errorf("note %d: %w", i, err)
		}
		saved.Hashes[i] = Hash(e.Text)
	}
	at := stamp(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := prepare(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		for i, e := range entries {
			added, erased, err := st.put(ctx, e, saved.Hashes[i], at)
			if err != nil {
				return err
			}
			if erased {
				saved.Erased = append(saved.Erased, i)
			}
			if added {
				saved.Added = append(saved.Added, Link{Worker: e.Worker, SHA256: saved.Hashes[i]})
			}
		}
		return nil
	})
	if err != nil {
		return Saved{}, err
	}
	return saved, nil
}

// putStmts are a transaction's statements for saving notes, prepared once for many notes.
type putStmts struct {
	erased, note, link *sql.Stmt
}

func prepare(ctx context.Context, tx *sql.Tx) (*putStmts, error) {
	var st putStmts
	var err error
	for _, p := range []struct {
		s **sql.Stmt
		q string
	}{
		{&st.erased, `SELECT count(*) FROM erasures WHERE sha256 = ? AND (scope = 'note' OR worker_id = ?)`},
		{&st.note, `INSERT OR IGNORE INTO notes (sha256, text, saved_at) VALUES (?, ?, ?)`},
		{&st.link, `INSERT OR IGNORE INTO links (worker_id, sha256, saved_at) VALUES (?, ?, ?)`},
	} {
		if *p.s, err = tx.PrepareContext(ctx, p.q); err != nil {
			st.close()
			return nil, fmt.Errorf("note store: prepare: %w", err)
		}
	}
	return &st, nil
}

func (st *putStmts) close() {
	for _, s := range []*sql.Stmt{st.erased, st.note, st.link} {
		if s != nil {
			s.Close()
		}
	}
}

// put saves one note: the text (once per hash) and its link to the worker, unless it was erased.
func (st *putStmts) put(ctx context.Context, e Entry, hash, at string) (added, erased bool, err error) {
	var n int
	if err := st.erased.QueryRowContext(ctx, hash, e.Worker).Scan(&n); err != nil {
		return false, false, fmt.Errorf("note store: read erasures: %w", err)
	}
	if n > 0 {
		return false, true, nil
	}
	if _, err := st.note.ExecContext(ctx, hash, []byte(e.Text), at); err != nil {
		return false, false, fmt.Errorf("note store: save note: %w", err)
	}
	res, err := st.link.ExecContext(ctx, e.Worker, hash, at)
	if err != nil {
		return false, false, fmt.Errorf("note store: save note's worker: %w", err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return false, false, fmt.Errorf("note store: save note's worker: %w", err)
	}
	return rows > 0, false, nil
}

// Discard takes back links that PutAll added for events that were then not stored: each link is removed, and a
// note left with no worker is deleted (its bytes overwritten). Nothing is journaled: the note was never
// recorded by an event.
func (s *Store) Discard(ctx context.Context, links []Link) error {
	if len(links) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, l := range links {
			if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE worker_id = ? AND sha256 = ?`, l.Worker, l.SHA256); err != nil {
				return fmt.Errorf("note store: discard note's worker: %w", err)
			}
			if err := dropUnlinked(ctx, tx, l.SHA256); err != nil {
				return err
			}
		}
		return nil
	})
}

// dropUnlinked deletes a note no worker links to any more.
func dropUnlinked(ctx context.Context, tx *sql.Tx, hash string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM notes WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM links WHERE sha256 = ?)`, hash, hash)
	if err != nil {
		return fmt.Errorf("note store: delete note: %w", err)
	}
	return nil
}

// errNoRows reports whether err is the "no row" of a single-row query.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
