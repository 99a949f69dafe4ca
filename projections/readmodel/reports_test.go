package readmodel_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// smallDataset is a generated dataset of 30 workers, the reports' setting: small, so the comparisons at many
// clocks and filters stay quick.
var smallDataset = sync.OnceValues(func() ([]string, error) {
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: 30, Seed: 7}); err != nil {
		return nil, err
	}
	return strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n"), nil
})

func smallLines(t *testing.T) []string {
	t.Helper()
	ls, err := smallDataset()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// reportEvents are section 8's reports of the first 30 generated workers, as NDJSON lines: fee reports that
// the recorded fees match and do not (the generated workers paid medical and skills-test fees in NPR), other
// kinds, and resolutions of every outcome for some of them, one of them before and one long after the 30 days.
func reportEvents() []string {
	kinds := []string{domain.ReportFeeNotRecorded, domain.ReportFeeAmountDiffers, domain.ReportThreat,
		domain.ReportDocumentHeld, domain.ReportFeeNotRecorded}
	categories := []string{domain.FeeMedical, domain.FeeSkillsTest, domain.FeeRecruitment}
	amounts := []string{"11500.00", "9000.00", "150000.00", "8999.99", "1.00"}
	var out []string
	for i := 1; i <= 30; i++ {
		worker := fmt.Sprintf("w-%06d", i)
		fee := fmt.Sprintf(`,"fee":{"category":%q,"amount":{"amount":%q,"currency":"NPR"}}`,
			categories[i%len(categories)], amounts[i%len(amounts)])
		out = append(out, fmt.Sprintf(`{"event_id":"0190c000-0000-7000-8000-%012d","type":"WorkerReported",`+
			`"occurred_at":"2024-0%d-1%dT09:00:00Z","data":{"worker_id":%q,"report_id":"rep-%d","kind":%q,`+
			`"channel":"interview","language":"ne"%s}}`+"\n", i, 1+i%9, i%10, worker, i, kinds[i%len(kinds)], fee))
		if i%3 == 0 {
			outcome := domain.ReportOutcomes[(i/3)%len(domain.ReportOutcomes)]
			out = append(out, fmt.Sprintf(`{"event_id":"0190c000-0000-7000-9000-%012d","type":"WorkerReportResolved",`+
				`"occurred_at":"2024-10-0%dT09:00:00Z","data":{"worker_id":%q,"report_id":"rep-%d","outcome":%q}}`+"\n",
				i, 1+i%9, worker, i, outcome))
		}
	}
	return out
}

// TestReportsAnswerAsAModelRebuiltInMemory: with reports applied incrementally after the generated dataset, the
// persisted model lists worker.report_open exactly as a model rebuilt in memory at clocks around the 30 days
// (the reports are recorded a second apart from recordedAt plus the dataset's length), and audits count both new
// codes alike; a resolution recorded late is applied incrementally and closes its report at every clock.
func TestReportsAnswerAsAModelRebuiltInMemory(t *testing.T) {
	t.Parallel()
	ls := smallLines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	m := openModel(t, dir, readmodel.Options{})
	importLines(t, s, ls)
	catchUp(t, m, s)
	reports := reportEvents()
	importLines(t, s, reports)
	if res := catchUp(t, m, s); res.Rebuilt || res.Applied != len(reports) {
		t.Fatalf("catch-up after the reports: %+v, want %d applied incrementally", res, len(reports))
	}
	first := firstReportRecorded(t, s)
	due := first.Add(projections.ReportOpenAfter)
	around := []time.Time{first, due, due.Add(10 * time.Second), recordedAt.AddDate(2, 0, 0)}
	conformAt(t, m, s, around, 0.3)
	if n := countFlags(t, m, domain.FlagWorkerReportOpen, due); n != 0 {
		t.Fatalf("%d worker.report_open listed exactly 30 days after the first report, want none", n)
	}
	if n := countFlags(t, m, domain.FlagWorkerReportOpen, due.AddDate(0, 0, 1)); n == 0 {
		t.Fatal("no worker.report_open listed a day after the reports fell due")
	}
	if n := countFlags(t, m, domain.FlagFeeReportedUnrecorded, first); n == 0 {
		t.Fatal("no fee.reported_unrecorded listed")
	}

	late := `{"event_id":"0190c000-0000-7000-a000-000000000001","type":"WorkerReportResolved",` +
		`"occurred_at":"2026-06-01T09:00:00Z","data":{"worker_id":"w-000001","report_id":"rep-1","outcome":"withdrawn"}}` + "\n"
	importLines(t, s, []string{late})
	if res := catchUp(t, m, s); res.Rebuilt || res.Applied != 1 {
		t.Fatalf("catch-up after a late resolution: %+v, want it applied incrementally", res)
	}
	conformAt(t, m, s, around, 0.3)
	var open []string
	err := m.Flags(context.Background(), projections.FlagQuery{WorkerID: "w-000001"}, recordedAt.AddDate(2, 0, 0),
		readmodel.FlagSeek{}, func(_ []byte, f string) error {
			open = append(open, f)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range open {
		if strings.Contains(f, `"report_id":"rep-1"`) {
			t.Errorf("a withdrawn report still flagged: %s", f)
		}
	}
}

// TestReportsUnderAFilterAnswerAsAWholeModel: as-of and known-at answers about the reports, made worker by worker,
// agree with a whole model rebuilt under the filter, before and after resolutions, at clocks around the 30 days.
func TestReportsUnderAFilterAnswerAsAWholeModel(t *testing.T) {
	t.Parallel()
	ls := smallLines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, ls)
	importLines(t, s, reportEvents())
	m := openModel(t, dir, readmodel.Options{})
	catchUp(t, m, s)
	first := firstReportRecorded(t, s)
	filters := []projections.Filter{
		{AsOf: time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC)},
		{AsOf: time.Date(2024, 10, 4, 9, 0, 0, 0, time.UTC)}, // between resolutions
		{KnownAt: first.Add(20 * time.Second)},               // some reports known, none resolved
		{KnownAt: first.Add(projections.ReportOpenAfter + 25*time.Second)},
		{KnownAt: first.Add(projections.ReportOpenAfter + 365*24*time.Hour)},
	}
	conformUnder(t, m, s, filters, []string{"w-000001", "w-000003", "w-000004", "w-000006", "w-000030"})
}

// firstReportRecorded is the recorded_at of the store's first WorkerReported.
func firstReportRecorded(t *testing.T, s eventstore.Store) time.Time {
	t.Helper()
	for rec, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == domain.TypeWorkerReported {
			return rec.RecordedAt
		}
	}
	t.Fatal("no WorkerReported in the store")
	return time.Time{}
}

// countFlags counts the persisted model's flags of a code at clock.
func countFlags(t *testing.T, m *readmodel.Model, code string, clock time.Time) int {
	t.Helper()
	n := 0
	err := m.Flags(context.Background(), projections.FlagQuery{Code: code}, clock, readmodel.FlagSeek{},
		func([]byte, string) error {
			n++
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
