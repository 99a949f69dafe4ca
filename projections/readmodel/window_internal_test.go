package readmodel

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/projections"
)

// craftedRow is a rollup row of the agency grouping in scope "b", with its organisation's name (none: no
// registration).
type craftedRow struct {
	key                                   string
	workers, flagged, substituted, orders int64
	name                                  string
	named                                 bool
}

// craftedRows are rows with many ties on every sort term, names differing only in case or not ASCII, agencies
// registered without a name and not registered at all.
func craftedRows() []craftedRow {
	rng := rand.New(rand.NewPCG(3, 5))
	names := []string{"Alpha", "alpha", "ALPHA", "Beta", "Élan", "élan", "zeta", "", "Zeta"}
	var out []craftedRow
	for i := range 40 {
		w := rng.Int64N(5)
		r := craftedRow{key: fmt.Sprintf("ag-%02d", (i*7)%40), workers: w, flagged: rng.Int64N(w + 1),
			substituted: rng.Int64N(w + 1), orders: rng.Int64N(3)}
		if i%5 != 0 {
			r.name, r.named = names[rng.IntN(len(names))], true
		}
		out = append(out, r)
	}
	return out
}

func craftedModel(t *testing.T, rows []craftedRow) *Model {
	t.Helper()
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	for _, r := range rows {
		if _, err := m.wdb.Exec(`INSERT INTO rollups (scope, grouping, key, workers, flagged_workers, flags, money,
			substituted_workers, job_orders) VALUES ('b', 'agency', ?, ?, ?, '[]', '[]', ?, ?)`,
			r.key, r.workers, r.flagged, r.substituted, r.orders); err != nil {
			t.Fatal(err)
		}
		if r.named {
			if _, err := m.wdb.Exec(`INSERT INTO orgs (org_id, name, role, sort_name) VALUES (?, ?, 'agency', ?)`,
				r.key, r.name, strings.ToLower(r.name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := m.wdb.Exec(`INSERT INTO rollups (scope, grouping, key, workers, flagged_workers, flags, money,
		substituted_workers, job_orders) VALUES ('other', 'agency', 'ag-00', 9, 9, '[]', '[]', 9, 9)`); err != nil {
		t.Fatal(err)
	}
	return m
}

// fraction compares n1/of1 with n2/of2, a share of no worker being 0.
func fraction(n1, of1, n2, of2 int64) int {
	if of1 == 0 || of2 == 0 {
		return cmp.Compare(min(of1, 1)*n1, min(of2, 1)*n2)
	}
	return cmp.Compare(n1*of2, n2*of1)
}

// TestSeekingWalksEveryOrderAsSortingDoes: each order, walked by pages of 3 forwards and backwards, with and
// without a correction of a row's flagged workers, is the crafted rows sorted by the order's definition.
func TestSeekingWalksEveryOrderAsSortingDoes(t *testing.T) {
	t.Parallel()
	rows := craftedRows()
	m := craftedModel(t, rows)
	orders := map[string]struct {
		o    rollupOrder
		want func(a, b craftedRow) int
	}{
		"risk": {agencyOrders[projections.SortRisk], func(a, b craftedRow) int {
			return cmp.Or(fraction(b.flagged, b.workers, a.flagged, a.workers),
				fraction(b.substituted, b.workers, a.substituted, a.workers), cmp.Compare(b.flagged, a.flagged))
		}},
		"workers": {agencyOrders[projections.SortWorkers], func(a, b craftedRow) int { return cmp.Compare(b.workers, a.workers) }},
		"name": {agencyOrders[projections.SortName], func(a, b craftedRow) int {
			an, bn := a.named && a.name != "", b.named && b.name != ""
			if an != bn {
				return map[bool]int{true: -1, false: 1}[an]
			}
			return cmp.Or(strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), strings.Compare(a.name, b.name))
		}},
		"flagged":   {auditOrders[AuditByFlagged], func(a, b craftedRow) int { return cmp.Compare(b.flagged, a.flagged) }},
		"joborders": {auditOrders[AuditByJobOrders], func(a, b craftedRow) int { return cmp.Compare(b.orders, a.orders) }},
		"key":       {auditOrders[AuditByKey], func(a, b craftedRow) int { return 0 }},
	}
	for name, tc := range orders {
		for _, corrected := range []bool{false, true} {
			want := slices.Clone(rows)
			corr := map[string]*correction{}
			if corrected && tc.o.corrected != nil {
				corr["ag-07"] = &correction{flagged: 3} // to the top of the flagged orders
				for i := range want {
					if want[i].key == "ag-07" {
						want[i].flagged += 3
					}
				}
			}
			slices.SortFunc(want, func(a, b craftedRow) int { return cmp.Or(tc.want(a, b), strings.Compare(a.key, b.key)) })
			var keys []string
			for _, r := range want {
				keys = append(keys, r.key)
			}
			fwd, back := walkOrder(t, m, tc.o, corr)
			if !slices.Equal(fwd, keys) || !slices.Equal(back, keys) {
				t.Errorf("%s (corrected %v):\nforwards  %v\nbackwards %v\nwant      %v", name, corrected, fwd, back, keys)
			}
		}
	}
}

// walkOrder reads an order's keys in pages of 3, forwards and then backwards from after the last.
func walkOrder(t *testing.T, m *Model, o rollupOrder, corr map[string]*correction) (fwd, back []string) {
	t.Helper()
	tx, err := m.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ctx := context.Background()
	var pos Position
	for range 100 {
		page, more, err := o.page(ctx, tx, "b", "agency", corr, pos, false, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			fwd = append(fwd, p.key)
			pos = p.pos
		}
		if !more {
			break
		}
	}
	back = []string{}
	if len(fwd) > 0 {
		back = append(back, fwd[len(fwd)-1])
	}
	for range 100 {
		page, more, err := o.page(ctx, tx, "b", "agency", corr, pos, true, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			back = append([]string{p.key}, back...)
			pos = p.pos
		}
		if !more {
			break
		}
	}
	return fwd, back
}

// FuzzPosition: a cursor's position, whatever its bytes, is read back or refused, and one read back either
// fits an order or is refused by its check; nothing panics, and a position that fits compares with itself.
func FuzzPosition(f *testing.F) {
	for _, seed := range []string{`{"s":0,"v":[0.5,0.25,3,"ag-01"]}`, `{"s":1,"v":["ag-02"]}`, `{"v":[true]}`,
		`{"s":-1}`, `{"v":[1e400]}`, `{"v":[{"a":1},null]}`, `[]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Position
		if json.Unmarshal(b, &p) != nil {
			return
		}
		for _, o := range agencyOrders {
			if o.check(p) == nil && o.compare(p, p) != 0 {
				t.Fatalf("%s: a position differs from itself", b)
			}
		}
	})
}
