package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
	// bound, when set, is a key past every flag the listing can list (see listableBefore).
	bound []byte
}

// Flags calls fn, in listing order (in reverse with seek.Before), with each flag the query selects at clock
// and the seek's access admits: its key and its JSON (as `fairtrail flags --format json` prints it,
// compact). It is ListFlags with each flag's JSON put together.
func (m *Model) Flags(ctx context.Context, q projections.FlagQuery, clock time.Time, seek FlagSeek,
	fn func(key []byte, flag string) error) error {
	return m.ListFlags(ctx, q, clock, seek, func(l *IndexedFlag) error { return fn(l.Key, l.JSON()) })
}

// ListFlags calls fn, in listing order (in reverse with seek.Before), with each flag the query selects at
// clock and the seek's access admits, as its row holds it. A scoped query (buyer, employer, agency, or the
// access's scope) seeks within that scope's index, a worker's or a job order's within theirs, so a page costs
// the same wherever it is; an access of several scopes merges their seeks. fn's error stops the listing and is
// returned; fn may keep the IndexedFlag's value, not the pointer.
func (m *Model) ListFlags(ctx context.Context, q projections.FlagQuery, clock time.Time, seek FlagSeek,
	fn func(*IndexedFlag) error) error {
	access := seek.Access.Scopes
	if len(access) == 0 {
		access = []string{""}
	}
	sources := make([]flagSource, 0, len(access))
	defer func() {
		for _, src := range sources {
			src.close()
		}
	}()
	// The rows are read under a context without cancellation, and ctx is checked between them (merge): the
	// driver answers each row of a cancellable context in a goroutine of its own, which cost a listing of
	// every flag more than SQLite's step.
	detached := context.WithoutCancel(ctx)
	if q.WorkerID == "" { // a worker's flags are a few rows of flags_worker: no bound is needed
		bound, err := m.listableBefore(detached, clock)
		if err != nil {
			return fmt.Errorf("read model: list flags: %w", err)
		}
		seek.bound = bound
	}
	// The numbering of the rules arrays, read before the flags that reference them.
	numbering, kept, keeps, err := m.rulesNumbering(detached)
	if err != nil {
		return fmt.Errorf("read model: list flags: %w", err)
	}
	rules := &flagRules{ctx: ctx, db: m.db, stmts: &m.stmts, kept: kept}
	for _, sc := range access {
		src, err := m.flagSource(detached, q, clock, seek, sc, rules)
		if err != nil {
			return fmt.Errorf("read model: list flags: %w", err)
		}
		sources = append(sources, src)
	}
	if err := merge(ctx, sources, seek, fn); err != nil {
		return fmt.Errorf("read model: list flags: %w", err)
	}
	if keeps {
		m.keepRules(numbering, rules.kept, rules.byID)
	}
	return nil
}

// flagSource opens the rows of a listing read through one access scope: a page (a seek's limit of at most
// maxBatchedRows) read whole, as one text, else pages of such texts (chunkSource).
func (m *Model) flagSource(ctx context.Context, q projections.FlagQuery, clock time.Time, seek FlagSeek, access string,
	rules *flagRules) (flagSource, error) {
	if seek.Limit > 0 && seek.Limit <= maxBatchedRows {
		text, args := flagSQL(q, clock, seek, access, batchedCols)
		return m.readBatch(ctx, batchedSQL(text), args, rules, seek.Before != nil)
	}
	if seek.Limit == 0 {
		return m.chunked(ctx, q, clock, seek, access, rules, chunkRows)
	}
	text, args := flagSQL(q, clock, seek, access, flagReadCols)
	rows, err := m.stmts.query(ctx, m.db, text, args...)
	if err != nil {
		return nil, err
	}
	return &cursorSource{rows: rows, rules: rules}, nil
}

// merge calls fn with the flags of the sources (each in the seek's order) in that order, once per key, up to
// the seek's limit, and stops with ctx's error once ctx is done.
func merge(ctx context.Context, sources []flagSource, seek FlagSeek, fn func(*IndexedFlag) error) error {
	heads := make([]IndexedFlag, len(sources))
	live := make([]bool, len(sources))
	next := func(i int) error {
		var err error
		heads[i], live[i], err = sources[i].next()
		live[i] = live[i] && err == nil
		return err
	}
	for i := range sources {
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
		for i := range heads {
			if live[i] && (best < 0 || sign*slices.Compare(heads[i].Key, heads[best].Key) < 0) {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		h := heads[best]
		if last == nil || !slices.Equal(last, h.Key) {
			if err := fn(&h); err != nil {
				return err
			}
			last, n = h.Key, n+1
		}
		if err := next(best); err != nil {
			return err
		}
	}
	return nil
}

// flagReadCols are what scanFlag reads of a flag: its columns joined in one text by unit separators (U+001F,
// which neither an id nor a JSON text holds raw), its key last. Each column read costs a listing a few
// crossings from Go to C (its type, its length, its bytes), which for ten columns cost more than SQLite's step;
// concat_ws joins them into one text at once, where a chain of || copied the text again at each column (a
// tenth of a listing's step). The key, a blob that may hold any byte, follows rest, the last column that holds
// no separator: it is the text after rest's end. Every column it joins is NOT NULL or given as an empty text
// when NULL: concat_ws leaves a NULL out.
const flagReadCols = `concat_ws(char(31), f.code, f.worker_id, f.job_order_id, ifnull(f.buyer_ids, ''),
	ifnull(f.event_ids, ''), f.raised_s, f.raised_n, ifnull(f.rules, ''), f.rest, f.k)`

// scanFlag reads a listed flag from a row of flagReadCols.
func scanFlag(rows *sql.Rows, rules *flagRules) (IndexedFlag, error) {
	var joined string
	if err := rows.Scan(&joined); err != nil {
		return IndexedFlag{}, err
	}
	return parseIndexedFlag(joined, rules)
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
	if seek.bound != nil {
		cond(order+" < ?", seek.bound)
	}
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

// listableBefore is a key past every flag a listing at clock can list, so that the listing's last page stops
// there instead of stepping through the clocked flags still to come: overdue reimbursements and open reports
// stand from their deadlines, which for 39% of the flags' rows of generate's datasets lie after every flag
// listed, at the end of the index, where the walk of every page at 600,000 workers found its last page reading
// all of them (36 s). The flags
// the model counts by month (flag_months: every flag that is not clocked, and the clocked ones its clock has
// passed) were raised before the month after the last month it counts; the clocked ones the listing's clock
// has passed, before that clock; the key of the later of the two bounds them all. (Read in a statement of its
// own, as the rules arrays are: a flag added between the two, raised after both, is listed by the next request.)
func (m *Model) listableBefore(ctx context.Context, clock time.Time) ([]byte, error) {
	var month sql.NullString
	err := preparedQuerier{&m.stmts, m.db}.QueryRowContext(ctx, lastMonthSQL).Scan(&month)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("last month of the flags: %w", err)
	}
	bound := clock.UTC()
	if month.Valid {
		first, err := time.Parse("2006-01", month.String)
		if err != nil {
			return nil, fmt.Errorf("last month of the flags %q: %w", month.String, err)
		}
		if next := first.AddDate(0, 1, 0); next.After(bound) {
			bound = next
		}
	}
	return clockKey(bound), nil
}

// lastMonthSQL reads the last month the model counts flags in (rows that fall to zero are deleted).
const lastMonthSQL = "SELECT month FROM flag_months WHERE scope = '' ORDER BY month DESC LIMIT 1"
