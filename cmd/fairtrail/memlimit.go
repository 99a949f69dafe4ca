package main

import "runtime/debug"

// softMemoryLimit is the Go heap's soft limit when $GOMEMLIMIT does not set one: with the memory SQLite
// holds beside it (a connection's page cache is 256 MiB), a process stays within the 2 GiB the read model's
// rebuild and serve are allowed. Without it the collector lets the heap grow to twice what is live, which a
// rebuild's shard of decoded workers alone brings past 2 GiB at 600k workers.
const softMemoryLimit = 1536 << 20

// limitMemory sets softMemoryLimit unless the environment chose a limit of its own.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}
