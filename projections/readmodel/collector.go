package readmodel

import (
	"math"
	"runtime/debug"
)

// A rebuild is a batch job: it allocates about 12 KB for every event it reads (decoded events, judgements,
// flag rows), almost all of it garbage within the shard that made it, while what stays live (the model of
// every job order and policy, a shard or two of workers, the runs being sorted) is a few hundred MiB. At the
// default GOGC the collector marks that live heap each time the heap doubles, which at 100,000 workers was
// a fifth of the rebuild's CPU. While a rebuild runs, the collector lets the heap grow to rebuildGCPercent
// over what is live instead, and the process's soft memory limit (which cmd derives from issue 8's 2 GiB
// target less PageCacheBytes) is what bounds it: near the limit the collector runs as often as it must.

// rebuildGCPercent is GOGC while a rebuild runs (see batchCollector). Measured at 100,000 workers: README,
// "The rebuild's collector and allocation".
const rebuildGCPercent = 400

// batchCollector sets the collector for a rebuild and returns what restores it. Only a process with a soft
// memory limit gets a higher GOGC: without one, nothing would bound the heap at five times what is live.
// The setting is the process's: a server's requests during a rebuild run with it too.
func batchCollector() (restore func()) {
	if debug.SetMemoryLimit(-1) == math.MaxInt64 { // -1 reads the limit without changing it
		return func() {}
	}
	prev := debug.SetGCPercent(rebuildGCPercent)
	return func() { debug.SetGCPercent(prev) }
}
