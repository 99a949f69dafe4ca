package main

import (
	"runtime/debug"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// peakRSSTarget is the resident memory a process may reach while it rebuilds the read model or serves (issue 8's
// target: peak RSS <= 2 GiB).
const peakRSSTarget = 2 << 30

// softMemoryLimit is the Go heap's soft limit when $GOMEMLIMIT does not set one: peakRSSTarget less what the
// read model's SQLite page caches may hold beside the heap (1.5 GiB). Without it the collector lets the heap
// grow to twice what is live, which a rebuild's shard of decoded workers alone brings past 2 GiB at 600k
// workers; with it, a rebuild may raise GOGC (readmodel's batchCollector) and still stay within the target.
const softMemoryLimit = peakRSSTarget - readmodel.PageCacheBytes

// limitMemory sets softMemoryLimit unless the environment chose a limit of its own.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}
