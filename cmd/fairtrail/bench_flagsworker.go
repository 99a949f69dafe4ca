package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// benchOnlyFlagsWorker is the --only value that times GET /v1/flags?worker= alone, through `fairtrail serve`
// over an existing store (--store).
const benchOnlyFlagsWorker = "flags-worker"

// flagsWorkerWarmup is how many requests, of other workers than the sample's, open the server's readers'
// connections and prepare its statements before the timed ones.
const flagsWorkerWarmup = 200

// flagsWorkerFigures are the figures of bench --only flags-worker: one client's latencies of GET
// /v1/flags?worker= for random workers, and the CPU the server used per request (user and system, from /proc),
// the comparable figure on a loaded machine.
type flagsWorkerFigures struct {
	Workers              int     `json:"workers"`
	Requests             int     `json:"requests"`
	Seconds              float64 `json:"seconds"`
	P50Ms                float64 `json:"p50_ms"`
	P99Ms                float64 `json:"p99_ms"`
	MaxMs                float64 `json:"max_ms"`
	ServeCPUMsPerRequest float64 `json:"serve_cpu_ms_per_request"`
	ServePeakRSSBytes    int64   `json:"serve_peak_rss_bytes"`
}

// benchFlagsWorker starts `fairtrail serve` over the store in cfg.store (its read model in cfg.cache, or in
// the store's directory), waits until the model is caught up, and times --queries requests of GET
// /v1/flags?worker= from one client, each for a random worker of the generated dataset's --workers (after
// flagsWorkerWarmup untimed ones). It writes nothing into the store; with --profile the server writes CPU,
// block and mutex profiles of its whole run there.
func benchFlagsWorker(ctx context.Context, cfg benchConfig, env environment) error {
	if cfg.store == "" {
		return usagef("bench: --only %s needs --store DIR, the data directory of a store that fairtrail generate's "+
			"dataset was imported into", benchOnlyFlagsWorker)
	}
	if _, err := os.Stat(cfg.store); err != nil {
		return usagef("bench: --store: %v", err)
	}
	dir, err := os.MkdirTemp(cfg.data, "fairtrail-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	f, err := flagsWorkerAlone(ctx, dir, cfg, env.stderr)
	if err != nil {
		return err
	}
	if cfg.format == "json" {
		return writeJSON(env.stdout, f)
	}
	_, err = fmt.Fprintf(env.stdout, "GET /v1/flags?worker=, %d workers, one client: %d requests in %.1f s; p50 %.3f ms, "+
		"p99 %.3f ms, max %.3f ms\nserver CPU per request: %.3f ms (user+sys); server peak RSS %s\n", f.Workers, f.Requests,
		f.Seconds, f.P50Ms, f.P99Ms, f.MaxMs, f.ServeCPUMsPerRequest, mib(f.ServePeakRSSBytes))
	return err
}

// flagsWorkerAlone runs the server and the timed requests.
func flagsWorkerAlone(ctx context.Context, dir string, cfg benchConfig, progress io.Writer) (f flagsWorkerFigures, err error) {
	args := []string{"--data", cfg.store}
	if cfg.cache != "" {
		args = append(args, "--cache", cfg.cache)
	}
	fmt.Fprintf(progress, "bench: starting fairtrail serve over %s and waiting for its read model...\n", cfg.store)
	s, err := startServe(ctx, dir, args, serveProfiles(cfg.profile)...)
	if err != nil {
		return f, err
	}
	defer s.finish(&err, &f.ServePeakRSSBytes)
	if err := s.caughtUp(ctx); err != nil {
		return f, err
	}
	warm, err := sampleWorkers(cfg.workers, flagsWorkerWarmup, cfg.seed+1, nil)
	if err != nil {
		return f, err
	}
	if _, err := apiFlags(ctx, s.client, warm); err != nil {
		return f, err
	}
	sample, err := sampleWorkers(cfg.workers, cfg.queries, cfg.seed, nil)
	if err != nil {
		return f, err
	}
	fmt.Fprintf(progress, "bench: %d requests of GET /v1/flags?worker=...\n", len(sample))
	cpu, start := procCPUSeconds(s.cmd.Process.Pid), time.Now()
	lat, err := apiFlags(ctx, s.client, sample)
	if err != nil {
		return f, err
	}
	f.Seconds = time.Since(start).Seconds()
	f.ServeCPUMsPerRequest = 1000 * (procCPUSeconds(s.cmd.Process.Pid) - cpu) / float64(len(lat))
	f.Workers, f.Requests = cfg.workers, len(lat)
	f.P50Ms, f.P99Ms, f.MaxMs = percentileMs(lat, 0.50), percentileMs(lat, 0.99), percentileMs(lat, 1)
	return f, nil
}

// serveProfiles is the environment that has a server write CPU, block and mutex profiles of its whole run into
// dir (serve.cpu.pprof, serve.block.pprof, serve.mutex.pprof); none for an empty dir.
func serveProfiles(dir string) []string {
	if dir == "" {
		return nil
	}
	var env []string
	for name, v := range map[string]string{"cpu": cpuProfileEnv, "block": blockProfileEnv, "mutex": mutexProfileEnv} {
		env = append(env, v+"="+filepath.Join(dir, "serve."+name+".pprof"))
	}
	return env
}
