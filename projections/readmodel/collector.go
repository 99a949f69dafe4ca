package readmodel

import (
	"math"
	"runtime/debug"
	"sync"
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

// batchCollector sets the collector for a rebuild's judging and returns what restores it. Only a process with a soft
// memory limit gets a higher GOGC: without one, nothing would bound the heap at five times what is live.
// The setting is the process's: a server's requests during a rebuild run with it too, and rebuilds that
// overlap (two models in one process) share it, the first setting it and the last restoring it.
func batchCollector() (restore func()) {
	batchGC.mu.Lock()
	defer batchGC.mu.Unlock()
	if batchGC.running == 0 {
		if !memoryLimited() {
			return func() {}
		}
		batchGC.prevGC = debug.SetGCPercent(rebuildGCPercent)
	}
	batchGC.running++
	return sync.OnceFunc(func() {
		batchGC.mu.Lock()
		defer batchGC.mu.Unlock()
		if batchGC.running--; batchGC.running == 0 {
			debug.SetGCPercent(batchGC.prevGC)
		}
	})
}

// memoryLimited reports whether the process has a soft memory limit (debug.SetMemoryLimit; -1 reads the limit
// without changing it).
func memoryLimited() bool {
	return debug.SetMemoryLimit(-1) != math.MaxInt64
}

// SetGCPercent sets the collector's percent (GOGC) as debug.SetGCPercent does, for a process that tunes it
// outside rebuilds (serve's heap headroom): while a rebuild runs, the rebuild's percent holds and p is what
// the last rebuild's end restores. It returns the percent p replaces, as debug.SetGCPercent does.
func SetGCPercent(p int) int {
	batchGC.mu.Lock()
	defer batchGC.mu.Unlock()
	if batchGC.running > 0 {
		prev := batchGC.prevGC
		batchGC.prevGC = p
		return prev
	}
	return debug.SetGCPercent(p)
}

// batchGC counts the rebuilds running under batchCollector's setting and keeps the GOGC it replaced. It is
// package state because what it guards, the collector's setting, is the process's.
var batchGC struct {
	mu      sync.Mutex
	running int
	prevGC  int
}
