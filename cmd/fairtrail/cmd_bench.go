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

// About how many events the concurrent writers append, and the API's clients post.
const (
	benchConcurrentEvents = 32_000
	benchPostedEvents     = 16_000
)

// benchConfig is what bench was asked to do.
type benchConfig struct {
	workers int
	seed    int64
	data    string
	queries int
	format  string
	profile string
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
		return bench(cmd.Context(), cfg, env)
	}
	return cmd
}

// bench runs every measurement in a new temporary directory, removed at the end, and prints the figures.
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
	d, err := prepareData(filepath.Join(dir, "events.ndjson"), cfg.workers, cfg.seed, benchConcurrentEvents, benchPostedEvents)
	if err != nil {
		return err
	}
	f := benchFigures{Events: d.events, Workers: cfg.workers, NDJSONBytes: d.bytes}
	storeDir := filepath.Join(dir, "store")
	if err := benchWriteStore(ctx, storeDir, dir, d, cfg, env, &f); err != nil {
		return err
	}
	fmt.Fprintln(progress, "bench: rebuilding the read model and querying it in a child process...")
	if f.readFigures, err = benchReadsInChild(ctx, storeDir, cfg, env); err != nil {
		return err
	}
	if f.RebuildEvents != d.events {
		return fmt.Errorf("bench: the rebuild applied %d events, want %d", f.RebuildEvents, d.events)
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

// benchWriteStore opens a new embedded store in storeDir, measures the writes into it, directly and through
// the API, and the read of every event in global order, and closes it.
func benchWriteStore(ctx context.Context, storeDir, spoolDir string, d *benchData, cfg benchConfig, env environment, f *benchFigures) error {
	s, err := embedded.Open(storeDir, embedded.Options{Logger: env.logger()})
	if err != nil {
		return err
	}
	err = measureStore(ctx, s, spoolDir, d, cfg, env, f)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// measureStore runs the write-side measurements on the open store s, then the read of every event.
func measureStore(ctx context.Context, s *embedded.Store, spoolDir string, d *benchData, cfg benchConfig, env environment, f *benchFigures) error {
	prof := profiler{cfg.profile}
	var err error
	if f.writeFigures, err = benchWrites(ctx, s, d, spoolDir, env.stderr, prof); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "bench: API: %d clients posting %d events one per request, then GET /v1/flags...\n",
		benchWriters, countEvents(d.posted))
	if f.apiFigures, err = benchAPI(ctx, s, d.posted, cfg, prof); err != nil {
		return err
	}
	fmt.Fprintln(env.stderr, "bench: reading every event back in global order...")
	return benchRead(ctx, s, d.events, &f.writeFigures, prof)
}
