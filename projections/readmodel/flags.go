package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// Access is who reads a listing, in the flag index's terms: the caller's scope is an input of the query, so
// that a small tenant's listing seeks within its own part of the index.
type Access struct {
	// Scopes admit a flag listed under any of them ("buyer:ID", "employer:ID", "agency:ID"); none admits
	// every flag.
	Scopes []string
	// Engaged names an agency reading through its "agency:" scope: a job order's own flags listed there are
	// read only where the agency is engaged on the job order (its chain), not where it only paid on it.
	Engaged string
}

// FlagSeek is the part of a listing to read: with After (or nothing), the flags after key After (nil: from
// the first); with Before, the flags before it, read backwards. Limit bounds them (0: all).
type FlagSeek struct {
	After  []byte
	Before []byte
	Limit  int
	Access Access
}

// Flags calls fn, in listing order (in reverse with seek.Before), with each flag the query selects at clock
// and the seek's access admits: its key and its JSON (as `fairtrail flags --format json` prints it,
// compact). A scoped query (buyer, employer, agency, or the access's scope) seeks within that scope's index,
// a worker's or a job order's within theirs, so a page costs the same wherever it is; an access of several
// scopes merges their seeks. fn's error stops the listing and is returned.
func (m *Model) Flags(ctx context.Context, q projections.FlagQuery, clock time.Time, seek FlagSeek,
	fn func(key []byte, flag string) error) error {
	access := seek.Access.Scopes
	if len(access) == 0 {
		access = []string{""}
	}
	cursors := make([]*sql.Rows, 0, len(access))
	defer func() {
		for _, c := range cursors {
			c.Close()
		}
	}()
	// The rows are read under a context without cancellation, and ctx is checked between them (merge): the
	// driver answers each row of a cancellable context in a goroutine of its own, which cost a listing of
	// every flag more than SQLite's step.
	detached := context.WithoutCancel(ctx)
	for _, sc := range access {
		text, args := flagSQL(q, clock, seek, sc, flagReadCols)
		rows, err := m.stmts.query(detached, m.db, text, args...)
		if err != nil {
			return fmt.Errorf("read model: list flags: %w", err)
		}
		cursors = append(cursors, rows)
	}
	if err := merge(ctx, cursors, seek, &flagRules{ctx: ctx, db: m.db, stmts: &m.stmts}, fn); err != nil {
		return fmt.Errorf("read model: list flags: %w", err)
	}
	return nil
}

// merge calls fn with the rows of the cursors (each in the seek's order) in that order, once per key, up to
// the seek's limit, and stops with ctx's error once ctx is done.
func merge(ctx context.Context, cursors []*sql.Rows, seek FlagSeek, rules *flagRules, fn func(key []byte, flag string) error) error {
	type head struct {
		k    []byte
		body string
	}
	heads := make([]*head, len(cursors))
	next := func(i int) error {
		heads[i] = nil
		if !cursors[i].Next() {
			return cursors[i].Err()
		}
		h := &head{}
		heads[i] = h
		var err error
		h.k, h.body, err = scanFlag(cursors[i], rules)
		return err
	}
	for i := range cursors {
		if err := next(i); err != nil {
			return err
		}
	}
	sign := 1
	if seek.Before != nil {
		sign = -1
	}
	var last []byte
	for n := 0; seek.Limit == 0 || n < seek.Limit; {
		if err := ctx.Err(); err != nil {
			return err
		}
		best := -1
		for i, h := range heads {
			if h != nil && (best < 0 || sign*slices.Compare(h.k, heads[best].k) < 0) {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		h := heads[best]
		if last == nil || !slices.Equal(last, h.k) {
			if err := fn(h.k, h.body); err != nil {
				return err
			}
			last, n = h.k, n+1
		}
		if err := next(best); err != nil {
			return err
		}
	}
	return nil
}

// flagReadCols are what scanFlag reads of a flag: its key, and its other columns joined in one text, each
// after a unit separator (U+001F, which neither an id nor a JSON text holds raw). Each column read costs a
// listing a few crossings from Go to C, which for ten columns cost more than SQLite's step.
const flagReadCols = `f.k, char(31) || f.code || char(31) || f.worker_id || char(31) || f.job_order_id || char(31) ||
	ifnull(f.buyer_ids, '') || char(31) || ifnull(f.event_ids, '') || char(31) || f.raised_s || char(31) ||
	f.raised_n || char(31) || ifnull(f.rules, '') || char(31) || f.rest`

// errFlagRow reports a row of flagReadCols that does not have their shape.
var errFlagRow = errors.New("flag row not of the listing's shape")

// scanFlag reads a flag's key and JSON from a row of flagReadCols.
func scanFlag(rows *sql.Rows, rules *flagRules) ([]byte, string, error) {
	var k []byte
	var joined string
	if err := rows.Scan(&k, &joined); err != nil {
		return nil, "", err
	}
	var col [9]string // code, worker, job order, buyers, events, raised_s, raised_n, rules, rest
	rest, ok := joined, true
	for i := range col[:8] {
		if rest, ok = strings.CutPrefix(rest, "\x1f"); !ok {
			return nil, "", fmt.Errorf("%w: key %x", errFlagRow, k)
		}
		end := strings.IndexByte(rest, 0x1f)
		if end < 0 {
			return nil, "", fmt.Errorf("%w: key %x", errFlagRow, k)
		}
		col[i], rest = rest[:end], rest[end:]
	}
	col[8] = strings.TrimPrefix(rest, "\x1f")
	s, errS := strconv.ParseInt(col[5], 10, 64)
	n, errN := strconv.Atoi(col[6])
	if err := errors.Join(errS, errN); err != nil {
		return nil, "", fmt.Errorf("%w: key %x: raised_at: %w", errFlagRow, k, err)
	}
	var text string
	referenced := col[7] != ""
	if referenced {
		id, err := strconv.ParseInt(col[7], 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("%w: key %x: rules: %w", errFlagRow, k, err)
		}
		if text, err = rules.get(id); err != nil {
			return nil, "", err
		}
	}
	body, err := joinFlag(col[0], col[1], col[2], col[3], col[4], s, n, col[8], text, referenced)
	return k, body, err
}

// flagSQL is the query of a listing read through one access scope (""; none), selecting cols. It seeks in
// the narrowest index the query names: a worker's or a job order's flags, else a scope's (an employer's
// before an agency's before a buyer's), else the whole index; the other scopes are checked per flag.
func flagSQL(q projections.FlagQuery, clock time.Time, seek FlagSeek, access, cols string) (string, []any) {
	var where []string
	var args []any
	cond := func(c string, a ...any) { where = append(where, c); args = append(args, a...) }
	scopes := scopeNames(nonEmpty(q.BuyerID), q.EmployerID, nonEmpty(q.AgencyID))
	if access != "" && !slices.Contains(scopes, access) {
		scopes = append(scopes, access)
	}
	from, order := "flags f", "f.k"
	if q.WorkerID == "" && q.JobOrderID == "" && len(scopes) > 0 {
		slices.SortStableFunc(scopes, func(a, b string) int { return scopeRank(a) - scopeRank(b) })
		from, order = "flag_scopes s JOIN flags f ON f.k = s.k", "s.k"
		cond("s.scope = "+scopeIDSQL, scopes[0])
		scopes = scopes[1:]
	}
	for _, sc := range scopes {
		cond("EXISTS (SELECT 1 FROM flag_scopes x WHERE x.scope = "+scopeIDSQL+" AND x.k = f.k)", sc)
	}
	if q.WorkerID != "" {
		cond("f.worker_id = ?", q.WorkerID)
	}
	if q.JobOrderID != "" {
		cond("f.job_order_id = ?", q.JobOrderID)
	}
	if q.Code != "" {
		cond("substr(f.code, 1, ?) = ?", len(q.Code), q.Code)
	}
	if seek.Access.Engaged != "" {
		cond("(f.worker_id <> '' OR "+engagedSQL+")", seek.Access.Engaged)
	}
	c := clock.UTC()
	cond("(f.clocked = 0 OR f.raised_s < ? OR (f.raised_s = ? AND f.raised_n < ?))", c.Unix(), c.Unix(), c.Nanosecond())
	dir := ""
	switch {
	case seek.Before != nil:
		cond(order+" < ?", seek.Before)
		dir = " DESC"
	case seek.After != nil:
		cond(order+" > ?", seek.After)
	}
	text := "SELECT " + cols + " FROM " + from + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + dir
	if seek.Limit > 0 {
		text += " LIMIT ?" // an argument: the text, and so its prepared statement, is the same for every page size
		args = append(args, seek.Limit)
	}
	return text, args
}

// engagedSQL holds for a job order's flag (f) when the agency (its argument) is engaged on the job order:
// the job order's contribution names its chain's agencies.
const engagedSQL = `EXISTS (SELECT 1 FROM job_orders j, json_each(j.contribution, '$.agencies') a
	WHERE j.job_order_id = f.job_order_id AND a.value = ?)`

// scopeRank orders scopes by how few flags they usually hold: an employer's, then an agency's, then a buyer's.
func scopeRank(scope string) int {
	switch {
	case strings.HasPrefix(scope, "employer:"):
		return 0
	case strings.HasPrefix(scope, "agency:"):
		return 1
	}
	return 2
}
