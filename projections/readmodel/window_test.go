package readmodel_test

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// auditOrders are the audit pages' orders as the console's table showed them before it was paged: by key,
// or by a count, largest first, ties by key.
var auditOrders = map[string]func(a, b projections.AuditRow) int{
	readmodel.AuditByKey:       func(a, b projections.AuditRow) int { return cmp.Compare(a.Key, b.Key) },
	readmodel.AuditByWorkers:   func(a, b projections.AuditRow) int { return cmp.Compare(b.Workers, a.Workers) },
	readmodel.AuditByFlagged:   func(a, b projections.AuditRow) int { return cmp.Compare(b.FlaggedWorkers, a.FlaggedWorkers) },
	readmodel.AuditByJobOrders: func(a, b projections.AuditRow) int { return cmp.Compare(b.JobOrders, a.JobOrders) },
}

// walk reads every page of size forwards from the start, then backwards from the last page's end, and
// returns the rows each way in the order's direction (the backward walk put back in order), and the pages.
func walk[T any](t *testing.T, size int, read func(w readmodel.Window) ([]T, []readmodel.Position, bool)) (fwd, back []T, pages int) {
	t.Helper()
	w := readmodel.Window{Size: size}
	var last readmodel.Position
	for {
		rows, pos, more := read(w)
		if len(rows) > size || len(rows) != len(pos) {
			t.Fatalf("page of %d rows, %d positions, size %d", len(rows), len(pos), size)
		}
		fwd, pages = append(fwd, rows...), pages+1
		if len(pos) > 0 {
			last = pos[len(pos)-1]
		}
		if !more {
			break
		}
		if pages > 1000 {
			t.Fatal("the walk does not end")
		}
		w.From = pos[len(pos)-1]
	}
	// Backwards from after the last row: the last row's page first, then the pages before.
	w = readmodel.Window{Size: size, Back: true, From: last}
	if len(fwd) > 0 {
		back = fwd[len(fwd)-1:]
	}
	for len(fwd) > 0 {
		rows, pos, more := read(w)
		back = append(slices.Clone(rows), back...)
		if !more || len(pos) == 0 {
			break
		}
		w.From = pos[0]
	}
	return fwd, back, pages
}

// checkAuditPages walks each order of the audit by pages and compares the rows with the whole audit sorted.
func checkAuditPages(t *testing.T, m *readmodel.Model, v *projections.View, clock time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, buyer := range []string{"", "buyer-1"} {
		for _, by := range []string{projections.ByAgency, projections.ByJobOrder} {
			q := projections.AuditQuery{BuyerID: buyer, By: by}
			want, err := v.Audit(q)
			if err != nil {
				t.Fatal(err)
			}
			for _, sort := range readmodel.AuditSorts {
				slices.SortStableFunc(want, func(a, b projections.AuditRow) int {
					return cmp.Or(auditOrders[sort](a, b), cmp.Compare(a.Key, b.Key))
				})
				fwd, back, pages := walk(t, 7, func(w readmodel.Window) ([]projections.AuditRow, []readmodel.Position, bool) {
					w.Sort = sort
					p, err := m.AuditPage(ctx, q, w, clock)
					if err != nil {
						t.Fatal(err)
					}
					if p.Total != len(want) {
						t.Fatalf("audit %+v: total %d, want %d", q, p.Total, len(want))
					}
					return p.Rows, p.Positions, p.More
				})
				if pages < 2 && len(want) > 7 {
					t.Fatalf("audit %+v by %s: %d rows in %d pages", q, sort, len(want), pages)
				}
				for name, got := range map[string][]projections.AuditRow{"forwards": fwd, "backwards": back} {
					if g, w := mustJSON(t, orEmpty(got)), mustJSON(t, want); g != w {
						t.Fatalf("audit %+v by %s at %s, %s:\n got %.900s\nwant %.900s", q, sort, clock, name, g, w)
					}
				}
			}
		}
	}
}

// checkAgencyPages walks each order of the agency report by pages and compares the scorecards with the whole
// report, and each page's clean list with the report's.
func checkAgencyPages(t *testing.T, m *readmodel.Model, v *projections.View, clock time.Time) {
	t.Helper()
	for _, buyer := range []string{"", "buyer-1"} {
		for _, sort := range projections.AgencySorts {
			q := projections.AgencyQuery{BuyerID: buyer, Sort: sort, MinWorkers: 2}
			want := v.Agencies(q)
			fwd, back, _ := walk(t, 5, func(w readmodel.Window) ([]projections.AgencyScorecard, []readmodel.Position, bool) {
				p, err := m.AgencyPage(context.Background(), q, w, clock)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := mustJSON(t, p.Report.CleanAgencies), mustJSON(t, want.CleanAgencies); g != w || p.Total != len(want.Agencies) {
					t.Fatalf("agencies %+v at %s: total %d (want %d), clean list\n got %.900s\nwant %.900s", q, clock,
						p.Total, len(want.Agencies), g, w)
				}
				return p.Report.Agencies, p.Positions, p.More
			})
			for name, got := range map[string][]projections.AgencyScorecard{"forwards": fwd, "backwards": back} {
				if g, w := mustJSON(t, orEmpty(got)), mustJSON(t, want.Agencies); g != w {
					t.Fatalf("agencies %+v at %s, %s:\n got %.900s\nwant %.900s", q, clock, name, g, w)
				}
			}
		}
	}
}

func TestPagesRefuseOrdersAndPositionsNotKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t)[:200])
	m := openModel(t, dir, readmodel.Options{})
	catchUp(t, m, s)
	ctx := context.Background()
	for name, w := range map[string]readmodel.Window{
		"unknown order":           {Sort: "colour", Size: 5},
		"segment beyond":          {Size: 5, From: readmodel.Position{Segment: 3}},
		"too many values":         {Size: 5, From: readmodel.Position{Values: []any{int64(1), "a", "b"}}},
		"a value of another type": {Size: 5, From: readmodel.Position{Values: []any{true}}},
	} {
		if _, err := m.AuditPage(ctx, projections.AuditQuery{By: projections.ByAgency}, w, recordedAt); err == nil {
			t.Errorf("%s: audit page read", name)
		}
	}
	q := projections.AgencyQuery{Currency: "USD", Sort: projections.SortRisk}
	if readmodel.PagedAgencies(q) {
		t.Error("the risk order in a reporting currency is said to be kept")
	}
	if _, err := m.AgencyPage(ctx, q, readmodel.Window{Size: 5}, recordedAt); err == nil {
		t.Error("an agency page in the risk order in a reporting currency was read")
	}
}
