package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchFigures is everything bench measures; with --format json it is printed as one flat object of numbers.
type benchFigures struct {
	Events      int   `json:"events"`
	Workers     int   `json:"workers"`
	NDJSONBytes int64 `json:"ndjson_bytes"`
	// OthersCPUPercent is how busy other processes kept the CPUs during the run (0 on a quiet machine).
	OthersCPUPercent float64 `json:"others_cpu_percent"`
	// InMemorySkipped is 1 when the in-memory rebuild was not measured (above benchInMemoryMaxWorkers); its
	// figures are then 0.
	InMemorySkipped int `json:"in_memory_skipped"`
	importFigures
	writeFigures
	readFigures
	apiFigures
	peerFigures
	modelFigures
}

// benchRow adds one figure's row: its name, value, target, verdict and how it was measured.
type benchRow func(name, value, target, verdict, how string)

// printBench prints one line per figure with its unit, its target and whether it was met.
func printBench(w io.Writer, f benchFigures, peer, dir string) error {
	fmt.Fprintf(w, "fairtrail bench: %d events for %d workers (%.0f MB of NDJSON), in %s\n", f.Events, f.Workers,
		float64(f.NDJSONBytes)/1e6, dir)
	fmt.Fprintf(w, "machine: %s; other processes kept the CPUs %.0f%% busy during the run\n\n", describeMachine(),
		f.OthersCPUPercent)
	tw := newTable("FIGURE", "VALUE", "TARGET", "", "HOW") // at full width: a report to keep, not to read in a terminal
	row := benchRow(func(name, value, target, verdict, how string) { tw.add(name, value, target, verdict, how) })
	writeRows(row, f)
	inMemoryRows(row, f)
	modelRows(row, f)
	serveRows(row, f)
	if f.PeerImportEventsPerS == 0 {
		row("peer", "not built", "", "", "build with -tags peer")
		return tw.write(w, 0)
	}
	peerRows(row, f)
	if err := tw.write(w, 0); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\npeer: %s\n", peer)
	return err
}

// writeRows are the import's and the appends' rows.
func writeRows(row benchRow, f benchFigures) {
	row("fairtrail import, read model included", rate(f.ImportModelEventsPerS), ">= 80,000 events/s", atLeast(f.ImportModelEventsPerS, 80_000),
		fmt.Sprintf("%d events in %.1f s: the command as a new process on an empty data directory, then its read model "+
			"built (a build); peak RSS %s", f.ImportEvents, f.ImportModelSeconds, mib(f.ImportModelRSSBytes)))
	row("bulk import, durable", rate(f.ImportEventsPerS), ">= 50,000 events/s", atLeast(f.ImportEventsPerS, 50_000),
		fmt.Sprintf("the same command until its last durable batch, %.1f s: parse, validate, spool, append, fdatasync per 2000", f.ImportSeconds))
	row("concurrent appends, 16 writers", rate(f.ConcurrentEventsPerS), ">= 10,000 events/s", atLeast(f.ConcurrentEventsPerS, 10_000),
		fmt.Sprintf("%d single-event appends to their own worker streams, NoStream then Exact", f.ConcurrentEvents))
	row("concurrent append latency p50", millis(f.ConcurrentP50Ms), "", "", "group commit: one write and one fdatasync for all waiting")
	row("concurrent append latency p99", millis(f.ConcurrentP99Ms), "<= 20 ms", atMost(f.ConcurrentP99Ms, 20), "max "+millis(f.ConcurrentMaxMs))
	row("global-order read", rate(f.ReadEventsPerS), "", "", fmt.Sprintf("ReadAll of all %d events from position 0", f.ReadEvents))
}

// inMemoryRows are the rows of the in-memory rebuild (projections.Rebuild), kept for comparison.
func inMemoryRows(row benchRow, f benchFigures) {
	if f.InMemorySkipped != 0 {
		row("in-memory rebuild and queries", "skipped", "", "", fmt.Sprintf("above %s workers: projections.Rebuild holds "+
			"every event in memory (about 10 GiB at 600,000)", thousands(benchInMemoryMaxWorkers)))
		return
	}
	row("full rebuild from position 0", rate(f.RebuildEventsPerS), ">= 250,000 events/s", atLeast(f.RebuildEventsPerS, 250_000),
		fmt.Sprintf("%d events in %.1f s: open, projections.Rebuild (read, decode on every core, apply), in a child process", f.RebuildEvents, f.RebuildSeconds))
	row("rebuild peak RSS", mib(f.RebuildPeakRSSBytes), "<= 1024 MiB", atMost(float64(f.RebuildPeakRSSBytes), 1<<30),
		"VmHWM of the child process after the rebuild, before any judgement")
	row("first audit --buyer, cold", millis(f.AuditColdMs), "", "", "judges every worker and caches the judgements: the read model's warm-up")
	row("read model RSS, judged", mib(f.ReadModelRSSBytes), "", "", "VmRSS of the child after the cold audit")
	row("history worker p50", millis(f.HistoryP50Ms), "", "", fmt.Sprintf("%d random workers, a fresh View per query", f.Queries))
	row("history worker p99", millis(f.HistoryP99Ms), "<= 2 ms", atMost(f.HistoryP99Ms, 2), "on the built (judged) read model")
	row("flags --worker p50", millis(f.FlagsP50Ms), "", "", fmt.Sprintf("%d random workers, a fresh View per query", f.Queries))
	row("flags --worker p99", millis(f.FlagsP99Ms), "<= 2 ms", atMost(f.FlagsP99Ms, 2), "on the built (judged) read model")
	row("audit --buyer p50", millis(f.AuditP50Ms), "", "", fmt.Sprintf("every one of %d buyers, warm", f.Buyers))
	row("audit --buyer, slowest", millis(f.AuditMs), "<= 100 ms", atMost(f.AuditMs, 100), "whole supply chain rollup on the built read model")
}

// modelRows are the persisted read model's rows: its rebuild and the cold commands.
func modelRows(row benchRow, f benchFigures) {
	row("persisted model rebuilt from 0", rate(f.ModelRebuildEventsPS), ">= 250,000 events/s", atLeast(f.ModelRebuildEventsPS, 250_000),
		fmt.Sprintf("first query of a new process finds no model (a build): %.1f s, model file %d MiB", f.ModelRebuildSeconds, f.ModelFileBytes>>20))
	row("persisted model rebuild peak RSS", mib(f.ModelRebuildRSSBytes), "<= 2048 MiB", atMost(float64(f.ModelRebuildRSSBytes), 2<<30), "maxrss of that process")
	row("cold flags --worker", millis(f.ColdFlagsWorkerMs), "<= 100 ms", atMost(f.ColdFlagsWorkerMs, 100), "new process, up-to-date model; RSS "+mib(f.ColdFlagsWorkerRSS)+" (<= 200 MiB)"+firstRun(millis(f.ColdFlagsWorkerFirstMs)))
	row("cold history worker", millis(f.ColdHistoryMs), "<= 100 ms", atMost(f.ColdHistoryMs, 100), "new process, events read back by stream; RSS "+mib(f.ColdHistoryRSS)+" (<= 200 MiB)"+firstRun(millis(f.ColdHistoryFirstMs)))
	row("cold audit --buyer", millis(f.ColdAuditBuyerMs), "<= 500 ms", atMost(f.ColdAuditBuyerMs, 500), "new process, from the rollups; RSS "+mib(f.ColdAuditBuyerRSS)+firstRun(millis(f.ColdAuditBuyerFirstMs)))
	row("cold audit --buyer --currency USD", millis(f.ColdAuditUSDMs), "", "", "new process, the rollups and the currency's sums the first run kept; RSS "+mib(f.ColdAuditUSDRSS)+
		"; the first run, converting every stored ledger once, "+millis(f.ColdAuditUSDFirstMs))
	row("cold audit --buyer --as-of", strconv.FormatFloat(f.ColdAuditAsOfSeconds, 'f', 1, 64)+" s", "<= 60 s", atMost(f.ColdAuditAsOfSeconds, 60),
		"one read of the store, the buyer's workers replayed a shard at a time; RSS "+mib(f.ColdAuditAsOfRSS)+" (<= 2048 MiB)")
	row("flags --format json, every flag", strconv.FormatFloat(f.FlagsListedPerS, 'f', 0, 64)+" flags/s", ">= 200,000 flags/s",
		atLeast(f.FlagsListedPerS, 200_000), fmt.Sprintf("%d flags streamed from the flag index; RSS %s (<= 1024 MiB)", f.FlagsListed, mib(f.FlagsListedRSS))+
			firstRun(strconv.FormatFloat(f.FlagsListedFirstPerS, 'f', 0, 64)+" flags/s"))
}

// serveRows are the rows measured through `fairtrail serve` run as a new process over the up-to-date model.
func serveRows(row benchRow, f benchFigures) {
	row("serve ready after a restart", strconv.FormatFloat(f.ServeReadySeconds, 'f', 2, 64)+" s", "<= 5 s", atMost(f.ServeReadySeconds, 5),
		"new process over the up-to-date model (no build): from its start until /readyz answers 200")
	row("API POST /v1/events, 16 clients", rate(f.APIPostEventsPerS), "", "",
		fmt.Sprintf("%d events, one per request, exact expected revision, loopback HTTP", f.APIPostEvents))
	row("API POST /v1/events p50", millis(f.APIPostP50Ms), "", "", "includes waiting for the read model to apply it")
	row("API POST /v1/events p99", millis(f.APIPostP99Ms), "<= 20 ms", atMost(f.APIPostP99Ms, 20), "the concurrent writers' target")
	row("API GET /v1/flags?worker p50", millis(f.APIFlagsP50Ms), "", "", fmt.Sprintf("%d random workers, one client, "+
		"after %d untimed requests (as --only flags-worker); server CPU %s a request (user+sys), %.1f KB read from disk",
		f.APIFlagsQueries, flagsWorkerWarmup, millis(f.APIFlagsCPUMs), f.APIFlagsDiskKB))
	row("API GET /v1/flags?worker p99", millis(f.APIFlagsP99Ms), "<= 2 ms", atMost(f.APIFlagsP99Ms, 2), "the flags --worker target")
	row("API GET /v1/flags page p99", millis(f.FlagsPageP99Ms), "<= 50 ms", atMost(f.FlagsPageP99Ms, 50),
		fmt.Sprintf("every page of %s, one client: %d pages, %d flags in %.1f s; p50 %s, slowest %s", thousands(flagsPageSize),
			f.FlagsWalkPages, f.FlagsWalkFlags, f.FlagsWalkSeconds, millis(f.FlagsPageP50Ms), millis(f.FlagsPageMaxMs)))
	row("serve RSS during the flags walk", mib(f.ServeWalkRSSBytes), "<= 2048 MiB", atMost(float64(f.ServeWalkRSSBytes), 2<<30),
		"largest VmRSS of the server sampled every 10 ms during the walk; its peak over the whole run "+mib(f.ServePeakRSSBytes))
	row("API /metrics scrape", millis(f.MetricsScrapeMs), "<= 1000 ms", atMost(f.MetricsScrapeMs, 1000),
		fmt.Sprintf("slowest of %d scrapes with an admin key", benchScrapes))
	row("API mixed load p99, 16 clients", millis(f.MixedP99Ms), "<= 100 ms", atMost(f.MixedP99Ms, 100),
		fmt.Sprintf("%d requests, %.0f/s, p50 %s; p99 of its %d posts of held-back events %s, of flags pages anywhere in the "+
			"listing %s, of a worker's flags %s, of audit?buyer=buyer-1 %s", f.MixedRequests, f.MixedPerS, millis(f.MixedP50Ms),
			f.MixedWrites, millis(f.MixedPostP99Ms), millis(f.MixedPageP99Ms), millis(f.MixedWorkerP99Ms), millis(f.MixedAuditP99Ms)))
}

// peerRows compare fairtrail's store with the peer library's (built with -tags peer).
func peerRows(row benchRow, f benchFigures) {
	row("peer import", rate(f.PeerImportEventsPerS), "", "", "Save calls only: one transaction per run of a stream's events")
	row("fairtrail append, same events", rate(f.AppendEventsPerS), "", "", "AppendBatch calls only: the same runs, 2000 events a sync")
	row("peer global-order read", rate(f.PeerReadEventsPerS), "", "", "All(0), every event")
	row("import ratio fairtrail/peer", ratio(f.PeerImportRatio), ">= 3x", atLeast(f.PeerImportRatio, 3), "the same decoded events appended by each")
	row("end-to-end import / peer Save", ratio(f.PeerEndToEndRatio), "", "", "fairtrail's parse, validate and append over the peer's Save alone")
	row("read ratio fairtrail/peer", ratio(f.PeerReadRatio), ">= 3x", atLeast(f.PeerReadRatio, 3), "")
}

func atLeast(v, bound float64) string { return verdict(v >= bound) }
func atMost(v, bound float64) string  { return verdict(v <= bound) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func rate(v float64) string   { return thousands(int64(math.Round(v))) + " events/s" }
func millis(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) + " ms" }
func mib(b int64) string      { return strconv.FormatInt(b>>20, 10) + " MiB" }
func ratio(v float64) string  { return strconv.FormatFloat(v, 'f', 2, 64) + "x" }

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// perSecond is n events over d.
func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentileMs is the q-quantile (0 < q <= 1, nearest rank) of ds in milliseconds; 0 for no samples.
func percentileMs(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	k := int(math.Ceil(q*float64(len(s)))) - 1
	return ms(s[min(max(k, 0), len(s)-1)])
}

// procStatusBytes reads a memory figure of this process (VmHWM: peak RSS, VmRSS: RSS) from /proc/self/status;
// 0 where there is no such file (not Linux).
func procStatusBytes(field string) int64 { return procFieldKB("/proc/self/status", field) << 10 }

// firstRun says what a command's first run after the rebuild measured, when its figure is the second run's.
func firstRun(figure string) string {
	return "; second run (the model's pages cached); the first, right after the rebuild: " + figure
}
