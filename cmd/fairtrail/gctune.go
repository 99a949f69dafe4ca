package main

import (
	"context"
	"runtime"
	"runtime/metrics"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// heapHeadroom is the least allocation a command lets pass between two collections (unless $GOGC sets a
// percent). A server's live Go heap is small (about 6 MiB over a 600,000-worker model: the model's pages are
// SQLite's, outside it), so at the default GOGC=100 the collector ran every 6 MiB, about once a second under
// one client's GET /v1/flags?worker= requests, and the requests that overlapped a collection's mark phase made
// most of the slowest 1% (bench --only flags-worker --profile, serve.trace). With this headroom it runs about
// ten times less often. A short command (flags --worker, history worker, audit --buyer over the model) allocates
// a few tens of MiB in all: at the default it collected several times, 17% of a cold flags --worker's CPU at
// 100,000 workers, where with the headroom it usually collects not once. Where the live heap is larger than
// the headroom (a rebuild) GOGC=100 holds, under the soft memory limit as before.
const heapHeadroom = 64 << 20

// initialHeap is the Go runtime's first heap goal at GOGC=100, from which keepHeapHeadroom's first percent
// is set before any collection has measured a live heap.
const initialHeap = 4 << 20

// headroomPercent is the GC percent (GOGC) that lets the heap grow by at least headroom bytes past live bytes
// before the next collection, and never less than the default's 100.
func headroomPercent(live, headroom uint64) int {
	const most = 100_000 // a heap of a few KiB live, as in a test: the headroom still bounds the heap
	if live == 0 {
		return most
	}
	return int(min(max(headroom*100/live, 100), most))
}

// keepHeapHeadroom sets the collector's percent after each collection from the heap that collection found live
// (headroomPercent), and before the first as if initialHeap were live, until ctx ends; then it restores the
// percent it found. It sets it through
// readmodel.SetGCPercent, so that a rebuild the server runs keeps its own percent while it lasts. A collection's end is seen by a
// cleanup attached to an object that only the collection can free, armed again each time.
func keepHeapHeadroom(ctx context.Context, headroom uint64) {
	prior := readmodel.SetGCPercent(headroomPercent(initialHeap, headroom))
	var arm func()
	arm = func() {
		if ctx.Err() != nil {
			readmodel.SetGCPercent(prior)
			return
		}
		runtime.AddCleanup(&gcSentinel{}, func(struct{}) {
			sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}
			metrics.Read(sample)
			live, now := sample[0].Value, sample[1].Value
			if live.Kind() == metrics.KindUint64 && now.Kind() == metrics.KindUint64 && ctx.Err() == nil {
				if p := headroomPercent(live.Uint64(), headroom); uint64(p) != now.Uint64() {
					readmodel.SetGCPercent(p)
				}
			}
			arm()
		}, struct{}{})
	}
	arm()
}

// gcSentinel is the object whose cleanup marks a collection's end: it holds a pointer so that it is never
// packed with other small objects by the tiny allocator, whose blocks outlive their parts.
type gcSentinel struct{ _ *byte }
