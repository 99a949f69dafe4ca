package readmodel

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections"
)

// caughtUpSmall returns a store of a small generated dataset and its model, caught up, and appends more events
// afterwards: the position the model holds and the store's new head.
func caughtUpSmall(t *testing.T) (m *Model, s *embedded.Store, held, head eventstore.Position) {
	t.Helper()
	lines, s, m := generatedStore(t, 12, 3, Options{})
	ctx := context.Background()
	half := len(lines) / 2
	if _, err := eventstore.Import(ctx, s, bytes.NewReader(bytes.Join(lines[:half], nil)), eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := m.CatchUp(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eventstore.Import(ctx, s, bytes.NewReader(bytes.Join(lines[half:], nil)), eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if head, err = s.Head(ctx); err != nil {
		t.Fatal(err)
	}
	return m, s, res.Checkpoint.Position, head
}

// TestReadsWaitForNoCatchUpInProgress: while a catch-up holds this process's catch-up token and SQLite's write
// lock (a write transaction open on the writer's connection), a read that needs no newer events than the model
// holds answers at once, reads in a transaction included, and one that needs them waits, until its context
// ends; once the token is free it catches the model up to the store's head.
func TestReadsWaitForNoCatchUpInProgress(t *testing.T) {
	t.Parallel()
	m, s, held, head := caughtUpSmall(t)
	if !held.Less(head) {
		t.Fatalf("the model holds %s, the store's head %s: nothing to catch up", held, head)
	}
	ctx := context.Background()
	m.catchingUp <- struct{}{}
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta (key, value) VALUES ('test', 'writing')"); err != nil {
		t.Fatal(err)
	}
	quick, cancel := context.WithTimeout(ctx, 10*time.Second) // a wait for the token or the write lock never ends
	defer cancel()
	if err := m.CatchUpTo(quick, s, held); err != nil {
		t.Fatalf("a read of what the model holds, during a catch-up: %v", err)
	}
	if _, err := m.FlagMonths(quick, projections.FlagQuery{}, time.Now(), Access{}); err != nil {
		t.Fatalf("a read in a transaction, during a write: %v", err)
	}
	if _, err := m.Audit(quick, projections.AuditQuery{}, time.Now()); err != nil {
		t.Fatalf("an audit, during a write: %v", err)
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := m.CatchUpTo(short, s, head); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a read of newer events during a catch-up: %v, want it to wait until its context ends", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	m.unlock()
	if err := m.CatchUpTo(ctx, s, head); err != nil {
		t.Fatal(err)
	}
	if cp, err := m.Checkpoint(ctx); err != nil || cp.Position != head {
		t.Fatalf("after the catch-up: checkpoint %+v, %v; want the store's head %s", cp, err, head)
	}
}

// TestCatchUpToCatchesUpOnlyWhenBehind: asked for a position the model holds, CatchUpTo leaves it where it is
// (the events after it stay for the follower); asked for a later one, it applies everything up to the head.
func TestCatchUpToCatchesUpOnlyWhenBehind(t *testing.T) {
	t.Parallel()
	m, s, held, head := caughtUpSmall(t)
	ctx := context.Background()
	if err := m.CatchUpTo(ctx, s, eventstore.Start); err != nil {
		t.Fatal(err)
	}
	if cp, err := m.Checkpoint(ctx); err != nil || cp.Position != held {
		t.Fatalf("asked for the start: checkpoint %+v, %v; want it left at %s", cp, err, held)
	}
	if err := m.CatchUpTo(ctx, s, head); err != nil {
		t.Fatal(err)
	}
	if cp, err := m.Checkpoint(ctx); err != nil || cp.Position != head {
		t.Fatalf("asked for the head: checkpoint %+v, %v; want %s", cp, err, head)
	}
}

// generatedStore generates a dataset of workers workers from seed and returns its NDJSON lines, and an empty
// store and a model opened over it with opts (both closed when the test ends): the events are the caller's to
// append.
func generatedStore(t *testing.T, workers int, seed int64, opts Options) ([][]byte, *embedded.Store, *Model) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: workers, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	m, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return bytes.SplitAfter(buf.Bytes(), []byte("\n")), s, m
}

// TestWaitersCoveredByTheCatchUpInProgressReturnWithoutTheToken: reads waiting for newer events than the model
// holds, while a catch-up holds the token, return as soon as that catch-up has applied their events, the token
// still held (each used to take it in turn only to find its events applied); one asking for more than the
// catch-up applied keeps waiting for the token.
func TestWaitersCoveredByTheCatchUpInProgressReturnWithoutTheToken(t *testing.T) {
	t.Parallel()
	m, s, _, head := caughtUpSmall(t)
	ctx := context.Background()
	m.catchingUp <- struct{}{} // the catch-up in progress
	const waiters = 4
	done := make(chan error, waiters)
	for range waiters {
		go func() { done <- m.CatchUpTo(ctx, s, head) }()
	}
	later := eventstore.Position{Commit: head.Commit + 1, Prepare: head.Prepare + 1} // past the store's head
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	beyond := make(chan error, 1)
	go func() { beyond <- m.CatchUpTo(short, s, later) }()
	if res, err := m.catchUpLocked(ctx, s); err != nil || res.Checkpoint.Position != head {
		t.Fatalf("the catch-up in progress: %+v, %v; want it at the store's head %s", res, err, head)
	}
	timeout := time.After(10 * time.Second)
	for range waiters {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("a read whose events the catch-up applied still waits while the token is held")
		}
	}
	if err := <-beyond; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a read of events past the catch-up's: %v, want it to wait for the token until its context ends", err)
	}
	m.unlock()
}

// endingStore is a store that ends a context at the first read of a stream after a read of every stream: a
// catch-up's caller gone once the catch-up has read the new events, while it judges their workers (a catch-up
// reads a stream before, to check its checkpoint).
type endingStore struct {
	eventstore.Store
	end  context.CancelFunc
	read *bool // every stream read
}

func (s endingStore) ReadAll(ctx context.Context, from eventstore.Position) iter.Seq2[eventstore.Recorded, error] {
	*s.read = true
	return s.Store.ReadAll(ctx, from)
}

func (s endingStore) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[eventstore.Recorded, error] {
	if *s.read {
		s.end()
	}
	return s.Store.ReadStream(ctx, stream, from)
}

// TestACatchUpWhoseContextEndsCommitsNothing: a catch-up whose context ends while it judges its workers (its
// statements run under a context that does not) stops before its commit with the context's error, and the
// model holds what it held; a catch-up after it applies the events.
func TestACatchUpWhoseContextEndsCommitsNothing(t *testing.T) {
	t.Parallel()
	lines, s, m := generatedStore(t, 12, 3, Options{})
	var imported, held [][]byte // held: the last worker's events, applied by a catch-up (not a rebuild)
	last := ""
	workerOf := func(l []byte) string {
		var e struct {
			Data struct {
				WorkerID string `json:"worker_id"`
			} `json:"data"`
		}
		if json.Unmarshal(l, &e) != nil {
			return ""
		}
		return e.Data.WorkerID
	}
	for _, l := range lines {
		last = cmp.Or(workerOf(l), last)
	}
	for _, l := range lines {
		if workerOf(l) == last {
			held = append(held, l)
		} else {
			imported = append(imported, l)
		}
	}
	bg := context.Background()
	appendAll := func(ls [][]byte) eventstore.Position {
		t.Helper()
		if _, err := eventstore.Import(bg, s, bytes.NewReader(bytes.Join(ls, nil)), eventstore.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		head, err := s.Head(bg)
		if err != nil {
			t.Fatal(err)
		}
		return head
	}
	before := appendAll(imported)
	if _, err := m.CatchUp(bg, s); err != nil {
		t.Fatal(err)
	}
	head := appendAll(held)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	if _, err := m.CatchUp(ctx, endingStore{Store: s, end: cancel, read: new(bool)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a catch-up whose context ended: %v, want %v", err, context.Canceled)
	}
	if cp, _, err := m.Status(bg); err != nil || cp.Position != before {
		t.Fatalf("the model after it: at %s (%v), want %s", cp.Position, err, before)
	}
	res, err := m.CatchUp(bg, s)
	if err != nil || res.Rebuilt || res.Checkpoint.Position != head {
		t.Fatalf("the catch-up after it: %+v (%v), want at %s, not rebuilt", res, err, head)
	}
}
