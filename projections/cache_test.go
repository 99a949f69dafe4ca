package projections_test

import (
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestCachedJudgementsFollowEveryEvent applies a busy world one event at a time, in a shuffled order, asking
// for flags, audits and reports after each event (so judgements are cached and then invalidated), and checks
// every answer against a model rebuilt from scratch with the same events.
func TestCachedJudgementsFollowEveryEvent(t *testing.T) {
	s := newScenario(t, busyWorld())
	facts := s.globalOrder()
	rand.New(rand.NewPCG(3, 9)).Shuffle(len(facts), func(i, j int) { facts[i], facts[j] = facts[j], facts[i] })
	live := projections.New(projections.Filter{})
	for i, f := range facts {
		n := uint64(i + 1)
		f.Position = eventstore.Position{Commit: n, Prepare: n}
		live.ApplyFact(f)
		clock := day(10 * i)
		got := live.View(clock)
		want := build(projections.Filter{}, facts[:i+1]).View(clock)
		if g, w := flagsJSON(t, got.Flags(projections.FlagQuery{})), flagsJSON(t, want.Flags(projections.FlagQuery{})); string(g) != string(w) {
			t.Fatalf("after event %d (%s): cached flags differ from a rebuild\n got %s\nwant %s", i, f.Type, g, w)
		}
		ga, _ := got.Audit(projections.AuditQuery{By: projections.ByAgency})
		wa, _ := want.Audit(projections.AuditQuery{By: projections.ByAgency})
		if g, w := jsonOf(t, ga), jsonOf(t, wa); g != w {
			t.Fatalf("after event %d (%s): cached audit differs from a rebuild\n got %s\nwant %s", i, f.Type, g, w)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConcurrentViewsShareTheCache runs views from several goroutines over one model, as the API does under
// the live model's read lock; -race checks the cache.
func TestConcurrentViewsShareTheCache(t *testing.T) {
	s := newScenario(t, busyWorld())
	m := build(projections.Filter{}, s.globalOrder())
	want := flagsJSON(t, build(projections.Filter{}, s.globalOrder()).View(day(200)).Flags(projections.FlagQuery{}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := flagsJSON(t, m.View(day(200)).Flags(projections.FlagQuery{})); string(got) != string(want) {
					t.Errorf("concurrent view disagrees")
					return
				}
			}
		})
	}
	wg.Wait()
}
