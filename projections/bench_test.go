package projections_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// benchRecords is a synthetic dataset of the given number of workers as stored records, in global order.
func benchRecords(b *testing.B, workers int) []eventstore.Recorded {
	b.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: workers, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	recorded := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]eventstore.Recorded, len(lines))
	for i, line := range lines {
		env, err := domain.Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		p, err := eventstore.ProposedFrom(env, "import")
		if err != nil {
			b.Fatal(err)
		}
		n := uint64(i + 1)
		recs[i] = eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: env.Stream(), Position: eventstore.Position{Commit: n, Prepare: n},
			OccurredAt: p.OccurredAt, RecordedAt: recorded, RecordedBy: p.RecordedBy, Data: p.Data}
	}
	return recs
}

// benchModel is the model of benchRecords.
func benchModel(b *testing.B, workers int) *projections.Model {
	b.Helper()
	m := projections.New(projections.Filter{})
	for _, rec := range benchRecords(b, workers) {
		if err := m.Apply(rec); err != nil {
			b.Fatal(err)
		}
	}
	return m
}

var benchClock = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkApply rebuilds a model from stored records (decode of the stored data and indexing), the CPU part of
// a rebuild, reporting events/s.
func BenchmarkApply(b *testing.B) {
	recs := benchRecords(b, 1000)
	events := 0
	for b.Loop() {
		m := projections.New(projections.Filter{})
		for _, rec := range recs {
			if err := m.Apply(rec); err != nil {
				b.Fatal(err)
			}
		}
		events += len(recs)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkJudgeWorker judges one worker from cold: each time an organisation is registered first, which makes
// every cached judgement stale, so the report and flags are computed again. It reports workers judged per second
// (the cold first audit judges every worker).
func BenchmarkJudgeWorker(b *testing.B) {
	m := benchModel(b, 1000)
	ids := m.WorkerIDs()
	judged := 0
	for i := 0; b.Loop(); i++ {
		n := uint64(1_000_000 + i)
		m.ApplyFact(projections.Fact{Meta: projections.Meta{Type: domain.TypeOrganisationRegistered, OccurredAt: benchClock,
			RecordedAt: benchClock, Position: eventstore.Position{Commit: n, Prepare: n}},
			Event: &domain.OrganisationRegistered{OrgID: "bench-org", Name: "Bench", Role: domain.RoleAuditor, Country: "MY"}})
		if _, ok := m.View(benchClock).Worker(ids[i%len(ids)]); !ok {
			b.Fatal("worker not found")
		}
		judged++
	}
	b.ReportMetric(float64(judged)/b.Elapsed().Seconds(), "workers/s")
}

// BenchmarkJudge judges every worker of a model as a rebuild of the read model does (View.Judge, no report),
// reporting workers/s; -benchmem says what each judgement allocates, most of a rebuild's collector's work.
func BenchmarkJudge(b *testing.B) {
	m := benchModel(b, 1000)
	ids := m.WorkerIDs()
	judged := 0
	for b.Loop() {
		v := m.View(benchClock)
		for _, id := range ids {
			if _, ok := v.Judge(id); !ok {
				b.Fatal("worker not found")
			}
		}
		judged += len(ids)
	}
	b.ReportMetric(float64(judged)/b.Elapsed().Seconds(), "workers/s")
}

// BenchmarkWorkerFlags answers flags --worker on a judged model, a fresh View per query as a request makes.
func BenchmarkWorkerFlags(b *testing.B) {
	m := benchModel(b, 1000)
	ids := m.WorkerIDs()
	m.View(benchClock).Flags(projections.FlagQuery{}) // judge every worker
	queries := 0
	for i := 0; b.Loop(); i++ {
		v := m.View(benchClock)
		id := ids[i%len(ids)]
		if _, ok := v.Worker(id); !ok {
			b.Fatal("worker not found")
		}
		v.Flags(projections.FlagQuery{WorkerID: id})
		queries++
	}
	b.ReportMetric(float64(queries)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkAudit rolls up one buyer's supply chain on a judged model, reporting workers rolled up per second.
func BenchmarkAudit(b *testing.B) {
	m := benchModel(b, 2000)
	rows, err := m.View(benchClock).Audit(projections.AuditQuery{}) // judges every worker; one row per buyer
	if err != nil || len(rows) == 0 {
		b.Fatalf("audit: %d rows, %v", len(rows), err)
	}
	workers := 0
	for b.Loop() {
		if _, err := m.View(benchClock).Audit(projections.AuditQuery{BuyerID: rows[0].Key}); err != nil {
			b.Fatal(err)
		}
		workers += len(m.WorkerIDs())
	}
	b.ReportMetric(float64(workers)/b.Elapsed().Seconds(), "workers/s")
}

// BenchmarkEncodeFlags encodes every flag of a judged model as the read model stores and lists them
// (readmodel.EncodeFlag), reporting flags/s: the details' encoding is most of it.
func BenchmarkEncodeFlags(b *testing.B) {
	flags := benchModel(b, 1000).View(benchClock).Flags(projections.FlagQuery{})
	encoded := 0
	for b.Loop() {
		for _, f := range flags {
			if _, err := readmodel.EncodeFlag(f); err != nil {
				b.Fatal(err)
			}
		}
		encoded += len(flags)
	}
	b.ReportMetric(float64(encoded)/b.Elapsed().Seconds(), "flags/s")
}
