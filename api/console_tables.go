package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Kinds of the console's table page cursors.
const (
	consoleAuditKind    = "console.audit"
	consoleAgenciesKind = "console.agencies"
)

// TablePage places a page of the console's audit or agencies table in the whole table.
type TablePage struct {
	// Total counts the rows of the whole table.
	Total int
	// First is the place of the page's first row in the table, from 1.
	First int
	// Next and Prev are the cursors of the pages after and before this one ("" for none), signed as the
	// flag pages' are: they continue only the query they came from (its order included), at its clock.
	Next, Prev string
}

// tableCursor is what a table page cursor carries: the position in the table's order to read from (when the
// table is read by seeking) and which way, and the place of the page's first row.
type tableCursor struct {
	Pos  readmodel.Position `json:"p"`
	Back bool               `json:"b,omitempty"`
	At   int                `json:"at"`
}

// window is a page read from a table: how many rows, whether it was read by seeking (then with its rows'
// positions) or cut from a whole answer (then at place first), whether rows lie beyond it in the direction
// read, and the table's size.
type window struct {
	n, first  int
	seek      bool
	positions []readmodel.Position
	more      bool
	total     int
}

// readCursor checks a table cursor ("" for the first page) and returns it with the clock its listing is judged at.
func (r *Reader) readCursor(kind string, q url.Values, cursor string) (tableCursor, time.Time, error) {
	var cur tableCursor
	if cursor == "" {
		return cur, r.s.now(), nil
	}
	t, err := r.s.pages.decode(cursor, kind, fingerprint(q))
	if err != nil || json.Unmarshal(t.After, &cur) != nil || cur.At < 0 {
		return cur, time.Time{}, invalidField(cursorField, "not a page of this listing (pages continue the query they came from)")
	}
	return cur, time.Unix(0, t.Clock).UTC(), nil
}

// cut is the window of size rows of a whole table the cursor's place says.
func cut(cur tableCursor, size, total int) (from, to int) {
	from = min(cur.At, total)
	return from, min(from+size, total)
}

// place signs the cursors of the pages around a window read with cur, as the flag pages place theirs.
func (r *Reader) place(kind string, q url.Values, clock time.Time, cur tableCursor, w window, size int) TablePage {
	sign := func(c tableCursor) string {
		after, _ := json.Marshal(c) // plain values: cannot fail
		return r.s.pages.encode(pageToken{Kind: kind, Query: fingerprint(q), Clock: clock.UnixNano(), After: after})
	}
	first, hasPrev, hasNext := w.first, w.first > 0, w.more
	if w.seek { // from cur's position
		first = cur.At
		if cur.Back && !w.more {
			first = 0 // the first page, whatever the cursor counted
		}
		hasPrev, hasNext = first > 0 || cur.Back && w.more, !cur.Back && w.more || cur.Back
	}
	p := TablePage{Total: w.total, First: first + 1}
	if hasNext && w.n > 0 {
		c := tableCursor{At: first + w.n}
		if w.seek {
			c.Pos = w.positions[w.n-1]
		}
		p.Next = sign(c)
	}
	if hasPrev {
		c := tableCursor{At: max(0, first-size), Back: true}
		switch {
		case w.seek && w.n > 0:
			c.Pos = w.positions[0]
		case w.seek:
			c = tableCursor{} // an empty page of the index: back to the first
		}
		p.Prev = sign(c)
	}
	return p
}

// seekError turns a read model's refusal of a page into the field it names.
func seekError(err error) error {
	switch {
	case errors.Is(err, readmodel.ErrGrouping):
		return invalidField("by", err.Error())
	case errors.Is(err, readmodel.ErrSort):
		return invalidField("sort", err.Error())
	case errors.Is(err, readmodel.ErrPosition):
		return invalidField(cursorField, "not a page of this listing (pages continue the query they came from)")
	}
	return err
}

// AuditPage returns the page of size rows of the console's audit table that cursor points at (the first for
// ""), in the order q's sort names (readmodel.AuditSorts; by key without one), scoped as Audit scopes it, and
// the buyer it was scoped to. Without a time filter the page is read from the rollups by seeking in the
// index of its order; as of a time, the audit is replayed whole and cut.
func (r *Reader) AuditPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) ([]projections.AuditRow, string, TablePage, error) {
	if !slices.Contains(brands, who.Role) {
		return nil, "", TablePage{}, fail(errNotFound, "no audit for the %s role", who.Role)
	}
	aq, filter, err := auditQuery(q, who)
	if err != nil {
		return nil, "", TablePage{}, err
	}
	sort := q.Get("sort")
	if sort != "" && !slices.Contains(readmodel.AuditSorts, sort) {
		return nil, "", TablePage{}, invalidField("sort", "one of "+strings.Join(readmodel.AuditSorts, ", "))
	}
	cur, clock, err := r.readCursor(consoleAuditKind, q, cursor)
	if err != nil {
		return nil, "", TablePage{}, err
	}
	var rows []projections.AuditRow
	var w window
	if filter == (projections.Filter{}) {
		rows, w, err = r.seekAudit(ctx, aq, readmodel.Window{Sort: sort, From: cur.Pos, Back: cur.Back, Size: size}, clock)
	} else {
		rows, err = r.s.audit(ctx, aq, filter, clock)
		slices.SortStableFunc(rows, readmodel.AuditOrder(sort))
		from, to := cut(cur, size, len(rows))
		rows, w = rows[from:to], window{n: to - from, first: from, more: to < len(rows), total: len(rows)}
	}
	if err != nil {
		return nil, "", TablePage{}, err
	}
	return rows, aq.BuyerID, r.place(consoleAuditKind, q, clock, cur, w, size), nil
}

func (r *Reader) seekAudit(ctx context.Context, aq projections.AuditQuery, w readmodel.Window, clock time.Time) ([]projections.AuditRow, window, error) {
	if err := r.s.fresh(ctx); err != nil {
		return nil, window{}, err
	}
	p, err := r.s.cfg.Model.AuditPage(ctx, aq, w, clock)
	if err != nil {
		return nil, window{}, seekError(err)
	}
	return p.Rows, window{n: len(p.Rows), seek: true, positions: p.Positions, more: p.More, total: p.Total}, nil
}

// AgencyPage returns the agencies report of GET /v1/agencies for the query, scoped as Agencies scopes it,
// with the page of size scorecards cursor points at (the first for "") and the whole clean list. A buyer's or
// every supply chain's scorecards without a time filter are read by seeking in the rollups' index of the
// query's order (readmodel.PagedAgencies); others are judged whole and cut.
func (r *Reader) AgencyPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) (projections.AgencyReport, TablePage, error) {
	aq, filter, err := agencyQuery(q, who)
	if err != nil {
		return projections.AgencyReport{}, TablePage{}, err
	}
	cur, clock, err := r.readCursor(consoleAgenciesKind, q, cursor)
	if err != nil {
		return projections.AgencyReport{}, TablePage{}, err
	}
	if filter != (projections.Filter{}) || !readmodel.PagedAgencies(aq) {
		report, err := r.Agencies(ctx, who, q)
		if err != nil {
			return report, TablePage{}, err
		}
		from, to := cut(cur, size, len(report.Agencies))
		w := window{n: to - from, first: from, more: to < len(report.Agencies), total: len(report.Agencies)}
		report.Agencies = report.Agencies[from:to]
		return report, r.place(consoleAgenciesKind, q, clock, cur, w, size), nil
	}
	if err := r.s.fresh(ctx); err != nil {
		return projections.AgencyReport{}, TablePage{}, err
	}
	p, err := r.s.cfg.Model.AgencyPage(ctx, aq, readmodel.Window{From: cur.Pos, Back: cur.Back, Size: size}, clock)
	if err != nil {
		return projections.AgencyReport{}, TablePage{}, seekError(err)
	}
	w := window{n: len(p.Report.Agencies), seek: true, positions: p.Positions, more: p.More, total: p.Total}
	return p.Report, r.place(consoleAgenciesKind, q, clock, cur, w, size), nil
}
