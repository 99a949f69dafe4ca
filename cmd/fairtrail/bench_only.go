package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// benchOnlyMixed is the --only value that runs the API's mixed load alone.
const benchOnlyMixed = "mixed"

// mixedOnlyFigures are the figures of bench --only mixed: the mixed load's, by kind, and the CPU the server used
// during it (user and system, from /proc), the comparable figure on a loaded machine.
type mixedOnlyFigures struct {
	Workers          int                        `json:"workers"`
	Events           int                        `json:"events"`
	Requests         int                        `json:"mixed_requests"`
	Seconds          float64                    `json:"mixed_seconds"`
	PerS             float64                    `json:"mixed_requests_per_s"`
	P50Ms            float64                    `json:"mixed_p50_ms"`
	P99Ms            float64                    `json:"mixed_p99_ms"`
	ServeCPUSeconds  float64                    `json:"serve_cpu_seconds"`
	ByKind           map[string]mixedKindFigure `json:"by_kind"`
	ServePeakRSSByte int64                      `json:"serve_peak_rss_bytes"`
}

// mixedKindFigure is one kind of request's count and latencies in the mixed load, and the server's CPU per
// request of the kind.
type mixedKindFigure struct {
	Requests int     `json:"requests"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	// CPUMs is the server's CPU per request of the kind, made one at a time after the load (mixedCPURequests).
	CPUMs float64 `json:"serve_cpu_ms_per_request"`
}

// mixedKindNames name the kinds of request of the mixed load.
var mixedKindNames = [mixedKinds]string{mixedPost: "post", mixedPage: "flags page", mixedWorker: "worker's flags",
	mixedAudit: "audit?buyer"}

// benchMixed measures the API's mixed load alone: it imports the dataset but the mixed load's events (and
// appends the other streams' held-back events), starts `fairtrail serve` over it, walks every flags page for
// the load's tokens, and runs the load. With --profile the server writes CPU, block and mutex profiles of its
// whole run there (serve.cpu.pprof, serve.block.pprof, serve.mutex.pprof).
func benchMixed(ctx context.Context, cfg benchConfig, env environment) error {
	dir, err := os.MkdirTemp(cfg.data, "fairtrail-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(env.stderr, "bench: generating %d workers (seed %d) in %s...\n", cfg.workers, cfg.seed, dir)
	d, err := prepareData(filepath.Join(dir, "events.ndjson"), cfg.workers, cfg.seed, heldBack{mixed: benchMixedEvents})
	if err != nil {
		return err
	}
	storeDir := filepath.Join(dir, "store")
	var w writeFigures
	if err := benchImportCommand(ctx, storeDir, dir, d, &w, &importFigures{}); err != nil {
		return err
	}
	if err := appendHeld(ctx, storeDir, d, env); err != nil {
		return err
	}
	f, err := mixedAlone(ctx, dir, storeDir, d, cfg, env.stderr)
	if err != nil {
		return err
	}
	f.Workers, f.Events = cfg.workers, d.events
	if cfg.format == "json" {
		return writeJSON(env.stdout, f)
	}
	return printMixed(env.stdout, f)
}

// appendHeld appends the held-back events that are not the mixed load's.
func appendHeld(ctx context.Context, storeDir string, d *benchData, env environment) error {
	s, err := embedded.Open(storeDir, embedded.Options{Logger: env.logger()})
	if err != nil {
		return err
	}
	err = benchWrites(ctx, s, d, env.stderr, profiler{}, &writeFigures{})
	if cerr := s.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// mixedAlone starts the server, waits until its model is caught up and walks the flags pages; then it starts
// the server again over the caught-up model (with the profiles of --profile, so that they hold the load and
// not a catch-up or the walk) and runs the load.
func mixedAlone(ctx context.Context, dir, storeDir string, d *benchData, cfg benchConfig, progress io.Writer) (f mixedOnlyFigures, err error) {
	fmt.Fprintln(progress, "bench: starting fairtrail serve, waiting for its read model and walking the flags pages...")
	walk, err := mixedWarmUp(ctx, dir, storeDir, progress)
	if err != nil {
		return f, err
	}
	sample, err := sampleWorkers(cfg.workers, cfg.queries, cfg.seed, workersOf(d.mixed))
	if err != nil {
		return f, err
	}
	s, err := startServe(ctx, dir, []string{"--data", storeDir}, cfg.profile)
	if err != nil {
		return f, err
	}
	defer s.finish(&err, &f.ServePeakRSSByte)
	if err := s.caughtUp(ctx); err != nil {
		return f, err
	}
	s.noteRebuilds(progress, "the profiled serve")
	perClient := mixedRequestsPerClient(cfg.queries)
	fmt.Fprintf(progress, "bench: %d clients making %d mixed reads and writes...\n", benchWriters, benchWriters*perClient)
	load := mixedLoad{c: s.client, perClient: perClient, streams: d.mixed, tokens: walk.tokens, workers: sample,
		buyer: "buyer-1", seed: cfg.seed, posted: make([]int, len(d.mixed))}
	cpu := procCPUSeconds(s.cmd.Process.Pid)
	mr, err := load.run(ctx)
	if err != nil {
		return f, err
	}
	f.ServeCPUSeconds = procCPUSeconds(s.cmd.Process.Pid) - cpu
	fmt.Fprintf(progress, "bench: up to %d requests of each kind one at a time, for the server's CPU per request...\n", mixedCPURequests)
	byKind, err := load.cpuByKind(ctx, s.cmd.Process.Pid, mixedCPURequests)
	if err != nil {
		return f, err
	}
	mixedFigures(&f, mr, byKind)
	return f, nil
}

// mixedWarmUp runs a server until its model is caught up with the store and walks every flags page for the
// load's tokens (page tokens are signed with the data directory's stable key, so that they hold after a
// restart), then stops it. It says on progress if the server rebuilt the model that the import built.
func mixedWarmUp(ctx context.Context, dir, storeDir string, progress io.Writer) (walk flagsWalk, err error) {
	s, err := startServe(ctx, dir, []string{"--data", storeDir}, "")
	if err != nil {
		return walk, err
	}
	var rss int64
	defer s.finish(&err, &rss)
	if err := s.caughtUp(ctx); err != nil {
		return walk, err
	}
	s.noteRebuilds(progress, "the first serve after the import")
	return walkFlags(ctx, s.client)
}

// mixedFigures fills f with the load's latencies, overall and by kind, and the CPU per request of each kind.
func mixedFigures(f *mixedOnlyFigures, mr mixedResult, byKind [mixedKinds]float64) {
	all := mr.all()
	f.Requests, f.Seconds, f.PerS = len(all), mr.took.Seconds(), perSecond(len(all), mr.took)
	f.P50Ms, f.P99Ms = percentileMs(all, 0.50), percentileMs(all, 0.99)
	f.ByKind = map[string]mixedKindFigure{}
	for k, lat := range mr.lat {
		f.ByKind[mixedKindNames[k]] = mixedKindFigure{Requests: len(lat), P50Ms: percentileMs(lat, 0.50),
			P99Ms: percentileMs(lat, 0.99), MaxMs: percentileMs(lat, 1), CPUMs: byKind[k]}
	}
}

// procCPUSeconds is the user and system CPU time process pid has used so far (0 where there is no /proc).
func procCPUSeconds(pid int) float64 {
	return float64(procStatTicks(fmt.Sprintf("/proc/%d/stat", pid), 11, 12)) / clockTicksPerSecond // utime, stime
}

// clockTicksPerSecond is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTicksPerSecond = 100

// printMixed prints the mixed load's figures as text.
func printMixed(w io.Writer, f mixedOnlyFigures) error {
	fmt.Fprintf(w, "mixed load, %d workers (%d events), %d clients: %d requests in %.1f s (%.0f/s); p50 %.1f ms, p99 %.1f ms\n",
		f.Workers, f.Events, benchWriters, f.Requests, f.Seconds, f.PerS, f.P50Ms, f.P99Ms)
	fmt.Fprintf(w, "server CPU during the load: %.2f s (user+sys); server peak RSS %s\n", f.ServeCPUSeconds, mib(f.ServePeakRSSByte))
	for _, name := range mixedKindNames {
		k := f.ByKind[name]
		if _, err := fmt.Fprintf(w, "  %-15s %5d requests  p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms  server CPU %6.2f ms a request "+
			"(one at a time)\n", name, k.Requests, k.P50Ms, k.P99Ms, k.MaxMs, k.CPUMs); err != nil {
			return err
		}
	}
	return nil
}
