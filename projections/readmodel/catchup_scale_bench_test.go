package readmodel_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Environment of BenchmarkCatchUpOneEventAtScale: the data directory of a copy of a generated store (its events
// are appended to: never a shared store), and the directory of its model (built there first when missing).
const (
	envScaleStore = "FAIRTRAIL_BENCH_STORE"
	envScaleModel = "FAIRTRAIL_BENCH_MODEL"
)

// BenchmarkCatchUpOneEventAtScale is BenchmarkCatchUpOneEvent over a store of any size (a copy of a generated
// one, named by FAIRTRAIL_BENCH_STORE, its model in FAIRTRAIL_BENCH_MODEL; skipped without them): each
// operation appends one event of a new worker, a copy of an existing worker's stream under a new id (the
// workers w-1, w-2, ... in turn, their events in order), and catches the model up with it. It reports the
// process's CPU (user and system) per post, the figure a server spends on it.
func BenchmarkCatchUpOneEventAtScale(b *testing.B) {
	storeDir, modelDir := os.Getenv(envScaleStore), os.Getenv(envScaleModel)
	if storeDir == "" || modelDir == "" {
		b.Skipf("set %s and %s to a copy of a generated store and its model's directory", envScaleStore, envScaleModel)
	}
	ctx := context.Background()
	s, err := embedded.Open(storeDir, embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	m, err := readmodel.Open(modelDir, readmodel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	if _, err := m.CatchUp(ctx, s); err != nil {
		b.Fatal(err)
	}
	posts := newWorkerPosts(b, s, b.N)
	cpu := cpuSeconds(b)
	b.ResetTimer()
	for _, p := range posts {
		if _, err := s.Append(ctx, p); err != nil {
			b.Fatal(err)
		}
		if _, err := m.CatchUp(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(1000*(cpuSeconds(b)-cpu)/float64(len(posts)), "cpu-ms/op")
}

// newWorkerPosts returns n appends of one event each: the streams of the store's workers w-1, w-2, ... copied
// under new worker ids, in their order.
func newWorkerPosts(b *testing.B, s eventstore.Store, n int) []eventstore.AppendRequest {
	b.Helper()
	ctx := context.Background()
	run := time.Now().UnixNano()
	var out []eventstore.AppendRequest
	for w := 1; len(out) < n; w++ {
		from, to := fmt.Sprintf("w-%d", w), fmt.Sprintf("w-%d-post%d", w, run)
		read := 0
		for rec, err := range s.ReadStream(ctx, "worker-"+from, 0) {
			if err != nil {
				b.Fatalf("read worker %s: %v", from, err)
			}
			id, err := domain.NewEventID(time.Now(), rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			data := bytes.ReplaceAll(rec.Data, []byte(`"`+from+`"`), []byte(`"`+to+`"`))
			out = append(out, eventstore.AppendRequest{Stream: "worker-" + to, Expected: eventstore.Any(),
				Events: []eventstore.Proposed{{ID: id, Type: rec.Type, OccurredAt: rec.OccurredAt, Data: data,
					RecordedBy: "bench"}}})
			read++
		}
		if read == 0 {
			b.Fatalf("worker %s has no events", from)
		}
	}
	return out[:n]
}

// cpuSeconds is the CPU (user and system) the process has used.
func cpuSeconds(b *testing.B) float64 {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
