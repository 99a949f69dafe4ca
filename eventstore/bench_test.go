package eventstore_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// BenchmarkImport imports about 20,000 synthetic events from memory into a new embedded store each time: parse,
// validate, spool, then append in durable batches (fdatasync per batch).
func BenchmarkImport(b *testing.B) {
	var ndjson bytes.Buffer
	n, err := synth.Generate(&ndjson, synth.Options{Workers: 1300, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(ndjson.Len()))
	ctx := context.Background()
	events := 0
	for b.Loop() {
		b.StopTimer()
		s, err := embedded.Open(b.TempDir(), embedded.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := eventstore.Import(ctx, s, bytes.NewReader(ndjson.Bytes()), eventstore.ImportOptions{SpoolDir: b.TempDir()})
		if err != nil || rep.Appended != n {
			b.Fatalf("imported %d of %d events: %v", rep.Appended, n, err)
		}
		events += n
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkChainHash chains the canonical bytes of a typical event (400 bytes) on a previous hash, as every
// appended event is.
func BenchmarkChainHash(b *testing.B) {
	canonical := bytes.Repeat([]byte("x"), 400)
	head := eventstore.StreamHead{Exists: true}
	for b.Loop() {
		head.Hash = eventstore.ChainHash(head, canonical)
	}
}
