package readmodel

import (
	"bytes"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// BenchmarkJudgeEncode judges and encodes every worker of a generated model of 1,000 workers as a rebuild's
// judging goroutines do (View.Judge, then encodeWorker), on one goroutine, reporting workers/s; -benchmem says
// what each worker allocates.
func BenchmarkJudgeEncode(b *testing.B) {
	m := judgeEncodeModel(b, 1000)
	ids := m.WorkerIDs()
	done := 0
	for b.Loop() {
		v := m.View(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
		for _, id := range ids {
			j, ok := v.Judge(id)
			if !ok {
				b.Fatal("worker not found")
			}
			if _, err := encodeWorker(j); err != nil {
				b.Fatal(err)
			}
		}
		done += len(ids)
	}
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "workers/s")
}

// judgeEncodeModel is the model of a generated dataset of the given number of workers.
func judgeEncodeModel(b *testing.B, workers int) *projections.Model {
	b.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: workers, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	m := projections.New(projections.Filter{})
	recorded := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, line := range bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n")) {
		env, err := domain.Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		p, err := eventstore.ProposedFrom(env, "import")
		if err != nil {
			b.Fatal(err)
		}
		n := uint64(i + 1)
		if err := m.Apply(eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: env.Stream(),
			Position: eventstore.Position{Commit: n, Prepare: n}, OccurredAt: p.OccurredAt, RecordedAt: recorded,
			RecordedBy: p.RecordedBy, Data: p.Data}); err != nil {
			b.Fatal(err)
		}
	}
	return m
}
