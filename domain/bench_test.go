package domain_test

import (
	"bytes"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
)

// datasetLines is a synthetic dataset's NDJSON lines: every event type in its realistic share.
func datasetLines(b *testing.B, workers int) [][]byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: workers, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

// BenchmarkDecode decodes and validates envelopes as the importer and the API do (eventstore.Decode: JSON v2's fast
// path, domain.Decode for what it refuses), reporting events/s on one core.
func BenchmarkDecode(b *testing.B) {
	lines := datasetLines(b, 300)
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	b.SetBytes(int64(size))
	events := 0
	for b.Loop() {
		for _, l := range lines {
			if _, err := eventstore.Decode(l); err != nil {
				b.Fatal(err)
			}
		}
		events += len(lines)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEncodeData encodes decoded events canonically, the other half of the importer's per-event work.
func BenchmarkEncodeData(b *testing.B) {
	lines := datasetLines(b, 300)
	events := make([]domain.Event, len(lines))
	for i, l := range lines {
		env, err := domain.Decode(l)
		if err != nil {
			b.Fatal(err)
		}
		events[i] = env.Event
	}
	n := 0
	for b.Loop() {
		for _, e := range events {
			if _, err := domain.EncodeData(e); err != nil {
				b.Fatal(err)
			}
		}
		n += len(events)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
