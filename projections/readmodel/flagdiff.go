package readmodel

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// A catch-up writes an owner again whole: its contribution is subtracted and added again. Its flags are not:
// a post usually adds a flag or two to a worker's, or changes one's evidence, and leaves the others as they
// are stored, each with a row in flag_scopes for every scope of its owner (some six to ten). So a catch-up
// compares the owner's flags with those stored, by key, and writes only the difference: the rows of flags
// that changed, the scope rows of flags whose key is new, and deletes those of flags gone.

// storedFlag is a flag's row as a catch-up reads it before writing its owner again: its key, its code and time
// (for the counts), and the rest of its columns, to tell whether the flag written again changed. Its clocked
// column is not read: its code decides it.
type storedFlag struct {
	k                []byte // bound as a blob, as the tables hold it
	code             string
	raisedS          int64
	raisedN          int
	jobOrder         string
	buyers, eventIDs sql.NullString
	rules            sql.NullInt64
	rest             string
}

// storedFlagCols are storedFlag's columns, in its order after the owner's id where a read selects it.
const storedFlagCols = "k, code, raised_s, raised_n, job_order_id, buyer_ids, event_ids, rules, rest"

// scan reads a flag's columns (storedFlagCols) after those of dest.
func (f *storedFlag) scan(rows *sql.Rows, dest ...any) error {
	return rows.Scan(append(dest, &f.k, &f.code, &f.raisedS, &f.raisedN, &f.jobOrder, &f.buyers, &f.eventIDs, &f.rules,
		&f.rest)...)
}

func (f storedFlag) clocked() bool { return projections.Clocked(domain.Flag{Code: f.code}) }

// storedFlags reads an owner's flags (those the condition where selects, of id).
func (w *writer) storedFlags(ctx context.Context, where, id string) ([]storedFlag, error) {
	rows, err := w.query(ctx, "SELECT "+storedFlagCols+" FROM flags WHERE "+where, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedFlag
	for rows.Next() {
		var f storedFlag
		if err := f.scan(rows); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// staleFlags are an owner's flags as stored before a catch-up writes it again, the scopes their rows of
// flag_scopes are in, and the condition on flags that selected them (where, of id).
type staleFlags struct {
	flags     []storedFlag
	scopes    []string
	where, id string
}

// flagKept says what of a flag written again is stored already.
type flagKept uint8

const (
	keptNothing flagKept = iota // a new key: its row and its scope rows are written
	keptScopes                  // its key stored, its row changed: the row is written again, not its scope rows
	keptRow                     // stored as it is, with its scope rows: nothing is written
)

// dropStale deletes what an owner's stale flags hold that its flags (encoded, to be written with scopes) do
// not, and says of each flag what is stored already (nil: nothing). A flag whose key is stored keeps its scope
// rows when the owner's scopes did not change; its row stays too when it is the one written. Every other stale
// flag is deleted with its scope rows. An owner whose scopes changed has every stale flag deleted.
func (w *writer) dropStale(ctx context.Context, owner string, stale *staleFlags, flags []encodedFlag, scopes []string) ([]flagKept, error) {
	if stale == nil || len(stale.flags) == 0 {
		return nil, nil
	}
	if !slices.Equal(stale.scopes, scopes) {
		if err := w.forgetScopes(ctx, stale.flags, stale.scopes, stale.where, stale.id); err != nil {
			return nil, fmt.Errorf("delete flag scopes of %s: %w", owner, err)
		}
		if _, err := w.exec(ctx, "DELETE FROM flags WHERE "+stale.where, stale.id); err != nil {
			return nil, fmt.Errorf("delete flags of %s: %w", owner, err)
		}
		return nil, nil
	}
	kept := make([]flagKept, len(flags))
	rewritten := make([]flagKept, len(stale.flags)) // what of each stale flag a flag written keeps
	for i, e := range flags {
		j := slices.IndexFunc(stale.flags, func(s storedFlag) bool { return bytes.Equal(s.k, e.k) })
		if j < 0 {
			continue
		}
		same, err := w.storedAs(ctx, e, stale.flags[j])
		if err != nil {
			return nil, fmt.Errorf("write flag %s of %s: %w", e.f.Code, owner, err)
		}
		kept[i] = keptScopes
		if same {
			kept[i] = keptRow
		}
		rewritten[j] = kept[i]
	}
	for j, s := range stale.flags {
		if rewritten[j] == keptRow {
			continue
		}
		if rewritten[j] == keptNothing && len(scopes) > 0 {
			if _, err := w.exec(ctx, forgetFlagScopesSQL, jsonList(scopes), s.k); err != nil {
				return nil, fmt.Errorf("delete flag scopes of %s: %w", owner, err)
			}
		}
		if _, err := w.exec(ctx, "DELETE FROM flags WHERE k = ?", s.k); err != nil {
			return nil, fmt.Errorf("delete flag %s of %s: %w", s.code, owner, err)
		}
	}
	return kept, nil
}

// forgetFlagScopesSQL deletes a flag's rows of flag_scopes (its key ?2) in the scopes a JSON array (?1) names.
const forgetFlagScopesSQL = `DELETE FROM flag_scopes
	WHERE scope IN (SELECT id FROM scopes WHERE name IN (SELECT value FROM json_each(?1))) AND k = ?2`

// storedAs reports whether a flag's row (flagRow's) is s, column by column; its key and clocked are s's.
func (w *writer) storedAs(ctx context.Context, e encodedFlag, s storedFlag) (bool, error) {
	f, r := e.f, e.row
	at := f.RaisedAt.UTC()
	if s.code != f.Code || s.jobOrder != f.JobOrderID || s.raisedS != at.Unix() || s.raisedN != at.Nanosecond() {
		return false, nil
	}
	if r.whole {
		return !s.buyers.Valid && !s.eventIDs.Valid && !s.rules.Valid && s.rest == r.rest, nil
	}
	if s.buyers != (sql.NullString{String: r.buyers, Valid: true}) || s.eventIDs != (sql.NullString{String: r.eventIDs, Valid: true}) {
		return false, nil
	}
	if r.rules == "" {
		return !s.rules.Valid && s.rest == r.rest, nil
	}
	id, err := w.rulesID(ctx, r.rules)
	if err != nil || !s.rules.Valid || s.rules.Int64 != id {
		return false, err
	}
	return s.rest == r.stored(id), nil
}
