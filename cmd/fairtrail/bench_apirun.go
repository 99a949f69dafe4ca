package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// benchAPI restarts `fairtrail serve` over the store in storeDir and its up-to-date read model (no rebuild:
// the cold commands left it caught up) and measures, through its HTTP API: the time until /readyz answers
// 200; the posted streams appended by benchWriters clients one event per POST /v1/events; GET
// /v1/flags?worker=ID for a random sample of workers; a walk of every GET /v1/flags?page_size=1000 page with
// the server's RSS sampled throughout; /metrics scrapes; and the mixed load. It stops the server at the end.
// (--profile profiles the bench process, not the server: these phases have no profile.)
func benchAPI(ctx context.Context, dir, storeDir string, d *benchData, cfg benchConfig, progress io.Writer) (af apiFigures, err error) {
	fmt.Fprintln(progress, "bench: API: starting fairtrail serve over the up-to-date read model...")
	s, err := startServe(ctx, dir, []string{"--data", storeDir}, "")
	if err != nil {
		return af, err
	}
	defer s.finish(&err, &af.ServePeakRSSBytes)
	defer s.noteRebuilds(progress, "the API's serve") // its figures are a caught-up model's
	ready, err := s.readyAfter(ctx)
	if err != nil {
		return af, err
	}
	af.ServeReadySeconds = ready.Seconds()
	// The workers whose flags are asked for, by one client and in the mixed load: those stored before the load.
	sample, err := sampleWorkers(cfg.workers, cfg.queries, cfg.seed, workersOf(d.mixed))
	if err != nil {
		return af, err
	}
	fmt.Fprintf(progress, "bench: API: %d clients posting %d events one per request, then GET /v1/flags?worker=...\n",
		benchWriters, countEvents(d.posted))
	if err := apiWritesAndWorkers(ctx, s, d, cfg, sample, &af); err != nil {
		return af, err
	}
	fmt.Fprintln(progress, "bench: API: walking every GET /v1/flags page, then /metrics...")
	walk, err := apiWalk(ctx, s, &af)
	if err != nil {
		return af, err
	}
	if err := apiMetrics(ctx, s.client, &af); err != nil {
		return af, err
	}
	return af, apiMixed(ctx, s.client, d, cfg, walk.tokens, sample, progress, &af)
}

// apiMixed runs the mixed load, flags pages picked among the walk's tokens and workers among sample, then posts
// the events it left.
func apiMixed(ctx context.Context, c apiClient, d *benchData, cfg benchConfig, tokens, sample []string, progress io.Writer, af *apiFigures) error {
	perClient := mixedRequestsPerClient(cfg.queries)
	fmt.Fprintf(progress, "bench: API: %d clients making %d mixed reads and writes...\n", benchWriters, benchWriters*perClient)
	load := mixedLoad{c: c, perClient: perClient, streams: d.mixed, tokens: tokens, workers: sample, buyer: "buyer-1",
		seed: cfg.seed, posted: make([]int, len(d.mixed))}
	mr, err := load.run(ctx)
	if err != nil {
		return err
	}
	if err := load.postRest(ctx); err != nil {
		return err
	}
	all := mr.all()
	af.MixedRequests, af.MixedWrites, af.MixedPerS = len(all), len(mr.lat[mixedPost]), perSecond(len(all), mr.took)
	af.MixedP50Ms, af.MixedP99Ms = percentileMs(all, 0.50), percentileMs(all, 0.99)
	af.MixedPostP99Ms, af.MixedPageP99Ms = percentileMs(mr.lat[mixedPost], 0.99), percentileMs(mr.lat[mixedPage], 0.99)
	af.MixedWorkerP99Ms, af.MixedAuditP99Ms = percentileMs(mr.lat[mixedWorker], 0.99), percentileMs(mr.lat[mixedAudit], 0.99)
	return nil
}

// apiWritesAndWorkers measures the posts of the held-back streams, then, once the read model has applied
// them, one worker's flags for each worker of sample, with the server's CPU per request.
func apiWritesAndWorkers(ctx context.Context, s *serveChild, d *benchData, cfg benchConfig, sample []string, af *apiFigures) error {
	lat, took, err := apiPosts(ctx, s.client, d.posted)
	if err != nil {
		return err
	}
	af.APIPostEvents, af.APIPostEventsPerS = len(lat), perSecond(len(lat), took)
	af.APIPostP50Ms, af.APIPostP99Ms = percentileMs(lat, 0.50), percentileMs(lat, 0.99)
	if err := s.caughtUp(ctx); err != nil {
		return err
	}
	r, err := timeWorkerFlags(ctx, s, cfg, sample, workersOf(d.mixed)) // as bench --only flags-worker times them
	if err != nil {
		return err
	}
	lat = r.lat
	af.APIFlagsCPUMs, af.APIFlagsDiskKB = r.cpuMs, r.diskKB
	af.APIFlagsQueries, af.APIFlagsP50Ms, af.APIFlagsP99Ms = len(lat), percentileMs(lat, 0.50), percentileMs(lat, 0.99)
	return nil
}

// apiWalk walks every flags page while sampling the server's RSS.
func apiWalk(ctx context.Context, s *serveChild, af *apiFigures) (flagsWalk, error) {
	stopSampling := sampleRSS(s.cmd.Process.Pid, "VmRSS", 10*time.Millisecond)
	walk, err := walkFlags(ctx, s.client)
	af.ServeWalkRSSBytes = stopSampling()
	if err != nil {
		return walk, err
	}
	af.FlagsWalkPages, af.FlagsWalkFlags, af.FlagsWalkSeconds = len(walk.lat), walk.flags, walk.took.Seconds()
	af.FlagsPageP50Ms, af.FlagsPageP99Ms = percentileMs(walk.lat, 0.50), percentileMs(walk.lat, 0.99)
	af.FlagsPageMaxMs = percentileMs(walk.lat, 1)
	return walk, nil
}

// benchScrapes is how many times /metrics is scraped; the slowest is reported.
const benchScrapes = 3

// apiMetrics times benchScrapes scrapes of /metrics and keeps the slowest.
func apiMetrics(ctx context.Context, c apiClient, af *apiFigures) error {
	for range benchScrapes {
		t := time.Now()
		if _, err := c.get(ctx, "/metrics"); err != nil {
			return err
		}
		af.MetricsScrapeMs = max(af.MetricsScrapeMs, ms(time.Since(t)))
	}
	return nil
}
