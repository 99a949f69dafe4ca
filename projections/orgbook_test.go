package projections_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestAModelLoadingOrganisationsJudgesAsAWholeModel: a model given every event but the organisations', which
// it reads through LoadOrgs when a judgement first names one, judges each worker as a model given every event,
// asks for each organisation once and for only some of them; a registration applied after its organisation was
// loaded is not counted twice, and a loader's error is kept.
func TestAModelLoadingOrganisationsJudgesAsAWholeModel(t *testing.T) {
	t.Parallel()
	s := generatedStore(t, 40, 5)
	whole, lazy := projections.New(projections.Filter{}), projections.New(projections.Filter{})
	regs := map[string][]projections.Fact{}
	for rec, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		f, err := projections.Decode(rec)
		if err != nil {
			t.Fatal(err)
		}
		whole.ApplyFact(f)
		if e, ok := f.Event.(*domain.OrganisationRegistered); ok {
			regs[e.OrgID] = append(regs[e.OrgID], f)
			continue
		}
		lazy.ApplyFact(f)
	}
	asked := map[string]int{}
	lazy.LoadOrgs(func(id string) ([]projections.Fact, error) {
		asked[id]++
		return regs[id], nil
	})
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	wv, lv := whole.View(clock), lazy.View(clock)
	for _, id := range whole.WorkerIDs()[:10] {
		wr, _ := wv.History(id)
		lr, _ := lv.History(id)
		if a, b := mustMarshal(t, lr), mustMarshal(t, wr); a != b {
			t.Fatalf("worker %s of a model loading its organisations:\n got %.400s\nwant %.400s", id, a, b)
		}
	}
	for id, n := range asked {
		if n != 1 {
			t.Errorf("organisation %s asked for %d times", id, n)
		}
	}
	if len(asked) == 0 || len(asked) >= len(regs) {
		t.Errorf("ten workers' judgements asked for %d organisations of %d", len(asked), len(regs))
	}
	again := ""
	for _, id := range whole.WorkerIDs() {
		if r, _ := lv.Worker(id); len(lv.Flags(projections.FlagQuery{WorkerID: id, Code: domain.FlagUnlicensedAgency})) > 0 {
			again = id
			rs := regs[r.RecruitedBy]
			lazy.ApplyFact(rs[len(rs)-1]) // its evidence lists every registration of the recruiter
			break
		}
	}
	q := projections.FlagQuery{WorkerID: again}
	if again == "" {
		t.Fatal("no worker recruited by an unlicensed agency")
	} else if a, b := mustMarshal(t, lazy.View(clock).Flags(q)), mustMarshal(t, wv.Flags(q)); a != b {
		t.Fatalf("flags of %s after its recruiter's registration was applied again:\n got %.400s\nwant %.400s", again, a, b)
	}
	if err := lazy.OrgLoadErr(); err != nil {
		t.Fatal(err)
	}
	failing := errors.New("no model")
	lazy.LoadOrgs(func(string) ([]projections.Fact, error) { return nil, failing })
	lazy.View(clock).OrganisationName("emp-sa-1")
	if err := lazy.OrgLoadErr(); !errors.Is(err, failing) {
		t.Fatalf("the loader's error: %v, want %v", err, failing)
	}
}
