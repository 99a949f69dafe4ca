package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/cmd/fairtrail/internal/benchpeer"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// About how many events the concurrent writers append, the API's clients post, and the mixed load posts.
const (
	benchConcurrentEvents = 32_000
	benchPostedEvents     = 16_000
	benchMixedEvents      = 1_200
)

// benchInMemoryMaxWorkers is the largest dataset whose in-memory rebuild (bench_read.go) is measured: it holds
// every event in memory (about 10 GiB and minutes at 600,000 workers).
const benchInMemoryMaxWorkers = 200_000

// benchConfig is what bench was asked to do.
type benchConfig struct {
	workers int
	seed    int64
	data    string
	queries int
	format  string
	profile string
	only    string
	// store and cache name an existing store and its model's directory (--only flags-worker, --only walk).
	store string
	cache string
}

// newBenchCmd generates the synthetic dataset and measures, with the real components, the durable bulk import,
// concurrent appends, a full rebuild and its peak RSS, the query latencies, and the same events in the peer
// (when built with -tags peer).
func newBenchCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure import, appends, rebuild, queries and the API on a generated dataset",
		Example: `  fairtrail bench --workers 70000
  fairtrail bench --workers 2000 --format json --profile prof`,
	}
	fs := cmd.Flags()
	var cfg benchConfig
	fs.IntVar(&cfg.workers, "workers", 70_000, fmt.Sprintf("number of workers to generate (about 15 events each), 100 to %d", maxWorkers))
	fs.Int64Var(&cfg.seed, "seed", 1, "random seed of the dataset and of the sample of workers queried")
	fs.StringVar(&cfg.data, "data", "", "directory to hold the benchmark's temporary directory (default the system's)")
	fs.IntVar(&cfg.queries, "queries", 2000, "history and flags queries, each for a random worker")
	fs.StringVar(&cfg.profile, "profile", "", "write a CPU profile of every phase (PHASE.cpu.pprof) and heap profiles into this directory")
	fs.StringVar(&cfg.only, "only", "", "run one phase alone: "+benchOnlyMixed+" (the API's mixed load over a store imported for it), "+
		benchOnlyFlagsWorker+" (GET /v1/flags?worker= for random workers of an existing store, --store) or "+benchOnlyWalk+
		" (every GET /v1/flags page of an existing store, --store)")
	fs.StringVar(&cfg.store, "store", "", "with --only "+benchOnlyFlagsWorker+" or "+benchOnlyWalk+": the data directory of a store "+
		"of fairtrail generate's dataset of --workers workers (nothing is written into it)")
	fs.StringVar(&cfg.cache, "cache", "", "with --only "+benchOnlyFlagsWorker+" or "+benchOnlyWalk+": the directory of the read "+
		"model serve keeps (default: the store's directory)")
	child := fs.String("rebuild-child", "", "used by bench itself: measure the rebuild and queries of the store in this directory")
	fs.MarkHidden("rebuild-child")
	format := formatFlag(cmd, "text", "json")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		var err error
		if cfg.format, err = format(); err != nil {
			return err
		}
		if cfg.queries < 1 {
			return usagef("bench: --queries must be at least 1")
		}
		if *child != "" {
			return runRebuildChild(cmd.Context(), *child, cfg, env)
		}
		if cfg.workers < 100 || cfg.workers > maxWorkers {
			return usagef("bench: --workers must be between 100 and %d", maxWorkers)
		}
		storePhase := cfg.only == benchOnlyFlagsWorker || cfg.only == benchOnlyWalk
		if (cfg.store != "" || cfg.cache != "") && !storePhase {
			return usagef("bench: --store and --cache are only for --only %s or %s", benchOnlyFlagsWorker, benchOnlyWalk)
		}
		switch {
		case cfg.only == "":
			return bench(cmd.Context(), cfg, env)
		case cfg.only == benchOnlyMixed:
			return benchMixed(cmd.Context(), cfg, env)
		case storePhase:
			return benchStoreRead(cmd.Context(), cfg, env)
		}
		return usagef("bench: --only must be %q, %q or %q", benchOnlyMixed, benchOnlyFlagsWorker, benchOnlyWalk)
	}
	return cmd
}

// bench runs every measurement in a new temporary directory, removed at the end, and prints the figures. The
// read model is built twice: by the import (its figure includes the build) and from position 0 by the first
// cold command after the import's model is removed; everything after that reads the second one.
func bench(ctx context.Context, cfg benchConfig, env environment) error {
	if cfg.profile != "" {
		if err := os.MkdirAll(cfg.profile, 0o755); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp(cfg.data, "fairtrail-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress, cpu := env.stderr, readCPUTicks()
	fmt.Fprintf(progress, "bench: generating %d workers (seed %d) in %s...\n", cfg.workers, cfg.seed, dir)
	d, err := prepareData(filepath.Join(dir, "events.ndjson"), cfg.workers, cfg.seed,
		heldBack{hold: benchConcurrentEvents, post: benchPostedEvents, mixed: benchMixedEvents})
	if err != nil {
		return err
	}
	f := benchFigures{Events: d.events, Workers: cfg.workers, NDJSONBytes: d.bytes}
	storeDir := filepath.Join(dir, "store")
	if err := benchWriteSide(ctx, dir, storeDir, d, env, &f, profiler{cfg.profile}); err != nil {
		return err
	}
	if err := benchReadSide(ctx, dir, storeDir, d, cfg, env, &f); err != nil {
		return err
	}
	peer := benchpeer.ErrNotBuilt.Error()
	if benchpeer.Built {
		if f.peerFigures, peer, err = benchPeer(ctx, dir, storeDir, d, f.writeFigures, progress, profiler{cfg.profile}); err != nil {
			return err
		}
	}
	f.OthersCPUPercent = othersBusyPercent(cpu, readCPUTicks())
	if cfg.format == "json" {
		return writeJSON(env.stdout, f)
	}
	return printBench(env.stdout, f, peer, dir)
}

// benchWriteSide imports the head of the dataset with `fairtrail import` into the new store directory (which
// removes the dataset file: its tail is held in memory) and appends the held-back streams with concurrent
// writers.
func benchWriteSide(ctx context.Context, dir, storeDir string, d *benchData, env environment, f *benchFigures, prof profiler) error {
	fmt.Fprintf(env.stderr, "bench: fairtrail import of %d events into an empty data directory, read model included...\n", d.importEvents)
	if err := benchImportCommand(ctx, storeDir, dir, d, &f.writeFigures, &f.importFigures); err != nil {
		return err
	}
	s, err := embedded.Open(storeDir, embedded.Options{Logger: env.logger()})
	if err != nil {
		return err
	}
	err = benchWrites(ctx, s, d, env.stderr, prof, &f.writeFigures)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// benchReadSide measures the persisted read model (rebuilt from position 0, then cold commands), the API over
// it, the read of every event in global order and, where the dataset is small enough, the in-memory rebuild.
func benchReadSide(ctx context.Context, dir, storeDir string, d *benchData, cfg benchConfig, env environment, f *benchFigures) error {
	prof := profiler{cfg.profile}
	fmt.Fprintln(env.stderr, "bench: the persisted read model: rebuilt from 0 by a first command, then cold commands...")
	stored := d.events - countEvents(d.posted) - countEvents(d.mixed)
	var err error
	if f.modelFigures, err = benchModel(ctx, storeDir, dir, stored, cfg.workers, workersOf(d.posted, d.mixed)); err != nil {
		return err
	}
	if f.apiFigures, err = benchAPI(ctx, dir, storeDir, d, cfg, env.stderr); err != nil {
		return err
	}
	fmt.Fprintln(env.stderr, "bench: reading every event back in global order...")
	if err := benchReadStore(ctx, storeDir, d.events, &f.writeFigures, prof); err != nil {
		return err
	}
	if cfg.workers > benchInMemoryMaxWorkers {
		f.InMemorySkipped = 1
		fmt.Fprintf(env.stderr, "bench: skipping the in-memory rebuild above %d workers: it holds every event in memory\n",
			benchInMemoryMaxWorkers)
		return nil
	}
	fmt.Fprintln(env.stderr, "bench: the in-memory rebuild (projections.Rebuild) and its queries in a child process...")
	if f.readFigures, err = benchReadsInChild(ctx, storeDir, cfg, env); err != nil {
		return err
	}
	if f.RebuildEvents != d.events {
		return fmt.Errorf("bench: the rebuild applied %d events, want %d", f.RebuildEvents, d.events)
	}
	return nil
}

// benchReadStore opens the store in storeDir read-only and reads every event in global order.
func benchReadStore(ctx context.Context, storeDir string, events int, w *writeFigures, prof profiler) error {
	s, err := embedded.Open(storeDir, embedded.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer s.Close()
	return benchRead(ctx, s, events, w, prof)
}
