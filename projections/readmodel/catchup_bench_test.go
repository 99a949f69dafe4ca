package readmodel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// benchCatchUpWorkers is the size of BenchmarkCatchUpOneEvent's dataset: large enough that the rollup rows a
// worker counts under hold histograms of hundreds of values, small enough to build in seconds.
const benchCatchUpWorkers = 3000

// BenchmarkCatchUpOneEvent is what a POST /v1/events of one worker event costs the read model: the event
// appended, then the model caught up with it (the worker judged again, its flags, row and rollups written,
// one commit), with the process's CPU per post. The events posted are the whole streams of the dataset's last workers, held back from the
// import, in their order.
func BenchmarkCatchUpOneEvent(b *testing.B) {
	benchCatchUps(b, 1)
}

// BenchmarkCatchUpBatch is what a catch-up of the posts of 16 clients costs the read model, per post: 16
// events of 16 workers appended, then the model caught up with them at once (as the API's posts waiting for
// one catch-up are), with the process's CPU per post.
func BenchmarkCatchUpBatch(b *testing.B) {
	benchCatchUps(b, 16)
}

// benchCatchUps appends the held-back workers' events, batch of different workers' events at a time (one
// event of each of batch workers, round by round), and catches the model up after each append; an op is one
// event.
func benchCatchUps(b *testing.B, batch int) {
	ctx := context.Background()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: benchCatchUpWorkers, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	imported, held := holdBackWorkers(b, strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n"), 400)
	if batch > 1 {
		held = interleave(b, held, batch)
	}
	dir := b.TempDir()
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := eventstore.Import(ctx, s, strings.NewReader(strings.Join(imported, "")), eventstore.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	m, err := readmodel.Open(dir, readmodel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	if _, err := m.CatchUp(ctx, s); err != nil {
		b.Fatal(err)
	}
	// Caught up under a context that can end, as a server's writes and its follower catch up.
	live, cancel := context.WithCancel(ctx)
	defer cancel()
	cpu := cpuSeconds(b)
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		if i+batch > len(held) {
			b.Fatalf("only %d events held back", len(held))
		}
		posts := strings.Join(held[i:i+batch], "")
		if _, err := eventstore.Import(ctx, s, strings.NewReader(posts), eventstore.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		if _, err := m.CatchUp(live, s); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(1000*(cpuSeconds(b)-cpu)/float64(b.N), "cpu-ms/op")
}

// interleave orders held-back events (each worker's in its order, workers one after another) so that each run
// of batch events holds batch workers' events (see roundRobin).
func interleave(b *testing.B, held []string, batch int) []string {
	b.Helper()
	workers := make(map[string]string, len(held))
	for _, l := range held {
		var e struct {
			Data struct {
				WorkerID string `json:"worker_id"`
			}
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			b.Fatal(err)
		}
		workers[l] = e.Data.WorkerID
	}
	return roundRobin(held, func(l string) string { return workers[l] }, batch)
}

// roundRobin orders items of streams (each stream's in its order, streams one after another, named by stream)
// so that each run of batch items holds batch streams' items: the streams taken batch at a time, and their
// items round by round, as long as every stream of the group has one.
func roundRobin[T any](items []T, stream func(T) string, batch int) []T {
	var order []string
	streams := map[string][]T{}
	for _, it := range items {
		k := stream(it)
		if streams[k] == nil {
			order = append(order, k)
		}
		streams[k] = append(streams[k], it)
	}
	out := make([]T, 0, len(items))
	for g := 0; g+batch <= len(order); g += batch {
		group := order[g : g+batch]
		rounds := len(streams[group[0]])
		for _, k := range group {
			rounds = min(rounds, len(streams[k]))
		}
		for round := range rounds {
			for _, k := range group {
				out = append(out, streams[k][round])
			}
		}
	}
	return out
}

// holdBackWorkers splits a dataset's lines into those imported and the events of the streams of its last n
// workers, held back, each in its order.
func holdBackWorkers(b *testing.B, ls []string, n int) (imported, held []string) {
	b.Helper()
	workerOf := make([]string, len(ls)) // the worker of each line's event, "" for none
	var workers []string
	seen := map[string]bool{}
	for i, l := range ls {
		var e struct {
			Data struct {
				WorkerID string `json:"worker_id"`
			}
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			b.Fatal(err)
		}
		w := e.Data.WorkerID
		workerOf[i] = w
		if w != "" && !seen[w] {
			seen[w] = true
			workers = append(workers, w)
		}
	}
	hold := map[string]bool{}
	for _, w := range workers[max(len(workers)-n, 0):] {
		hold[w] = true
	}
	for i, l := range ls {
		if hold[workerOf[i]] {
			held = append(held, l)
		} else {
			imported = append(imported, l)
		}
	}
	return imported, held
}
