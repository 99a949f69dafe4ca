package readmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections"
)

// snapshotFixture is a store of a small generated dataset and the directory of its model, rebuilt, with the
// workers and the clock the tests judge at.
func snapshotFixture(t *testing.T) (store eventstore.Store, dir string, workers []string, clock time.Time) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: 25, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := eventstore.Import(ctx, s, &buf, eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	m := openInternal(t, dir)
	if _, err := m.CatchUp(ctx, s); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 25; i += 3 {
		workers = append(workers, fmt.Sprintf("w-%06d", i))
	}
	return s, dir, workers, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
}

func openInternal(t *testing.T, dir string) *Model {
	t.Helper()
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// workerAnswers is what a new model of dir answers about the workers: their reports and flags, as JSON.
func workerAnswers(t *testing.T, s eventstore.Store, dir string, workers []string, clock time.Time) string {
	t.Helper()
	m := openInternal(t, dir)
	v, err := m.View(context.Background(), s, workers, projections.Filter{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, w := range workers {
		r, ok := v.Worker(w)
		if !ok {
			t.Fatalf("worker %s unknown", w)
		}
		out = append(out, r, v.Flags(projections.FlagQuery{WorkerID: w}))
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContextSnapshotAnswersAsTheRows: a rebuild stores the base context's snapshot under the context's
// signature; the answers made from it are those made from the context_events rows, which a model reads
// instead when the snapshot is missing, of another signature, or does not decode.
func TestContextSnapshotAnswersAsTheRows(t *testing.T) {
	t.Parallel()
	s, dir, workers, clock := snapshotFixture(t)
	m := openInternal(t, dir)
	ctx := context.Background()
	sig, err := contextSignature(ctx, m.db)
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	var events []byte
	if err := m.db.QueryRow("SELECT signature, events FROM context_snapshot").Scan(&stored, &events); err != nil {
		t.Fatalf("no context snapshot after a rebuild: %v", err)
	}
	facts, err := decodeSnapshot(events)
	if stored != sig || err != nil || len(facts) == 0 {
		t.Fatalf("snapshot under %q (context %q), %d events, %v", stored, sig, len(facts), err)
	}
	want := workerAnswers(t, s, dir, workers, clock)
	spoil := []struct{ name, sql string }{
		{"does not decode", "UPDATE context_snapshot SET events = x'01ff'"},
		{"of another signature", "UPDATE context_snapshot SET signature = 'other', events = x'01'"},
		{"missing", "DELETE FROM context_snapshot"},
	}
	for _, sp := range spoil { // in turn: each leaves the model to the next
		if _, err := m.db.Exec(sp.sql); err != nil {
			t.Fatal(err)
		}
		if got := workerAnswers(t, s, dir, workers, clock); got != want {
			t.Fatalf("snapshot %s: answers\n%s\nwant (from the snapshot)\n%s", sp.name, got, want)
		}
	}
}

// FuzzDecodeSnapshot: whatever bytes a snapshot holds, decoding never panics, and a valid one decodes to the
// records encoded.
func FuzzDecodeSnapshot(f *testing.F) {
	rec := eventstore.Recorded{Position: eventstore.Position{Commit: 7, Prepare: 7}, Stream: "policy-p1", Revision: 2,
		Type: "PolicyRetired", OccurredAt: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		RecordedAt: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC), RecordedBy: "ops",
		Data: []byte(`{"policy_id":"p1"}`)}
	valid := appendSnapshotRecord([]byte{snapshotFormat}, rec)
	f.Add(valid)
	f.Add(valid[:len(valid)-3])
	f.Add([]byte{snapshotFormat})
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.Equal(b, valid) {
			r := &snapshotReader{b: b[1:]}
			got, ok := r.next()
			if _, more := r.next(); !ok || more || r.err != nil || !reflect.DeepEqual(got, rec) {
				t.Fatalf("decoded %+v (%v, more %v, %v), want %+v", got, ok, more, r.err, rec)
			}
		}
		decodeSnapshot(b) //nolint:errcheck // only that it never panics
	})
}
