package projections_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestAForkJudgesAsAWholeModel: a model of the context alone (organisations, policies, rates) forked, then
// given the workers' and job orders' events, judges as a model given every event; a rates table applied to
// one fork changes neither the base nor another fork.
func TestAForkJudgesAsAWholeModel(t *testing.T) {
	t.Parallel()
	s := generatedStore(t, 40, 3)
	whole, base := projections.New(projections.Filter{}), projections.New(projections.Filter{})
	var rest, rates []eventstore.Recorded
	for rec, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		if err := whole.Apply(rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(rec.Stream, "worker-") || strings.HasPrefix(rec.Stream, "joborder-"):
			rest = append(rest, rec)
		default:
			if rec.Type == "ExchangeRatesPublished" {
				rates = append(rates, rec)
			}
			if err := base.Apply(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(rates) == 0 {
		t.Fatal("the dataset publishes no rates")
	}
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	baseRates := base.View(clock).Reporting("USD").Rates.Len()
	fork, other := base.Fork(), base.Fork()
	for _, rec := range rest {
		if err := fork.Apply(rec); err != nil {
			t.Fatal(err)
		}
	}
	g := flagsJSON(t, fork.View(clock).Flags(projections.FlagQuery{}))
	w := flagsJSON(t, whole.View(clock).Flags(projections.FlagQuery{}))
	if string(g) != string(w) || len(g) < 100 {
		t.Fatalf("a fork's flags differ from the whole model's (%d vs %d bytes)", len(g), len(w))
	}
	for _, id := range whole.WorkerIDs() {
		wr, _ := whole.View(clock).Worker(id)
		fr, _ := fork.View(clock).Worker(id)
		if a, b := mustMarshal(t, fr), mustMarshal(t, wr); a != b {
			t.Fatalf("worker %s in a fork:\n got %.400s\nwant %.400s", id, a, b)
		}
	}
	again := rates[0]
	again.Position = eventstore.Position{Commit: 1 << 60, Prepare: 1 << 60}
	if err := other.Apply(again); err != nil {
		t.Fatal(err)
	}
	if n := other.View(clock).Reporting("USD").Rates.Len(); n != baseRates+1 {
		t.Fatalf("the fork given a rates table has %d tables, want %d", n, baseRates+1)
	}
	for name, m := range map[string]*projections.Model{"base": base, "another fork": fork} {
		if n := m.View(clock).Reporting("USD").Rates.Len(); n != baseRates {
			t.Errorf("%s has %d rates tables after a fork was given one, want %d", name, n, baseRates)
		}
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
