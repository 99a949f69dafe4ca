package readmodel_test

import (
	"context"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// TestAWorkerViewAnswersAsAWholeModel: a view of one worker reads each organisation when first named, from
// the model's rows, rather than every one; what it answers of the worker (its history, flags, money in a
// reporting currency, months of wages), of its job order (but its list of workers) and of the organisations the
// worker names is what a model of the whole store rebuilt in memory answers, with no filter and under one.
func TestAWorkerViewAnswersAsAWholeModel(t *testing.T) {
	t.Parallel()
	_, s, m := caughtUpDataset(t)
	ctx := context.Background()
	for _, f := range []projections.Filter{{}, {AsOf: time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC)}} {
		mem, err := projections.Rebuild(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		clock := f.Clock(clocks[1])
		v := mem.View(clock)
		for _, id := range append(mem.WorkerIDs(), "w-never-recorded") {
			pv, err := m.View(ctx, s, []string{id}, f, clock)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := workerAnswers(t, pv, id), workerAnswers(t, v, id); g != w {
				t.Fatalf("worker %s under %+v:\n got %.900s\nwant %.900s", id, f, g, w)
			}
		}
	}
}

// workerAnswers is what v answers of worker id, as JSON.
func workerAnswers(t *testing.T, v *projections.View, id string) string {
	t.Helper()
	h, ok := v.History(id)
	if !ok {
		return mustJSON(t, []any{ok, v.Flags(projections.FlagQuery{WorkerID: id})})
	}
	usd, err := v.InCurrency(h, "USD")
	if err != nil {
		t.Fatal(err)
	}
	months, _ := v.MonthsOfWages(id)
	var jo projections.JobOrder
	if j, ok := v.JobOrder(h.JobOrderID); ok {
		jo = *j
		jo.Workers = nil // a partial view's lists only the workers it holds (see readmodel.Scope)
	}
	var orgs []any
	for _, org := range append([]string{h.EmployerID, h.RecruitedBy, "org-never-registered"}, h.BuyerIDs...) {
		orgs = append(orgs, v.OrganisationName(org), v.OrganisationRole(org), v.Licence(org, v.Clock()))
	}
	return mustJSON(t, []any{h, v.Flags(projections.FlagQuery{WorkerID: id}), usd, months, jo,
		v.JobOrderFlags(h.JobOrderID), orgs})
}
