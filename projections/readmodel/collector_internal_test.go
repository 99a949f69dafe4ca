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

// TestOverlappingRebuildsRestoreGOGCOnce: of two rebuilds that overlap, the first raises GOGC and the last to
// end gives back the GOGC before the first, whichever order they end in.
func TestOverlappingRebuildsRestoreGOGCOnce(t *testing.T) {
	prevLimit, prevGC := debug.SetMemoryLimit(1<<30), debug.SetGCPercent(150)
	defer func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevGC) }()
	first := batchCollector()
	second := batchCollector()
	first()
	first() // twice: restores once
	if got := debug.SetGCPercent(rebuildGCPercent); got != rebuildGCPercent {
		t.Fatalf("GOGC while the second rebuild runs %d, want %d", got, rebuildGCPercent)
	}
	second()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GOGC after both %d, want 150 back", got)
	}
}

// TestSetGCPercentWaitsForTheRebuild: a percent set while a rebuild runs (serve's heap headroom, after each
// collection) leaves the rebuild's in place and is the one the rebuild's end restores; outside a rebuild it is
// set at once.
func TestSetGCPercentWaitsForTheRebuild(t *testing.T) {
	prevLimit, prevGC := debug.SetMemoryLimit(1<<30), debug.SetGCPercent(150)
	defer func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevGC) }()
	restore := batchCollector()
	if got := SetGCPercent(300); got != 150 {
		t.Errorf("SetGCPercent during a rebuild returned %d, want the 150 it will replace", got)
	}
	if got := debug.SetGCPercent(rebuildGCPercent); got != rebuildGCPercent {
		t.Errorf("GOGC during the rebuild %d, want the rebuild's %d", got, rebuildGCPercent)
	}
	restore()
	if got := SetGCPercent(120); got != 300 {
		t.Errorf("GOGC after the rebuild %d, want 300, set during it", got)
	}
	if got := debug.SetGCPercent(150); got != 120 {
		t.Errorf("GOGC after SetGCPercent outside a rebuild %d, want 120", got)
	}
}
