package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestHeadroomPercent(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tc := range []struct {
		name           string
		live, headroom uint64
		want           int
	}{
		{"a server's small heap grows by the headroom", 6 * mib, 64 * mib, 1066},
		{"a heap as large as the headroom keeps the default", 64 * mib, 64 * mib, 100},
		{"a rebuild's large heap keeps the default", 900 * mib, 64 * mib, 100},
		{"a heap of a few KiB is bounded", 4 << 10, 64 * mib, 100_000},
		{"no live heap yet is bounded", 0, 64 * mib, 100_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := headroomPercent(tc.live, tc.headroom); got != tc.want {
				t.Errorf("headroomPercent(%d, %d) = %d, want %d", tc.live, tc.headroom, got, tc.want)
			}
		})
	}
}

// TestKeepHeapHeadroomFollowsTheLiveHeap: after each collection the percent is set from the heap it found
// live, and once the context ends the percent found at the start is restored at the next collection. (Not
// parallel: the percent is the process's.)
func TestKeepHeapHeadroomFollowsTheLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const headroom = 1 << 40 // far above any live heap of a test: the percent is bounded
	keepHeapHeadroom(ctx, headroom)
	waitPercent(t, 100_000)
	debug.SetGCPercent(250) // another setting, which keepHeapHeadroom replaces at its next look
	waitPercent(t, 100_000)
	cancel()
	waitPercent(t, 100)
}

// waitPercent collects until the GC percent is want, failing after a few seconds.
func waitPercent(t *testing.T, want int) {
	t.Helper()
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		metrics.Read(sample)
		got := int(sample[0].Value.Uint64())
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GC percent %d, want %d", got, want)
		}
		time.Sleep(time.Millisecond)
	}
}
