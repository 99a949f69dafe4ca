package readmodel_test

import (
	"context"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestReplaysUnderAFilterAnswerAsAWholeModel compares the as-of and known-at answers made worker by worker
// from streams with those of a model of the whole store rebuilt under the same filter.
func TestReplaysUnderAFilterAnswerAsAWholeModel(t *testing.T) {
	t.Parallel()
	ls := lines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, ls)
	m := openModel(t, dir, readmodel.Options{})
	catchUp(t, m, s)
	filters := []projections.Filter{
		{AsOf: time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC)},
		{KnownAt: recordedAt.Add(time.Duration(len(ls)/2) * time.Second)},
		{AsOf: time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), KnownAt: recordedAt.Add(time.Duration(len(ls)*3/4) * time.Second)},
		{AsOf: recordedAt.AddDate(1, 0, 0)},
	}
	conformUnder(t, m, s, filters, []string{"w-000001", "w-000077", "w-000120"})
}

// conformUnder compares the persisted model's answers under each filter, and the histories of workers, with
// those of a model of the whole store rebuilt in memory under the same filter.
func conformUnder(t *testing.T, m *readmodel.Model, s eventstore.Store, filters []projections.Filter, workers []string) {
	t.Helper()
	ctx := context.Background()
	for _, f := range filters {
		mem, err := projections.Rebuild(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		clock := f.Clock(time.Now())
		v := mem.View(clock)
		for _, q := range flagQueries(t, v) {
			got, err := m.FlagsUnder(ctx, s, q, f, clock)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := mustJSON(t, got), mustJSON(t, v.Flags(q)); g != w {
				t.Fatalf("flags %+v under %+v:\n got %.600s\nwant %.600s", q, f, g, w)
			}
		}
		for _, buyer := range []string{"", "buyer-2"} {
			for _, by := range projections.Groupings {
				q := projections.AuditQuery{BuyerID: buyer, By: by, Currency: currencyFor(by)}
				want, err := v.Audit(q)
				if err != nil {
					t.Fatal(err)
				}
				got, err := m.AuditUnder(ctx, s, q, f, clock)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
					t.Fatalf("audit %+v under %+v:\n got %.900s\nwant %.900s", q, f, g, w)
				}
			}
		}
		aq := projections.AgencyQuery{BuyerID: "buyer-2", Currency: "USD", MinWorkers: 1}
		agencies, err := m.AgenciesUnder(ctx, s, aq, f, clock)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSON(t, agencies), mustJSON(t, v.Agencies(aq)); g != w {
			t.Fatalf("agencies %+v under %+v:\n got %.1500s\nwant %.1500s", aq, f, g, w)
		}
		for _, id := range workers {
			want, ok := v.History(id)
			pv, err := m.View(ctx, s, []string{id}, f, clock)
			if err != nil {
				t.Fatal(err)
			}
			got, gotOK := pv.History(id)
			if ok != gotOK || mustJSON(t, got) != mustJSON(t, want) {
				t.Fatalf("history %s under %+v:\n got %.600s\nwant %.600s", id, f, mustJSON(t, got), mustJSON(t, want))
			}
		}
	}
}
