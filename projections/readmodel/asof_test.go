package readmodel_test

import (
	"context"
	"os"
	"path/filepath"
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
	ls, s, m := caughtUpDataset(t)
	filters := []projections.Filter{
		{AsOf: time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC)},
		{KnownAt: recordedAt.Add(time.Duration(len(ls)/2) * time.Second)},
		{AsOf: time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), KnownAt: recordedAt.Add(time.Duration(len(ls)*3/4) * time.Second)},
		{AsOf: recordedAt.AddDate(1, 0, 0)},
	}
	conformUnder(t, m, s, filters, []string{"w-000001", "w-000077", "w-000120"})
}

// TestReplaysSpilledToFilesAnswerAsAWholeModel: a store larger than a shard has its workers' events spilled to
// files and replayed a few shards at a time; the answers are a whole model's all the same, and the spill's
// directory is removed once each replay is done.
func TestReplaysSpilledToFilesAnswerAsAWholeModel(t *testing.T) {
	t.Parallel()
	ls, s, m := caughtUpDataset(t)
	spills := t.TempDir()
	small := openModel(t, filepath.Dir(m.Path()), readmodel.Options{ShardEvents: uint64(len(ls) / 5), SpillDir: spills})
	filters := []projections.Filter{
		{AsOf: time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC)},
		{KnownAt: recordedAt.Add(time.Duration(len(ls)*2/3) * time.Second)},
	}
	conformUnder(t, small, s, filters, []string{"w-000001"})
	left, err := os.ReadDir(spills)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Fatalf("the replays left %d entries in the spill directory, first %s", len(left), left[0].Name())
	}
}

// conformUnder compares the persisted model's answers under each filter, and the histories of workers, with
// those of a model of the whole store rebuilt in memory under the same filter. The listings and the audits of
// a filter are each answered from one replay (FlagsUnderEach, AuditsUnder); the first filter's are also asked
// one at a time (FlagsUnder, AuditUnder), which must answer alike.
func conformUnder(t *testing.T, m *readmodel.Model, s eventstore.Store, filters []projections.Filter, workers []string) {
	t.Helper()
	ctx := context.Background()
	for i, f := range filters {
		mem, err := projections.Rebuild(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		clock := f.Clock(time.Now())
		v := mem.View(clock)
		conformFlagsUnder(t, m, s, v, f, clock, i == 0)
		conformAuditsUnder(t, m, s, v, f, clock, i == 0)
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

// conformFlagsUnder compares the listings under filter f with the in-memory view v's, all from one replay, and
// those scoped to a job order, a buyer or an employer from another, and, if alone, the whole listing and those
// of one worker also asked by themselves.
func conformFlagsUnder(t *testing.T, m *readmodel.Model, s eventstore.Store, v *projections.View, f projections.Filter,
	clock time.Time, alone bool) {
	t.Helper()
	ctx := context.Background()
	qs := flagQueries(t, v)
	got, err := m.FlagsUnderEach(ctx, s, qs, f, clock)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(qs) {
		t.Fatalf("%d listings for %d queries under %+v", len(got), len(qs), f)
	}
	for i, q := range qs {
		want := mustJSON(t, v.Flags(q))
		if g := mustJSON(t, got[i]); g != want {
			t.Fatalf("flags %+v under %+v:\n got %.600s\nwant %.600s", q, f, g, want)
		}
		if !alone || i > 0 && q.WorkerID == "" {
			continue
		}
		one, err := m.FlagsUnder(ctx, s, q, f, clock)
		if err != nil {
			t.Fatal(err)
		}
		if g := mustJSON(t, one); g != want {
			t.Fatalf("flags %+v under %+v asked alone:\n got %.600s\nwant %.600s", q, f, g, want)
		}
	}
	conformScopedFlagsUnder(t, m, s, v, qs, f, clock, alone)
}

// conformScopedFlagsUnder compares the listings of qs scoped to a job order, a buyer or an employer, asked
// without the others (so that the replay reads only the workers recruited on the job orders they select), and
// if alone each by itself, with the in-memory view v's.
func conformScopedFlagsUnder(t *testing.T, m *readmodel.Model, s eventstore.Store, v *projections.View,
	qs []projections.FlagQuery, f projections.Filter, clock time.Time, alone bool) {
	t.Helper()
	var scoped []projections.FlagQuery
	for _, q := range qs {
		if q.WorkerID == "" && (q.JobOrderID != "" || q.BuyerID != "" || q.EmployerID != "") {
			scoped = append(scoped, q)
		}
	}
	if len(scoped) == 0 {
		t.Fatal("no listing scoped to a job order, a buyer or an employer")
	}
	got, err := m.FlagsUnderEach(context.Background(), s, scoped, f, clock)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range scoped {
		w := mustJSON(t, v.Flags(q))
		if g := mustJSON(t, got[i]); g != w {
			t.Fatalf("flags %+v under %+v asked with the scoped listings alone:\n got %.600s\nwant %.600s", q, f, g, w)
		}
		if !alone {
			continue
		}
		one, err := m.FlagsUnder(context.Background(), s, q, f, clock)
		if err != nil {
			t.Fatal(err)
		}
		if g := mustJSON(t, one); g != w {
			t.Fatalf("flags %+v under %+v asked by itself:\n got %.600s\nwant %.600s", q, f, g, w)
		}
	}
}

// conformAuditsUnder compares the audits under filter f with the in-memory view v's, all from one replay, and,
// if alone, a buyer's audits in a reporting currency also asked by themselves.
func conformAuditsUnder(t *testing.T, m *readmodel.Model, s eventstore.Store, v *projections.View, f projections.Filter,
	clock time.Time, alone bool) {
	t.Helper()
	ctx := context.Background()
	var qs []projections.AuditQuery
	for _, buyer := range []string{"", "buyer-2"} {
		for _, by := range projections.Groupings {
			qs = append(qs, projections.AuditQuery{BuyerID: buyer, By: by, Currency: currencyFor(by)})
		}
	}
	got, err := m.AuditsUnder(ctx, s, qs, f, clock)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(qs) {
		t.Fatalf("%d audits for %d queries under %+v", len(got), len(qs), f)
	}
	for i, q := range qs {
		want, err := v.Audit(q)
		if err != nil {
			t.Fatal(err)
		}
		w := mustJSON(t, want)
		if g := mustJSON(t, got[i]); g != w {
			t.Fatalf("audit %+v under %+v:\n got %.900s\nwant %.900s", q, f, g, w)
		}
		if q.By == projections.ByJobOrder {
			checkBoundary(t, v, got[i])
		}
		if !alone || q.BuyerID == "" || q.Currency == "" {
			continue
		}
		one, err := m.AuditUnder(ctx, s, q, f, clock)
		if err != nil {
			t.Fatal(err)
		}
		if g := mustJSON(t, one); g != w {
			t.Fatalf("audit %+v under %+v asked alone:\n got %.900s\nwant %.900s", q, f, g, w)
		}
	}
}
