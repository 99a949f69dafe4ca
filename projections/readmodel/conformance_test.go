package readmodel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// recordedAt is the clock of the stores of these tests: recorded_at advances a second per event from it.
var recordedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// dataset is a generated dataset's lines, then the boundary workers of months of wages (boundaryLines), made
// once.
var dataset = sync.OnceValues(func() ([]string, error) {
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: 120, Seed: 7}); err != nil {
		return nil, err
	}
	boundary, err := os.ReadFile(boundaryFile)
	if err != nil {
		return nil, err
	}
	buf.Write(boundary)
	return strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n"), nil
})

func lines(t *testing.T) []string {
	t.Helper()
	ls, err := dataset()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// openStore opens an embedded store in dir whose recorded_at clock starts at recordedAt.
func openStore(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	var mu sync.Mutex
	now := recordedAt
	s, err := embedded.Open(dir, embedded.Options{Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importLines(t *testing.T, s eventstore.Store, ls []string) {
	t.Helper()
	if _, err := eventstore.Import(context.Background(), s, strings.NewReader(strings.Join(ls, "")), eventstore.ImportOptions{}); err != nil {
		t.Fatalf("import: %v", err)
	}
}

func openModel(t *testing.T, dir string, opts readmodel.Options) *readmodel.Model {
	t.Helper()
	m, err := readmodel.Open(dir, opts)
	if err != nil {
		t.Fatalf("open read model: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func catchUp(t *testing.T, m *readmodel.Model, s eventstore.Store) readmodel.Result {
	t.Helper()
	res, err := m.CatchUp(context.Background(), s)
	if err != nil {
		t.Fatalf("catch up: %v", err)
	}
	return res
}

// caughtUpDataset imports the dataset into a new store and returns its lines, the store and its read model,
// caught up.
func caughtUpDataset(t *testing.T) ([]string, *embedded.Store, *readmodel.Model) {
	t.Helper()
	ls := lines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, ls)
	m := openModel(t, dir, readmodel.Options{})
	catchUp(t, m, s)
	return ls, s, m
}

// clocks are the times the answers are compared at: before any deadline, between deadlines, after all.
var clocks = []time.Time{recordedAt, recordedAt.AddDate(0, 0, 45), recordedAt.AddDate(2, 0, 0)}

// flagQueries are the listings compared: whole, by code, and scoped to parties the data holds.
func flagQueries(t *testing.T, v *projections.View) []projections.FlagQuery {
	qs := []projections.FlagQuery{{}, {Code: "fee."}, {Code: domain.FlagReimbursementOverdue}, {WorkerID: "nobody"}}
	for _, by := range []string{projections.ByBuyer, projections.ByEmployer, projections.ByAgency} {
		rows, err := v.Audit(projections.AuditQuery{By: by})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows[:min(3, len(rows))] {
			q := projections.FlagQuery{BuyerID: r.Key}
			switch by {
			case projections.ByEmployer:
				q = projections.FlagQuery{EmployerID: r.Key, Code: []string{"", "contract.", "chain."}[i]}
			case projections.ByAgency:
				q = projections.FlagQuery{AgencyID: r.Key, BuyerID: []string{"", "buyer-1", ""}[i]}
			}
			qs = append(qs, q)
		}
	}
	for i, f := range v.Flags(projections.FlagQuery{}) {
		if i%197 == 0 && f.WorkerID != "" {
			qs = append(qs, projections.FlagQuery{WorkerID: f.WorkerID}, projections.FlagQuery{JobOrderID: f.JobOrderID})
		}
	}
	return qs
}

// conform checks that the persisted model answers every query as a model rebuilt in memory from the store,
// and that most listings select something (queries that select nothing prove nothing).
func conform(t *testing.T, m *readmodel.Model, s eventstore.Store) {
	t.Helper()
	conformSome(t, m, s, 0.5)
}

// conformSome is conform asking that a share of the listings select something.
func conformSome(t *testing.T, m *readmodel.Model, s eventstore.Store, selective float64) {
	t.Helper()
	conformAt(t, m, s, clocks, selective)
}

// conformAt is conformSome at the clocks given.
func conformAt(t *testing.T, m *readmodel.Model, s eventstore.Store, clocks []time.Time, selective float64) {
	t.Helper()
	ctx := context.Background()
	mem, err := projections.Rebuild(ctx, s, projections.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	queries := flagQueries(t, mem.View(clocks[len(clocks)-1]))
	conformParties(t, m, mem)
	selecting := 0 // answers that list something: queries that select nothing prove nothing
	for _, clock := range clocks {
		v := mem.View(clock)
		for _, q := range queries {
			want := mustJSON(t, v.Flags(q))
			var got []json.RawMessage
			err := m.Flags(ctx, q, clock, readmodel.FlagSeek{}, func(_ []byte, f string) error {
				got = append(got, json.RawMessage(f))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > 0 {
				selecting++
			}
			if g := mustJSON(t, orEmpty(got)); g != want {
				t.Fatalf("flags %+v at %s:\n got %.600s\nwant %.600s", q, clock, g, want)
			}
		}
		for _, buyer := range []string{"", "buyer-1", "buyer-3"} {
			for _, by := range projections.Groupings {
				q := projections.AuditQuery{BuyerID: buyer, By: by, Currency: currencyFor(by)}
				want, err := v.Audit(q)
				if err != nil {
					t.Fatal(err)
				}
				got, err := m.Audit(ctx, q, clock)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
					t.Fatalf("audit %+v at %s:\n got %.900s\nwant %.900s", q, clock, g, w)
				}
				if by == projections.ByJobOrder && buyer == "" {
					checkBoundary(t, v, got)
				}
			}
		}
		conformAgencies(t, m, v, clock)
	}
	if float64(selecting) < selective*float64(len(queries)*len(clocks)) {
		t.Errorf("only %d of %d listings selected a flag", selecting, len(queries)*len(clocks))
	}
}

// conformParties: the parties the model records of each worker are those of its judgement, and a worker no
// event names has none.
func conformParties(t *testing.T, m *readmodel.Model, mem *projections.Model) {
	t.Helper()
	v := mem.View(time.Time{})
	for _, id := range append(mem.WorkerIDs(), "w-never-recorded") {
		j, want := v.Judge(id)
		got, ok, err := m.WorkerParties(context.Background(), id)
		if err != nil || ok != want {
			t.Fatalf("parties of %s: found %v, %v; want found %v", id, ok, err, want)
		}
		w := readmodel.WorkerParties{JobOrderID: j.JobOrderID, EmployerID: j.EmployerID, BuyerIDs: orEmpty(j.BuyerIDs),
			Agencies: orEmpty(j.Agencies)}
		if ok && mustJSON(t, orEmptyParties(got)) != mustJSON(t, w) {
			t.Fatalf("parties of %s: %+v, want %+v", id, got, w)
		}
	}
}

func orEmptyParties(p readmodel.WorkerParties) readmodel.WorkerParties {
	p.BuyerIDs, p.Agencies = orEmpty(p.BuyerIDs), orEmpty(p.Agencies)
	return p
}

// conformAgencies compares the agency scorecards from the rollups with those of the in-memory view.
func conformAgencies(t *testing.T, m *readmodel.Model, v *projections.View, clock time.Time) {
	t.Helper()
	for _, q := range []projections.AgencyQuery{{MinWorkers: 1}, {BuyerID: "buyer-1", Currency: "USD", MinWorkers: 2},
		{Sort: projections.SortName, MinWorkers: 1}} {
		want := v.Agencies(q)
		got, err := m.Agencies(context.Background(), q, clock)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Agencies) == 0 && q.BuyerID == "" {
			t.Fatalf("agencies %+v at %s: none to compare", q, clock)
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Fatalf("agencies %+v at %s:\n got %.1500s\nwant %.1500s", q, clock, g, w)
		}
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPersistedModelAnswersAsAModelRebuiltInMemory(t *testing.T) {
	t.Parallel()
	ls := lines(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	// Its first audit in USD starts keeping USD (rollup_money), which the second catch-up then maintains.
	m := openModel(t, dir, readmodel.Options{KeepAskedCurrencies: true})
	importLines(t, s, ls[:len(ls)*2/3])
	if res := catchUp(t, m, s); !res.Rebuilt || res.Reason != readmodel.ReasonMissing {
		t.Fatalf("first catch-up: %+v, want a rebuild for a missing model", res)
	}
	conform(t, m, s)
	checkFlagView(t, m, dir)
	importLines(t, s, ls[len(ls)*2/3:])
	res := catchUp(t, m, s)
	if res.Applied == 0 && !res.Rebuilt {
		t.Fatalf("second catch-up applied nothing: %+v", res)
	}
	t.Logf("second catch-up: %+v", res)
	conform(t, m, s)
	conformPages(t, m, s)
	checkFlagView(t, m, dir)
}

// TestRebuildInPassesAnswersAsOnePass rebuilds with a small memory budget, so that the workers are judged in
// several passes over the store and the flags and their scopes sorted in many runs merged (and the money in
// USD tallied per chunk), and compares the answers with a model rebuilt in memory.
func TestRebuildInPassesAnswersAsOnePass(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t))
	m := openModel(t, dir, readmodel.Options{ShardEvents: 400, SortRunBytes: 8 << 10, Currencies: []string{"USD"}})
	if res, err := m.Rebuild(context.Background(), s, "test"); err != nil || !res.Rebuilt {
		t.Fatalf("rebuild: %+v, %v", res, err)
	}
	conform(t, m, s)
}

// currencyFor is the reporting currency the conformance suite audits a grouping in: none for two groupings
// (the audit as before), US dollars for the others, so that the persisted ledgers are compared with the
// in-memory judgements without doubling the audits the suite runs.
func currencyFor(by string) string {
	if by == projections.ByAgency || by == projections.ByJobOrder {
		return "USD"
	}
	return ""
}

// TestCatchUpsOfAFewEventsAnswerAsAModelRebuiltInMemory applies the workers' events of a small dataset a few
// events per catch-up, after its first workers, so that recruitments come alone to job orders with workers
// stored before them (a catch-up judges again the recruited worker, not the job order's others, which no
// judgement of theirs reads), and compares the answers with a model rebuilt in memory. The exchange rates the
// dataset ends with are left out: they would rebuild the model. Catch-ups of some sixty events judge several
// workers each, on every core (writeWorkers).
func TestCatchUpsOfAFewEventsAnswerAsAModelRebuiltInMemory(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		step int
	}{
		{"five events per catch-up", 5},
		{"sixty events of several workers per catch-up", 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			catchUpsOf(t, tc.step)
		})
	}
}

// catchUpsOf is TestCatchUpsOfAFewEventsAnswerAsAModelRebuiltInMemory with step events per catch-up.
func catchUpsOf(t *testing.T, step int) {
	ls := smallLines(t)
	var recruited []int
	rates := len(ls)
	for i, l := range ls {
		if strings.Contains(l, `"type":"WorkerRecruited"`) {
			recruited = append(recruited, i)
		}
		if strings.Contains(l, `"type":"ExchangeRatesPublished"`) {
			rates = min(rates, i)
		}
	}
	dir := t.TempDir()
	s := openStore(t, dir)
	now := time.Now()
	opts := readmodel.Options{Currencies: []string{"USD"}, Now: func() time.Time { return now }}
	m := openModel(t, dir, opts) // rollup_money kept by every catch-up
	from := recruited[3]
	importLines(t, s, ls[:from])
	catchUp(t, m, s)
	for ; from < rates; from += step {
		importLines(t, s, ls[from:min(from+step, rates)])
		if res := catchUp(t, m, s); res.Rebuilt {
			t.Fatalf("catch-up of lines %d to %d rebuilt the model (%s), want them applied", from, from+step, res.Reason)
		}
	}
	conformAt(t, m, s, clocks, 0.3)
	rebuilt := t.TempDir()
	catchUp(t, openModel(t, rebuilt, opts), s)
	caught, built := modelRows(t, dir), modelRows(t, rebuilt)
	for _, table := range []string{"rollups", "rollup_months", "rollup_job_orders", "rollup_money", "flag_months"} {
		if caught[table] != built[table] {
			t.Errorf("%s of the model caught up a few events at a time differs from a rebuilt model's:\n%s\nrebuilt:\n%s",
				table, caught[table], built[table])
		}
	}
}
