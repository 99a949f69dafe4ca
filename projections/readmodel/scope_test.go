package readmodel_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestAJobOrdersViewAnswersAsAWholeModel compares each job order, and the reports of its workers, read from a
// view of the job order alone (its workers' streams and the model's context) with a model of the whole store,
// now and under a time filter.
func TestAJobOrdersViewAnswersAsAWholeModel(t *testing.T) {
	t.Parallel()
	_, s, m := caughtUpDataset(t)
	ctx := context.Background()
	now := time.Now()
	for _, f := range []projections.Filter{{}, {AsOf: time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC)}} {
		mem, err := projections.Rebuild(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		clock := f.Clock(now)
		whole := mem.View(clock)
		ids := mem.JobOrderIDs()
		if len(ids) == 0 {
			t.Fatal("the dataset has no job orders")
		}
		for _, id := range ids {
			pv, err := m.ViewOf(ctx, s, readmodel.Scope{JobOrders: []string{id}}, f, clock)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := whole.JobOrder(id)
			got, ok := pv.JobOrder(id)
			if !ok {
				t.Fatalf("job order %s under %+v: not in its own view", id, f)
			}
			if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
				t.Fatalf("job order %s under %+v:\n got %.600s\nwant %.600s", id, f, g, w)
			}
			if g, w := mustJSON(t, pv.JobOrderFlags(id)), mustJSON(t, whole.JobOrderFlags(id)); g != w {
				t.Fatalf("job order %s flags under %+v:\n got %.600s\nwant %.600s", id, f, g, w)
			}
			for _, w := range want.Workers {
				wr, _ := whole.Worker(w)
				gr, ok := pv.Worker(w)
				if !ok {
					t.Fatalf("worker %s of job order %s under %+v: not in the view", w, id, f)
				}
				if g, w := mustJSON(t, gr), mustJSON(t, wr); g != w {
					t.Fatalf("worker of job order %s under %+v:\n got %.600s\nwant %.600s", id, f, g, w)
				}
			}
		}
	}
}

// TestAViewOfUnknownNamesIsEmpty: a scope naming a worker and a job order the store does not hold gives a view
// that knows neither, and no error.
func TestAViewOfUnknownNamesIsEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t)[:50])
	m := openModel(t, dir, readmodel.Options{})
	catchUp(t, m, s)
	v, err := m.ViewOf(context.Background(), s, readmodel.Scope{Workers: []string{"w-none"}, JobOrders: []string{"jo-none"}},
		projections.Filter{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Worker("w-none"); ok {
		t.Error("an unknown worker is in the view")
	}
	if _, ok := v.JobOrder("jo-none"); ok {
		t.Error("an unknown job order is in the view")
	}
}

// TestAWorkerRecruitedAgainIsAmongTheSecondJobOrdersWorkers records a second recruitment of a worker, for another
// job order, and checks that a view of that job order lists the worker as a whole model does: after the
// catch-up that applies it, and after a rebuild.
func TestAWorkerRecruitedAgainIsAmongTheSecondJobOrdersWorkers(t *testing.T) {
	t.Parallel()
	ls, s, m := caughtUpDataset(t)
	ctx := context.Background()
	again, second := recruitedAgain(t, ls)
	importLines(t, s, []string{again})
	for _, step := range []string{"catch-up", "rebuild"} {
		if step == "catch-up" {
			catchUp(t, m, s)
		} else if _, err := m.Rebuild(ctx, s, "test"); err != nil {
			t.Fatal(err)
		}
		mem, err := projections.Rebuild(ctx, s, projections.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := mem.View(recordedAt).JobOrder(second)
		pv, err := m.ViewOf(ctx, s, readmodel.Scope{JobOrders: []string{second}}, projections.Filter{}, recordedAt)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := pv.JobOrder(second)
		if !ok {
			t.Fatalf("after the %s: job order %s not in its own view", step, second)
		}
		if g, w := mustJSON(t, got.Workers), mustJSON(t, want.Workers); g != w {
			t.Fatalf("after the %s: workers of %s:\n got %s\nwant %s", step, second, g, w)
		}
	}
}

// recruitedAgain is the dataset's first recruitment recorded again a day later for another job order of the
// dataset (its last), with a new event id, and that job order.
func recruitedAgain(t *testing.T, ls []string) (line, jobOrder string) {
	t.Helper()
	var first map[string]any
	for _, l := range ls {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		data, _ := e["data"].(map[string]any)
		switch e["type"] {
		case "WorkerRecruited":
			if first == nil {
				first = e
			}
		case "JobOrderIssued":
			jobOrder, _ = data["job_order_id"].(string)
		}
	}
	if first == nil || jobOrder == "" {
		t.Fatal("the dataset has no recruitment or no job order")
	}
	data := first["data"].(map[string]any)
	if data["job_order_id"] == jobOrder {
		t.Fatal("the dataset's first recruitment is for its last job order: choose another")
	}
	data["job_order_id"] = jobOrder
	at, err := time.Parse(time.RFC3339, first["occurred_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	first["occurred_at"] = at.AddDate(0, 0, 1).Format(time.RFC3339)
	first["event_id"] = "01900000-0000-7000-8000-00000000a9a1"
	b, err := json.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n", jobOrder
}
