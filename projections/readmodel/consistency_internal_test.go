package readmodel

import (
	"bytes"
	"context"
	"errors"
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
