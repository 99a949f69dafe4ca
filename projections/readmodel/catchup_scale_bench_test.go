package readmodel_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Environment of BenchmarkCatchUpOneEventAtScale: the data directory of a generated store, opened read-only
// (the events posted are never written to it), and the directory of a copy of its model, which the benchmark
// catches up with them (built there first when missing) and beside which it keeps them (postedFile), so that
// the model describes the store and them at its next run.
const (
	envScaleStore = "FAIRTRAIL_BENCH_STORE"
	envScaleModel = "FAIRTRAIL_BENCH_MODEL"
)

// BenchmarkCatchUpOneEventAtScale is BenchmarkCatchUpOneEvent over a store of any size (a generated store named
// by FAIRTRAIL_BENCH_STORE, a copy of its model in FAIRTRAIL_BENCH_MODEL; skipped without them): each operation
// posts one event of a new worker, a copy of an existing worker's stream under a new id (the workers w-000001,
// w-000002, ... in turn, their events in order), and catches the model up with it. The store is read-only:
// the events posted are held in memory after its head (overlay). It reports the process's CPU (user and
// system) per post, the catch-up's, which a server spends on it besides the append.
func BenchmarkCatchUpOneEventAtScale(b *testing.B) {
	benchCatchUpsAtScale(b, 1)
}

// BenchmarkCatchUpBatchAtScale is BenchmarkCatchUpBatch over a store of any size, as
// BenchmarkCatchUpOneEventAtScale: 16 new workers' events posted, then the model caught up with them at once,
// with the process's CPU per post.
func BenchmarkCatchUpBatchAtScale(b *testing.B) {
	benchCatchUpsAtScale(b, 16)
}

// benchCatchUpsAtScale posts batch new workers' events (one each) per catch-up; an op is one event.
func benchCatchUpsAtScale(b *testing.B, batch int) {
	storeDir, modelDir := os.Getenv(envScaleStore), os.Getenv(envScaleModel)
	if storeDir == "" || modelDir == "" {
		b.Skipf("set %s to a generated store and %s to a copy of its model's directory", envScaleStore, envScaleModel)
	}
	ctx := context.Background()
	base, err := embedded.Open(storeDir, embedded.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer base.Close()
	head, err := base.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	s := &overlay{Store: base, head: head, streams: map[string][]eventstore.Recorded{}}
	posted := filepath.Join(modelDir, postedFile)
	if err := s.load(posted); err != nil {
		b.Fatal(err)
	}
	m, err := readmodel.Open(modelDir, readmodel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	if _, err := m.CatchUp(ctx, s); err != nil {
		b.Fatal(err)
	}
	n := (b.N + batch - 1) / batch * batch
	var posts []eventstore.AppendRequest
	if batch == 1 {
		posts = newWorkerPosts(b, s, n)
	} else { // workers of fewer events than others of their batch leave some out: three times as many, and
		// enough for a batch of workers of some twenty events
		posts = roundRobin(newWorkerPosts(b, s, 3*n+20*batch), func(p eventstore.AppendRequest) string { return p.Stream }, batch)
		if len(posts) < n {
			b.Fatalf("%d posts of %d workers at a time, want %d", len(posts), batch, n)
		}
		posts = posts[:n]
	}
	cpu := cpuSeconds(b)
	b.ResetTimer()
	for i, p := range posts {
		if _, err := s.Append(ctx, p); err != nil {
			b.Fatal(err)
		}
		if (i+1)%batch != 0 {
			continue
		}
		if _, err := m.CatchUp(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(1000*(cpuSeconds(b)-cpu)/float64(len(posts)), "cpu-ms/op")
	if err := s.save(posted); err != nil {
		b.Fatal(err)
	}
}

// postedFile holds, beside the model BenchmarkCatchUpOneEventAtScale catches up, the events its runs posted, as
// JSON lines of eventstore.Recorded.
const postedFile = "bench-posted.jsonl"

// load holds the events a file of postedFile's form holds, when it exists, as appended after the store's head.
func (o *overlay) load(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		var rec eventstore.Recorded
		if err := dec.Decode(&rec); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if want := o.head.Commit + uint64(len(o.added)) + 1; rec.Position.Commit != want {
			return fmt.Errorf("%s: event at %d, want %d: posted after another store's head", path, rec.Position.Commit, want)
		}
		o.added = append(o.added, rec)
		o.streams[rec.Stream] = append(o.streams[rec.Stream], rec)
	}
}

// save writes every event held to path, in postedFile's form.
func (o *overlay) save(path string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, rec := range o.added {
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}

// newWorkerPosts returns n appends of one event each: the streams of the store's workers w-000001, w-000002,
// ... copied under new worker ids, in their order.
func newWorkerPosts(b *testing.B, s eventstore.Store, n int) []eventstore.AppendRequest {
	b.Helper()
	ctx := context.Background()
	run := time.Now().UnixNano()
	var out []eventstore.AppendRequest
	for w := 1; len(out) < n; w++ {
		from := fmt.Sprintf("w-%06d", w)
		to := fmt.Sprintf("%s-post%d", from, run)
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

// overlay is a store read-only beneath (Store) whose appends, to new streams only, are held in memory after its
// head: what a catch-up reads (the head, the events after a position, a stream) as if they had been stored.
type overlay struct {
	eventstore.Store
	head    eventstore.Position
	added   []eventstore.Recorded
	streams map[string][]eventstore.Recorded
}

// Append holds the events of req after the last one held, without checking its expectation or their ids.
func (o *overlay) Append(_ context.Context, req eventstore.AppendRequest) (eventstore.AppendResult, error) {
	res := eventstore.AppendResult{Stream: req.Stream}
	for _, p := range req.Events {
		next := o.head.Commit + uint64(len(o.added)) + 1
		rec := eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: req.Stream,
			Revision: uint64(len(o.streams[req.Stream])), Position: eventstore.Position{Commit: next, Prepare: next},
			OccurredAt: p.OccurredAt, RecordedAt: time.Now().UTC(), RecordedBy: p.RecordedBy, Data: p.Data}
		o.added = append(o.added, rec)
		o.streams[req.Stream] = append(o.streams[req.Stream], rec)
		res.Events = append(res.Events, eventstore.Appended{ID: p.ID, Revision: rec.Revision, Position: rec.Position})
	}
	return res, nil
}

// Head is the position of the last event held, else the store's head.
func (o *overlay) Head(ctx context.Context) (eventstore.Position, error) {
	if len(o.added) == 0 {
		return o.Store.Head(ctx)
	}
	return o.added[len(o.added)-1].Position, nil
}

// ReadAll reads the store's events after a position, then those held after it.
func (o *overlay) ReadAll(ctx context.Context, after eventstore.Position) iter.Seq2[eventstore.Recorded, error] {
	return func(yield func(eventstore.Recorded, error) bool) {
		if after.Less(o.head) {
			for rec, err := range o.Store.ReadAll(ctx, after) {
				if !yield(rec, err) || err != nil {
					return
				}
			}
		}
		for _, rec := range o.added {
			if after.Less(rec.Position) && !yield(rec, nil) {
				return
			}
		}
	}
}

// ReadStream reads a stream held from a revision on, or the store's.
func (o *overlay) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[eventstore.Recorded, error] {
	held, ok := o.streams[stream]
	if !ok {
		return o.Store.ReadStream(ctx, stream, from)
	}
	return func(yield func(eventstore.Recorded, error) bool) {
		for _, rec := range held[min(from, uint64(len(held))):] {
			if !yield(rec, nil) {
				return
			}
		}
	}
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
