package readmodel_test

import (
	"context"
	"testing"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestReportCountsAreMaintainedAsAModelCountsThem compares the persisted model's report counts with a model
// rebuilt in memory: after a rebuild, after reports and resolutions applied a few at a time, and after a
// rebuild from scratch.
func TestReportCountsAreMaintainedAsAModelCountsThem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, smallLines(t))
	m := openModel(t, dir, readmodel.Options{})
	catchUp(t, m, s)
	check := func(stage string) {
		t.Helper()
		mem, err := projections.Rebuild(ctx, s, projections.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		wantCounts, wantOpen := mem.ReportCounts()
		counts, open, err := m.ReportCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSON(t, orEmpty(counts)), mustJSON(t, orEmpty(wantCounts)); g != w || open != wantOpen {
			t.Fatalf("%s: report counts %s, %d unresolved; want %s, %d", stage, g, open, w, wantOpen)
		}
		if stage != "rebuilt" && (len(wantCounts) == 0 || wantOpen == 0) {
			t.Fatalf("%s: no reports or none unresolved: the comparison says nothing", stage)
		}
	}
	check("rebuilt")
	reports := reportEvents()
	for i := 0; i < len(reports); i += 7 {
		importLines(t, s, reports[i:min(i+7, len(reports))])
		if res := catchUp(t, m, s); res.Rebuilt {
			t.Fatalf("batch %d: rebuilt (%s), want applied incrementally", i/7, res.Reason)
		}
		check("incremental")
	}
	again := openModel(t, t.TempDir(), readmodel.Options{})
	catchUp(t, again, s)
	m = again
	check("rebuilt from scratch")
}
