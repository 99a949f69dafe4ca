package readmodel_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// conformPages runs conformReads at every clock of the comparison, against a model rebuilt in memory.
func conformPages(t *testing.T, m *readmodel.Model, s eventstore.Store) {
	t.Helper()
	mem, err := projections.Rebuild(context.Background(), s, projections.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	queries := flagQueries(t, mem.View(clocks[len(clocks)-1]))
	for _, clock := range clocks {
		conformReads(t, m, mem, clock, queries)
	}
}

// conformReads checks, at one clock, the reads that pages and listings make besides a whole listing: pages
// found by seeking forwards and backwards, listings within a caller's access, counts by month and code, a
// scope's total and its worst groups, against the model rebuilt in memory.
func conformReads(t *testing.T, m *readmodel.Model, mem *projections.Model, clock time.Time, queries []projections.FlagQuery) {
	t.Helper()
	v := mem.View(clock)
	for _, q := range queries {
		want := v.Flags(q)
		checkCounts(t, m, q, clock, readmodel.Access{}, want)
		checkPages(t, m, q, clock, readmodel.Access{}, nil) // compared whole by conformSome
	}
	for _, tc := range accessCases(t, v) {
		if tc.want == nil {
			tc.want = []domain.Flag{}
		}
		checkCounts(t, m, tc.q, clock, tc.access, tc.want)
		checkPages(t, m, tc.q, clock, tc.access, tc.want)
	}
	checkTotals(t, m, v, clock)
	checkGauges(t, m, v, clock)
	checkAuditPages(t, m, v, clock)
	checkAgencyPages(t, m, v, clock)
}

// accessCase is a listing read through a caller's access, with the flags the caller reads.
type accessCase struct {
	q      projections.FlagQuery
	access readmodel.Access
	want   []domain.Flag
}

// accessCases are listings of an auditor of two buyers (the union of their listings), and of agencies (their
// listings less the job orders' flags of job orders they are not engaged on).
func accessCases(t *testing.T, v *projections.View) []accessCase {
	id := func(f domain.Flag) string {
		return strings.Join(append([]string{f.Code, f.WorkerID, f.JobOrderID, f.RaisedAt.String()}, f.EventIDs...), "\x00")
	}
	union := func(q projections.FlagQuery, buyers ...string) []domain.Flag {
		in := map[string]bool{}
		for _, b := range buyers {
			bq := q
			bq.BuyerID = b
			for _, f := range v.Flags(bq) {
				in[id(f)] = true
			}
		}
		return slices.DeleteFunc(v.Flags(q), func(f domain.Flag) bool { return !in[id(f)] })
	}
	out := []accessCase{
		{access: readmodel.Access{Scopes: []string{"buyer:buyer-1", "buyer:buyer-3"}}, want: union(projections.FlagQuery{}, "buyer-1", "buyer-3")},
		{q: projections.FlagQuery{Code: "fee."}, access: readmodel.Access{Scopes: []string{"buyer:buyer-1", "buyer:buyer-2"}},
			want: union(projections.FlagQuery{Code: "fee."}, "buyer-1", "buyer-2")},
	}
	rows, err := v.Audit(projections.AuditQuery{By: projections.ByAgency})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if i%3 != 0 {
			continue
		}
		engaged := func(f domain.Flag) bool {
			jo, ok := v.JobOrder(f.JobOrderID)
			return f.WorkerID != "" || ok && slices.ContainsFunc(jo.Chain, func(e projections.Engagement) bool { return e.AgencyID == r.Key })
		}
		want := slices.DeleteFunc(v.Flags(projections.FlagQuery{AgencyID: r.Key}), func(f domain.Flag) bool { return !engaged(f) })
		out = append(out, accessCase{access: readmodel.Access{Scopes: []string{"agency:" + r.Key}, Engaged: r.Key}, want: want})
	}
	return out
}

// checkCounts compares the counts by month and code, and their sum, with the listing's.
func checkCounts(t *testing.T, m *readmodel.Model, q projections.FlagQuery, clock time.Time, access readmodel.Access, want []domain.Flag) {
	t.Helper()
	ctx := context.Background()
	counts := map[[2]string]int{}
	for _, f := range want {
		counts[[2]string{f.RaisedAt.UTC().Format("2006-01"), f.Code}]++
	}
	var wantMonths []readmodel.FlagCount
	for _, k := range slices.SortedFunc(maps.Keys(counts), func(a, b [2]string) int { return slices.Compare(a[:], b[:]) }) {
		wantMonths = append(wantMonths, readmodel.FlagCount{Month: k[0], Code: k[1], Flags: counts[k]})
	}
	got, err := m.FlagMonths(ctx, q, clock, access)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, orEmpty(got)), mustJSON(t, orEmpty(wantMonths)); g != w {
		t.Fatalf("flag months %+v %+v at %s:\n got %.600s\nwant %.600s", q, access, clock, g, w)
	}
	if n, err := m.CountFlags(ctx, q, clock, access); err != nil || n != len(want) {
		t.Fatalf("count flags %+v %+v at %s: %d, %v; want %d", q, access, clock, n, err, len(want))
	}
}

// checkPages compares the whole listing with want (unless nil: a listing compared already), then walks it in pages (of 7, or a tenth of a long
// listing), forwards from the first and backwards from the last page's first key, and compares both walks
// with the whole listing.
func checkPages(t *testing.T, m *readmodel.Model, q projections.FlagQuery, clock time.Time, access readmodel.Access, want []domain.Flag) {
	t.Helper()
	ctx := context.Background()
	read := func(seek readmodel.FlagSeek) (keys [][]byte, flags []string) {
		seek.Access = access
		err := m.Flags(ctx, q, clock, seek, func(k []byte, f string) error {
			keys, flags = append(keys, k), append(flags, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return keys, flags
	}
	_, whole := read(readmodel.FlagSeek{})
	if want != nil {
		raw := make([]json.RawMessage, len(whole))
		for i, f := range whole {
			raw[i] = json.RawMessage(f)
		}
		if g, w := mustJSON(t, orEmpty(raw)), mustJSON(t, orEmpty(want)); g != w {
			t.Fatalf("flags %+v %+v at %s:\n got %.600s\nwant %.600s", q, access, clock, g, w)
		}
	}
	size := max(7, len(whole)/10)
	var keys [][]byte
	var forward []string
	for seek := (readmodel.FlagSeek{Limit: size}); ; {
		k, f := read(seek)
		keys, forward = append(keys, k...), append(forward, f...)
		if len(f) < size {
			break
		}
		seek.After = keys[len(keys)-1]
	}
	if !slices.Equal(forward, whole) {
		t.Fatalf("flags %+v %+v at %s by pages of %d: %d flags, want %d", q, access, clock, size, len(forward), len(whole))
	}
	if len(keys) < 2 {
		return
	}
	_, backward := read(readmodel.FlagSeek{Before: keys[len(keys)-1], Limit: size})
	slices.Reverse(backward)
	if from := max(0, len(whole)-1-size); !slices.Equal(backward, whole[from:len(whole)-1]) {
		t.Fatalf("flags %+v %+v at %s, the page before the last key: %d flags, want %d", q, access, clock, len(backward), len(whole)-1-from)
	}
}

// checkTotals compares the totals of every supply chain and of buyers, and the worst groups, with the audit
// in memory.
func checkTotals(t *testing.T, m *readmodel.Model, v *projections.View, clock time.Time) {
	t.Helper()
	ctx := context.Background()
	all, err := m.Total(ctx, "", clock)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := v.Audit(projections.AuditQuery{By: projections.ByJobOrder})
	if err != nil {
		t.Fatal(err)
	}
	want := projections.AuditRow{Flags: map[string]int{}}
	for _, r := range rows {
		want.JobOrders, want.Workers, want.FlaggedWorkers = want.JobOrders+r.JobOrders, want.Workers+r.Workers, want.FlaggedWorkers+r.FlaggedWorkers
		for code, n := range r.Flags {
			want.Flags[code] += n
		}
	}
	if all.JobOrders != want.JobOrders || all.Workers != want.Workers || all.FlaggedWorkers != want.FlaggedWorkers ||
		mustJSON(t, all.Flags) != mustJSON(t, want.Flags) {
		t.Fatalf("total at %s: %+v; want the rows by job order added up, %+v", clock, all, want)
	}
	for _, buyer := range []string{"buyer-1", "buyer-3"} {
		rows, err := v.Audit(projections.AuditQuery{BuyerID: buyer})
		if err != nil || len(rows) > 1 {
			t.Fatalf("audit of %s in memory: %v, %v", buyer, rows, err)
		}
		want := projections.AuditRow{Flags: map[string]int{}} // a buyer with no supply chain (yet)
		if len(rows) == 1 {
			want = rows[0]
		}
		got, err := m.Total(ctx, buyer, clock)
		if err != nil {
			t.Fatal(err)
		}
		got.Group, got.Key, got.Name, want.Group, want.Key, want.Name = "", "", "", "", "", ""
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Fatalf("total of %s at %s:\n got %s\nwant %s", buyer, clock, g, w)
		}
		for _, by := range []string{projections.ByEmployer, projections.ByAgency} {
			q := projections.AuditQuery{BuyerID: buyer, By: by}
			want, err := v.Audit(q)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(want, readmodel.CompareWorst)
			got, err := m.Worst(ctx, q, clock, 3)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := mustJSON(t, got), mustJSON(t, want[:min(3, len(want))]); g != w {
				t.Fatalf("worst %+v at %s:\n got %s\nwant %s", q, clock, g, w)
			}
		}
	}
}

// checkGauges compares the metrics' figures with the flags judged in memory: open by code, by employer and
// by agency as the flag listing's filters select them (a job order's payers other than its employer), and
// at least as many flags raised as open, by code, for the codes that are not clocked.
func checkGauges(t *testing.T, m *readmodel.Model, v *projections.View, clock time.Time) {
	t.Helper()
	g, err := m.Gauges(context.Background(), clock)
	if err != nil {
		t.Fatal(err)
	}
	open, employers, agencies := map[string]int{}, map[string]int{}, map[string]int{}
	for _, f := range v.Flags(projections.FlagQuery{}) {
		open[f.Code]++
		employer, parties := "", []string{}
		if r, ok := v.Worker(f.WorkerID); ok && f.WorkerID != "" {
			employer, parties = r.EmployerID, r.Agencies
		} else if jo, ok := v.JobOrder(f.JobOrderID); ok {
			employer = jo.EmployerID
			for _, a := range jo.JobOrderAgencies() {
				if a != jo.EmployerID {
					parties = append(parties, a)
				}
			}
		}
		if employer != "" {
			employers[employer]++
		}
		for _, a := range parties {
			agencies[a]++
		}
	}
	for name, pair := range map[string][2]map[string]int{"open": {g.Open, open}, "employers": {g.Employers, employers},
		"agencies": {g.Agencies, agencies}} {
		if got, want := mustJSON(t, pair[0]), mustJSON(t, pair[1]); got != want {
			t.Fatalf("gauges %s at %s:\n got %.600s\nwant %.600s", name, clock, got, want)
		}
	}
	for code, n := range open {
		if !projections.Clocked(domain.Flag{Code: code}) && g.Raised[code] < int64(n) {
			t.Fatalf("%s: %d raised, fewer than the %d open", code, g.Raised[code], n)
		}
	}
}

// TestModelClockMovesOn keeps the rollups and month counts at a clock before every deadline, then moves it
// on past some of them and past all (the catch-up adds the overdue reimbursements and open reports whose time
// came), applying new events after each move, and compares every answer at every clock.
func TestModelClockMovesOn(t *testing.T) {
	t.Parallel()
	ls := lines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	var mu sync.Mutex
	now := clocks[0]
	m := openModel(t, dir, readmodel.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	// Two workers' events come last, each applied without a rebuild.
	var rest []string
	later := [][]string{nil, nil}
	for _, l := range ls {
		switch {
		case strings.Contains(l, `"worker_id":"w-000119"`):
			later[0] = append(later[0], l)
		case strings.Contains(l, `"worker_id":"w-000120"`):
			later[1] = append(later[1], l)
		default:
			rest = append(rest, l)
		}
	}
	if len(later[0]) == 0 || len(later[1]) == 0 {
		t.Fatal("no events of the two workers kept for later")
	}
	importLines(t, s, rest)
	catchUp(t, m, s)
	for i, step := range []time.Time{clocks[1], clocks[2]} {
		mu.Lock()
		now = step
		mu.Unlock()
		catchUp(t, m, s) // moves the clock on
		importLines(t, s, later[i])
		if res := catchUp(t, m, s); res.Rebuilt {
			t.Fatalf("catch-up rebuilt: %+v", res)
		}
	}
	conform(t, m, s) // at clocks before the model's, between and at it
	conformPages(t, m, s)
}
