package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"
)

// The --only values that time one kind of read alone, through `fairtrail serve` over an existing store
// (--store): GET /v1/flags?worker= for random workers, and the walk of every GET /v1/flags page.
const (
	benchOnlyFlagsWorker = "flags-worker"
	benchOnlyWalk        = "walk"
)

// flagsWorkerWarmup is how many requests, for workers drawn with another seed than the sample's, open the
// server's readers' connections and prepare its statements before the timed ones (timeWorkerFlags).
const flagsWorkerWarmup = 200

// flagsWorkerFigures are the figures of bench --only flags-worker: one client's latencies of GET
// /v1/flags?worker= for random workers, and the CPU the server used per request (user and system, from /proc),
// the comparable figure on a loaded machine. The server's reads from disk (not the page cache, from
// /proc/PID/io) say whether a request waited for the disk; the client's own collections, held off while it
// times (asLightClient), should be none.
type flagsWorkerFigures struct {
	Workers               int     `json:"workers"`
	Requests              int     `json:"requests"`
	Seconds               float64 `json:"seconds"`
	P50Ms                 float64 `json:"p50_ms"`
	P99Ms                 float64 `json:"p99_ms"`
	MaxMs                 float64 `json:"max_ms"`
	ServeCPUMsPerRequest  float64 `json:"serve_cpu_ms_per_request"`
	ServeDiskKBPerRequest float64 `json:"serve_disk_read_kb_per_request"`
	ClientCollections     uint32  `json:"client_gc_cycles"`
	ServePeakRSSBytes     int64   `json:"serve_peak_rss_bytes"`
}

// walkFigures are the figures of bench --only walk: one client's walk of every GET /v1/flags?page_size=1000
// page, following each page's token, with the server's CPU and disk reads per page and its largest RSS
// during the walk (sampled every 10 ms).
type walkFigures struct {
	Pages              int     `json:"pages"`
	Flags              int     `json:"flags"`
	Seconds            float64 `json:"seconds"`
	P50Ms              float64 `json:"p50_ms"`
	P99Ms              float64 `json:"p99_ms"`
	MaxMs              float64 `json:"max_ms"`
	ServeCPUMsPerPage  float64 `json:"serve_cpu_ms_per_page"`
	ServeDiskKBPerPage float64 `json:"serve_disk_read_kb_per_page"`
	ServeWalkRSSBytes  int64   `json:"serve_walk_max_rss_bytes"`
	ServePeakRSSBytes  int64   `json:"serve_peak_rss_bytes"`
}

// benchStoreRead runs the --only phase that reads an existing store (flags-worker or walk): it starts `fairtrail
// serve` over the store in cfg.store (its read model in cfg.cache, or in the store's directory), waits until the
// model is caught up, times the phase's requests and prints its figures. It writes no event into the store;
// with --profile the server writes its profiles, its execution trace and its log there (see startServe).
func benchStoreRead(ctx context.Context, cfg benchConfig, env environment) error {
	if cfg.store == "" {
		return usagef("bench: --only %s needs --store DIR, the data directory of a store that fairtrail generate's "+
			"dataset was imported into", cfg.only)
	}
	if _, err := os.Stat(cfg.store); err != nil {
		return usagef("bench: --store: %v", err)
	}
	dir, err := os.MkdirTemp(cfg.data, "fairtrail-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if cfg.only == benchOnlyWalk {
		f, err := walkAlone(ctx, dir, cfg, env.stderr)
		if err != nil {
			return err
		}
		if cfg.format == "json" {
			return writeJSON(env.stdout, f)
		}
		return printWalk(env.stdout, f)
	}
	f, err := flagsWorkerAlone(ctx, dir, cfg, env.stderr)
	if err != nil {
		return err
	}
	if cfg.format == "json" {
		return writeJSON(env.stdout, f)
	}
	return printFlagsWorker(env.stdout, f)
}

// printWalk prints the walk's figures as text.
func printWalk(w io.Writer, f walkFigures) error {
	_, err := fmt.Fprintf(w, "GET /v1/flags?page_size=%d, every page, one client: %d pages (%d flags) in %.1f s; "+
		"p50 %.3f ms, p99 %.3f ms, max %.3f ms\nserver CPU per page: %.3f ms (user+sys); read from disk %.1f KB a page; "+
		"server RSS during the walk %s, peak %s\n", flagsPageSize, f.Pages, f.Flags, f.Seconds, f.P50Ms, f.P99Ms, f.MaxMs,
		f.ServeCPUMsPerPage, f.ServeDiskKBPerPage, mib(f.ServeWalkRSSBytes), mib(f.ServePeakRSSBytes))
	return err
}

// printFlagsWorker prints the figures of GET /v1/flags?worker= as text.
func printFlagsWorker(w io.Writer, f flagsWorkerFigures) error {
	_, err := fmt.Fprintf(w, "GET /v1/flags?worker=, %d workers, one client: %d requests in %.1f s; p50 %.3f ms, "+
		"p99 %.3f ms, max %.3f ms\nserver CPU per request: %.3f ms (user+sys); read from disk %.1f KB a request; "+
		"client collections %d; server peak RSS %s\n", f.Workers, f.Requests, f.Seconds, f.P50Ms, f.P99Ms, f.MaxMs,
		f.ServeCPUMsPerRequest, f.ServeDiskKBPerRequest, f.ClientCollections, mib(f.ServePeakRSSBytes))
	return err
}

// serveStore starts the server over the existing store of cfg and waits until its model is caught up.
func serveStore(ctx context.Context, dir string, cfg benchConfig, progress io.Writer) (*serveChild, error) {
	args := []string{"--data", cfg.store}
	if cfg.cache != "" {
		args = append(args, "--cache", cfg.cache)
	}
	fmt.Fprintf(progress, "bench: starting fairtrail serve over %s and waiting for its read model...\n", cfg.store)
	s, err := startServe(ctx, dir, args, cfg.profile)
	if err != nil {
		return nil, err
	}
	if err := s.caughtUp(ctx); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// serverUse is what the server used between two readings: CPU seconds (user and system) and bytes read from
// disk (what the page cache did not hold).
type serverUse struct {
	cpu  float64
	disk int64
}

func (s *serveChild) use() serverUse {
	pid := s.cmd.Process.Pid
	return serverUse{cpu: procCPUSeconds(pid), disk: procIOBytes(pid, "read_bytes")}
}

// per is the use since from per request of n: CPU milliseconds and kilobytes read from disk.
func (u serverUse) per(from serverUse, n int) (cpuMs, diskKB float64) {
	if n == 0 {
		return 0, 0
	}
	return 1000 * (u.cpu - from.cpu) / float64(n), float64(u.disk-from.disk) / 1024 / float64(n)
}

// flagsWorkerAlone runs the server and times --queries requests of GET /v1/flags?worker= from one client, each
// for a random worker of the generated dataset's --workers (after flagsWorkerWarmup untimed ones).
func flagsWorkerAlone(ctx context.Context, dir string, cfg benchConfig, progress io.Writer) (f flagsWorkerFigures, err error) {
	s, err := serveStore(ctx, dir, cfg, progress)
	if err != nil {
		return f, err
	}
	defer s.finish(&err, &f.ServePeakRSSBytes)
	sample, err := sampleWorkers(cfg.workers, cfg.queries, cfg.seed, nil)
	if err != nil {
		return f, err
	}
	fmt.Fprintf(progress, "bench: %d requests of GET /v1/flags?worker=...\n", len(sample))
	r, err := timeWorkerFlags(ctx, s, cfg, sample, nil)
	if err != nil {
		return f, err
	}
	lat := r.lat
	f.Seconds, f.ClientCollections = r.took.Seconds(), r.collections
	f.ServeCPUMsPerRequest, f.ServeDiskKBPerRequest = r.cpuMs, r.diskKB
	f.Workers, f.Requests = cfg.workers, len(lat)
	f.P50Ms, f.P99Ms, f.MaxMs = percentileMs(lat, 0.50), percentileMs(lat, 0.99), percentileMs(lat, 1)
	return f, nil
}

// workerFlagsRun is one client's timed GET /v1/flags?worker= requests: their latencies, how long they took, the
// server's CPU and disk reads per request, and the client's own collections (none expected).
type workerFlagsRun struct {
	lat           []time.Duration
	took          time.Duration
	cpuMs, diskKB float64
	collections   uint32
}

// timeWorkerFlags times GET /v1/flags?worker= for each worker of sample from one light client, after
// flagsWorkerWarmup untimed requests for workers drawn with another seed (none of absent, the workers not
// stored yet): the whole bench and --only flags-worker time the requests this one way.
func timeWorkerFlags(ctx context.Context, s *serveChild, cfg benchConfig, sample []string, absent map[string]bool) (workerFlagsRun, error) {
	var r workerFlagsRun
	warm, err := sampleWorkers(cfg.workers, flagsWorkerWarmup, cfg.seed+1, absent)
	if err != nil {
		return r, err
	}
	if _, err := apiFlags(ctx, s.client, warm); err != nil {
		return r, err
	}
	used, start := s.use(), time.Now()
	r.collections = asLightClient(func() { r.lat, err = apiFlags(ctx, s.client, sample) })
	if err != nil {
		return r, err
	}
	r.took = time.Since(start)
	r.cpuMs, r.diskKB = s.use().per(used, len(r.lat))
	return r, nil
}

// walkAlone runs the server and walks every flags page from one client, sampling the server's RSS.
func walkAlone(ctx context.Context, dir string, cfg benchConfig, progress io.Writer) (f walkFigures, err error) {
	s, err := serveStore(ctx, dir, cfg, progress)
	if err != nil {
		return f, err
	}
	defer s.finish(&err, &f.ServePeakRSSBytes)
	fmt.Fprintf(progress, "bench: walking every GET /v1/flags?page_size=%d page...\n", flagsPageSize)
	used := s.use()
	stopSampling := sampleRSS(s.cmd.Process.Pid, "VmRSS", 10*time.Millisecond)
	var walk flagsWalk
	asLightClient(func() { walk, err = walkFlags(ctx, s.client) })
	f.ServeWalkRSSBytes = stopSampling()
	if err != nil {
		return f, err
	}
	f.ServeCPUMsPerPage, f.ServeDiskKBPerPage = s.use().per(used, len(walk.lat))
	f.Pages, f.Flags, f.Seconds = len(walk.lat), walk.flags, walk.took.Seconds()
	f.P50Ms, f.P99Ms, f.MaxMs = percentileMs(walk.lat, 0.50), percentileMs(walk.lat, 0.99), percentileMs(walk.lat, 1)
	return f, nil
}

// asLightClient runs fn, the timed requests of one client, with as little of this process's own work as it can
// add to the server's latencies: its collector held off (after a collection: its heap grows by what fn
// allocates, up to the soft memory limit, where the collector runs all the same), and on one processor
// (GOMAXPROCS 1). A sequential client needs no second one: with two, its connection's reading and writing
// goroutines woke its idle thread, on the two cores the server runs on, 8-11 context switches and 0.39-0.54 ms of
// CPU a request at 100,000 workers (3-4 and 0.32-0.37 ms on one). It returns how many collections ran during fn.
func asLightClient(fn func()) uint32 {
	var gc runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&gc)
	before := gc.NumGC
	prior := debug.SetGCPercent(-1)
	procs := runtime.GOMAXPROCS(1)
	fn()
	runtime.GOMAXPROCS(procs)
	debug.SetGCPercent(prior)
	runtime.ReadMemStats(&gc)
	return gc.NumGC - before
}

// serveProfiles is the environment that has a server write CPU, block and mutex profiles of its whole run into
// dir (serve.cpu.pprof, serve.block.pprof, serve.mutex.pprof), its execution trace (serve.trace) and a line
// per collection into its log (GODEBUG=gctrace=1); none for an empty dir.
func serveProfiles(dir string) []string {
	if dir == "" {
		return nil
	}
	env := []string{traceEnv + "=" + filepath.Join(dir, "serve.trace"), "GODEBUG=gctrace=1"}
	for name, v := range map[string]string{"cpu": cpuProfileEnv, "block": blockProfileEnv, "mutex": mutexProfileEnv} {
		env = append(env, v+"="+filepath.Join(dir, "serve."+name+".pprof"))
	}
	return env
}
