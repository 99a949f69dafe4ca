package console_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// benchStore is the embedded store BenchmarkPages reads and its persisted read model, caught up, both closed
// when the benchmark ends: FAIRTRAIL_BENCH_DATA's, opened read-only (nothing in it is written), or a
// generated dataset imported into dir.
func benchStore(b *testing.B, dir string, logger *slog.Logger) (eventstore.Store, *readmodel.Model) {
	data, readOnly := os.Getenv("FAIRTRAIL_BENCH_DATA"), true
	if data == "" {
		data, readOnly = filepath.Join(dir, "data"), false
	}
	store, err := embedded.Open(data, embedded.Options{ReadOnly: readOnly, Logger: logger})
	if err != nil {
		b.Fatalf("FAIRTRAIL_BENCH_DATA: %v", err)
	}
	b.Cleanup(func() { store.Close() })
	if !readOnly {
		importGenerated(b, store, dir)
	}
	model, err := readmodel.Open(data, readmodel.Options{ReadOnly: readOnly, Logger: logger})
	if err != nil {
		b.Fatalf("FAIRTRAIL_BENCH_DATA: %v", err)
	}
	b.Cleanup(func() { model.Close() })
	start := time.Now()
	if _, err := model.CatchUp(context.Background(), store); err != nil {
		b.Fatalf("read model of %s (a prepared one must be caught up: fairtrail flags --data DIR does it): %v", data, err)
	}
	b.Logf("persisted read model of %s caught up in %s", data, time.Since(start).Round(time.Millisecond))
	return store, model
}

// importGenerated imports a generated dataset of FAIRTRAIL_BENCH_WORKERS workers (2,000 by default) into store,
// spooling in dir.
func importGenerated(b *testing.B, store eventstore.Store, dir string) {
	workers := 2000
	if s := os.Getenv("FAIRTRAIL_BENCH_WORKERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("FAIRTRAIL_BENCH_WORKERS=%q: not a number of workers", s)
		}
		workers = n
	}
	pr, pw := io.Pipe()
	go func() { _, err := synth.Generate(pw, synth.Options{Workers: workers, Seed: 5}); pw.CloseWithError(err) }()
	start := time.Now()
	if _, err := eventstore.Import(context.Background(), store, pr, eventstore.ImportOptions{SpoolDir: dir}); err != nil {
		b.Fatal(err)
	}
	b.Logf("imported %d workers in %s", workers, time.Since(start).Round(time.Millisecond))
}
