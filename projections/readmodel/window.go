package readmodel

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrSort is returned for an order a paged table is not kept in.
var ErrSort = errors.New("unknown order")

// ErrPosition is returned for a position that does not fit its order (a page cursor of another listing).
var ErrPosition = errors.New("not a position in this order")

// Shares as the risk order compares them (projections.SortRisk): workers flagged and workers with a
// substituted contract per worker, 0 for a group without workers. Division of two whole numbers of workers
// (below 2^26) orders them exactly as the fractions, and equal fractions give equal values.
const (
	shareFlaggedSQL     = `(CASE WHEN workers = 0 THEN 0.0 ELSE CAST(flagged_workers AS REAL) / workers END)`
	shareSubstitutedSQL = `(CASE WHEN workers = 0 THEN 0.0 ELSE CAST(substituted_workers AS REAL) / workers END)`
)

// Window asks for a page of a table kept in the rollups: up to Size rows in Sort's order after From (before
// it when Back), From's zero value being the table's start (its end when Back).
type Window struct {
	Sort string
	From Position
	Back bool
	Size int
}

// Position is a place in an order: the sort values of a row (nil for the start) within a segment of it.
// It is what a page cursor carries, so a page continues after its last row even if rows were added or
// removed meanwhile.
type Position struct {
	Segment int   `json:"s,omitempty"`
	Values  []any `json:"v,omitempty"`
}

// UnmarshalJSON reads a position back with its numbers as they were: whole numbers as int64, others float64.
func (p *Position) UnmarshalJSON(b []byte) error {
	var raw struct {
		Segment int   `json:"s"`
		Values  []any `json:"v"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("position: %w", err)
	}
	p.Segment, p.Values = raw.Segment, nil
	for _, v := range raw.Values {
		n, ok := v.(json.Number)
		if !ok {
			p.Values = append(p.Values, v) // text, or a value check refuses
			continue
		}
		if i, err := n.Int64(); err == nil {
			p.Values = append(p.Values, i)
		} else if f, err := n.Float64(); err == nil {
			p.Values = append(p.Values, f)
		} else {
			return fmt.Errorf("position: %w", err)
		}
	}
	return nil
}

// term is a sort column of an order: an expression over rollups (and orgs, as o, where the segment joins it),
// larger values first when desc.
type term struct {
	expr string
	desc bool
}

// segment is a part of an order whose rows all come before the next segment's: the rows a join and a
// condition select, in the order of its terms (the last naming the row's key, so that the order is total).
type segment struct {
	from, where string
	terms       []term
}

// rollupOrder is an order of a grouping's rows within a scope, read from an index on its terms.
type rollupOrder struct {
	segments []segment
	// corrected, for an order on flagged workers (which a read's clock corrects), gives the position of a
	// corrected row in segment 0.
	corrected func(key string, r *auditedRow) []any
}

// placed is a row's key and its place in an order.
type placed struct {
	key string
	pos Position
}

// compare orders two positions of the order.
func (o rollupOrder) compare(a, b Position) int {
	if c := cmp.Compare(a.Segment, b.Segment); c != 0 || a.Segment >= len(o.segments) {
		return c
	}
	for i, t := range o.segments[a.Segment].terms {
		if i >= len(a.Values) || i >= len(b.Values) {
			return cmp.Compare(len(a.Values), len(b.Values))
		}
		c := compareValues(a.Values[i], b.Values[i])
		if t.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compareValues compares two sort values as SQLite does: numbers by value, text bytewise, numbers first.
func compareValues(a, b any) int {
	fa, na := asFloat(a)
	fb, nb := asFloat(b)
	switch {
	case na && nb:
		ia, aInt := a.(int64)
		ib, bInt := b.(int64)
		if aInt && bInt {
			return cmp.Compare(ia, ib)
		}
		return cmp.Compare(fa, fb)
	case na:
		return -1 // a number before text
	case nb:
		return 1
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// check reports whether a position fits the order: a segment it has and as many values as its terms.
func (o rollupOrder) check(p Position) error {
	if p.Segment < 0 || p.Segment >= len(o.segments) ||
		p.Values != nil && len(p.Values) != len(o.segments[p.Segment].terms) {
		return ErrPosition
	}
	for _, v := range p.Values {
		switch v.(type) {
		case int64, float64, string:
		default:
			return ErrPosition
		}
	}
	return nil
}

// seek reads up to n rows of a grouping within a scope after pos in the order (before it when back, nearest
// first), by seeking in the index on the order's terms: within a segment, one range query for each term
// from the last, the terms before it equal to pos's.
func (o rollupOrder) seek(ctx context.Context, tx *sql.Tx, scope, by string, pos Position, back bool, n int) ([]placed, error) {
	var out []placed
	for si := pos.Segment; si >= 0 && si < len(o.segments) && len(out) < n; {
		seg := o.segments[si]
		var vals []any
		if si == pos.Segment {
			vals = pos.Values
		}
		if vals == nil {
			got, err := seg.query(ctx, tx, si, scope, by, nil, 0, back, n-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
		for level := len(vals) - 1; level >= 0 && len(out) < n; level-- {
			got, err := seg.query(ctx, tx, si, scope, by, vals, level, back, n-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
		if back {
			si--
		} else {
			si++
		}
	}
	return out, nil
}

// query reads up to n rows of the segment whose terms before level equal vals' and whose term at level is
// past vals' (all rows for nil vals), in the order (reversed when back).
func (s segment) query(ctx context.Context, tx *sql.Tx, si int, scope, by string, vals []any, level int, back bool,
	n int) ([]placed, error) {
	var cols, order []string
	where, args := []string{"r.scope = ?", "r.grouping = ?"}, []any{scope, by}
	if s.where != "" {
		where = append(where, s.where)
	}
	for i, t := range s.terms {
		dir, past := " ASC", " > ?"
		if t.desc != back {
			dir, past = " DESC", " < ?"
		}
		cols, order = append(cols, t.expr), append(order, t.expr+dir)
		switch {
		case vals == nil || i > level:
		case i < level:
			where, args = append(where, t.expr+" = ?"), append(args, vals[i])
		default:
			where, args = append(where, t.expr+past), append(args, vals[i])
		}
	}
	rs, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+s.from+" WHERE "+
		strings.Join(where, " AND ")+" ORDER BY "+strings.Join(order, ", ")+" LIMIT ?", append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("read model: seek rollups: %w", err)
	}
	defer rs.Close()
	var out []placed
	for rs.Next() {
		v := make([]any, len(s.terms))
		ptrs := make([]any, len(v))
		for i := range v {
			ptrs[i] = &v[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read model: seek rollups: %w", err)
		}
		for i, x := range v {
			if b, ok := x.([]byte); ok {
				v[i] = string(b)
			}
		}
		key, _ := v[len(v)-1].(string) // the last term is the key, text
		out = append(out, placed{key: key, pos: Position{Segment: si, Values: v}})
	}
	return out, rs.Err()
}

// page reads the keys of a window of a grouping within a scope, n rows and whether there are more beyond, in
// the order's direction. For an order on flagged workers the rows the read's clock corrects are placed by
// their corrected counts: the index gives the uncorrected rows (one more for each corrected one, which it
// places by its stored counts and which is left out), and the corrected rows are merged in.
func (o rollupOrder) page(ctx context.Context, tx *sql.Tx, scope, by string, corr map[string]*correction, pos Position,
	back bool, n int) ([]placed, bool, error) {
	if err := o.check(pos); err != nil {
		return nil, false, err
	}
	extra := 0
	if o.corrected != nil {
		extra = len(corr)
	}
	rows, err := o.seek(ctx, tx, scope, by, pos, back, n+1+extra)
	if err != nil {
		return nil, false, err
	}
	if extra > 0 {
		if rows, err = o.mergeCorrected(ctx, tx, scope, by, corr, rows, pos, back); err != nil {
			return nil, false, err
		}
	}
	more := len(rows) > n
	return rows[:min(n, len(rows))], more, nil
}

// mergeCorrected replaces the corrected rows the index placed by their stored counts with the corrected rows
// past pos, placed by their corrected counts.
func (o rollupOrder) mergeCorrected(ctx context.Context, tx *sql.Tx, scope, by string, corr map[string]*correction,
	rows []placed, pos Position, back bool) ([]placed, error) {
	rows = slices.DeleteFunc(rows, func(p placed) bool { return corr[p.key] != nil })
	keys := make([]string, 0, len(corr))
	for k := range corr {
		keys = append(keys, k)
	}
	stored, err := readRows(ctx, tx, scope, by, keys, false)
	if err != nil {
		return nil, err
	}
	correct(stored, corr)
	dir := 1
	if back {
		dir = -1
	}
	for k, r := range stored {
		p := placed{key: k, pos: Position{Values: o.corrected(k, r)}}
		if pos.Values == nil && pos.Segment == 0 || dir*o.compare(p.pos, pos) > 0 {
			rows = append(rows, p)
		}
	}
	slices.SortFunc(rows, func(a, b placed) int { return dir * o.compare(a.pos, b.pos) })
	return rows, nil
}

// countRows counts a grouping's rows within a scope.
func countRows(ctx context.Context, tx *sql.Tx, scope, by string) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM rollups WHERE scope = ? AND grouping = ?", scope, by).Scan(&n); err != nil {
		return 0, fmt.Errorf("read model: count rollups: %w", err)
	}
	return n, nil
}
