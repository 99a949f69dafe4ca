package readmodel

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestBatchCollectorRaisesGOGCOnlyUnderAMemoryLimit: a rebuild's collector lets the heap grow further only
// where a soft memory limit bounds it, and gives the process its GOGC back afterwards. Not parallel: it sets
// the process's collector.
func TestBatchCollectorRaisesGOGCOnlyUnderAMemoryLimit(t *testing.T) {
	tests := []struct {
		name     string
		limit    int64
		duringGC int
	}{
		{"no memory limit: GOGC stays", math.MaxInt64, 100},
		{"a memory limit: GOGC raised", 1 << 30, rebuildGCPercent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prevLimit, prevGC := debug.SetMemoryLimit(tc.limit), debug.SetGCPercent(100)
			defer func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevGC) }()
			restore := batchCollector()
			if got := debug.SetGCPercent(-1); got != tc.duringGC {
				t.Errorf("GOGC during the rebuild %d, want %d", got, tc.duringGC)
			}
			debug.SetGCPercent(tc.duringGC) // what the read above turned off
			restore()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GOGC after the rebuild %d, want 100 back", got)
			}
		})
	}
}
