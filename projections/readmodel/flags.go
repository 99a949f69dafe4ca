package readmodel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// FlagSeek continues a listing: the flags after key After (nil: from the first), at most Limit of them (0: all).
type FlagSeek struct {
	After []byte
	Limit int
}

// Flags calls fn, in listing order, with each flag the query selects at clock: its key and its JSON (as
// `fairtrail flags --format json` prints it, compact). A scoped query (buyer, employer or agency) seeks
// within its scope's index, a worker's or a job order's within theirs, so a page costs the same wherever it
// is. fn's error stops the listing and is returned.
func (m *Model) Flags(ctx context.Context, q projections.FlagQuery, clock time.Time, seek FlagSeek,
	fn func(key []byte, flag string) error) error {
	sqlText, args := flagSQL(q, clock, seek)
	rows, err := m.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("read model: list flags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k []byte
		var body string
		if err := rows.Scan(&k, &body); err != nil {
			return fmt.Errorf("read model: list flags: %w", err)
		}
		if err := fn(k, body); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read model: list flags: %w", err)
	}
	return nil
}

func flagSQL(q projections.FlagQuery, clock time.Time, seek FlagSeek) (string, []any) {
	var from, order string
	var where []string
	var args []any
	cond := func(c string, a ...any) { where = append(where, c); args = append(args, a...) }
	scopes := scopeNames(nonEmpty(q.BuyerID), q.EmployerID, nonEmpty(q.AgencyID))
	if len(scopes) > 0 {
		from, order = "flag_scopes s JOIN flags f ON f.k = s.k", "s.k"
		cond("s.scope = ?", scopes[0])
		for _, sc := range scopes[1:] {
			cond("EXISTS (SELECT 1 FROM flag_scopes x WHERE x.scope = ? AND x.k = f.k)", sc)
		}
	} else {
		from, order = "flags f", "f.k"
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
	c := clock.UTC()
	cond("(f.clocked = 0 OR f.raised_s < ? OR (f.raised_s = ? AND f.raised_n < ?))", c.Unix(), c.Unix(), c.Nanosecond())
	if seek.After != nil {
		cond(order+" > ?", seek.After)
	}
	text := "SELECT f.k, f.flag FROM " + from + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order
	if seek.Limit > 0 {
		text += fmt.Sprintf(" LIMIT %d", seek.Limit)
	}
	return text, args
}
