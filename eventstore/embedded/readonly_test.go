package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

func TestReadOnlyStore(t *testing.T) {
	dir, want := filledDir(t, []string{"worker-a", "worker-b", "worker-c"}, 9)
	s := openStore(t, dir, Options{ReadOnly: true})
	ctx := context.Background()

	t.Run("append is refused as closed", func(t *testing.T) {
		_, err := s.Append(ctx, eventstore.AppendRequest{Stream: "worker-a", Events: []eventstore.Proposed{storetest.Event(t, "late", day)}})
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("append: %v, want an error wrapping ErrClosed", err)
		}
		_, err = s.AppendBatch(ctx, []eventstore.AppendRequest{{Stream: "worker-z", Events: []eventstore.Proposed{storetest.Event(t, "late", day)}}})
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("append batch: %v, want an error wrapping ErrClosed", err)
		}
	})
	t.Run("read all from the start and from a middle position", func(t *testing.T) {
		sameEvents(t, storetest.ReadAll(t, s, eventstore.Start), want)
		sameEvents(t, storetest.ReadAll(t, s, want[3].Position), want[4:])
		sameEvents(t, storetest.ReadAll(t, s, want[len(want)-1].Position), nil)
	})
	t.Run("read each stream", func(t *testing.T) { sameStreams(t, s, want) })
	t.Run("a missing stream is not found", func(t *testing.T) {
		for _, err := range s.ReadStream(ctx, "worker-nobody", 0) {
			if !errors.Is(err, eventstore.ErrNotFound) {
				t.Fatalf("read missing stream: %v, want ErrNotFound", err)
			}
		}
	})
	t.Run("subscribe delivers what is stored and returns", func(t *testing.T) {
		var got []eventstore.Recorded
		err := s.Subscribe(ctx, eventstore.Start, func(r eventstore.Recorded) error { got = append(got, r); return nil })
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		sameEvents(t, got, want)
	})
	t.Run("verify passes", func(t *testing.T) { mustVerify(t, s, len(want)) })
	t.Run("nothing was written", func(t *testing.T) {
		if q := quarantined(t, dir); len(q) != 0 {
			t.Fatalf("quarantine files %v", q)
		}
		sameEvents(t, storetest.ReadAll(t, openStore(t, dir, Options{}), eventstore.Start), want)
	})
}

func TestReadOnlyOpenWithoutLog(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{name: "an empty directory", dir: func(t *testing.T) string { return t.TempDir() }},
		{name: "a directory that does not exist", dir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			s, err := Open(dir, Options{ReadOnly: true})
			if err == nil {
				s.Close()
				t.Fatal("read-only open without events.log succeeded")
			}
			if !errors.Is(err, eventstore.ErrNotFound) {
				t.Fatalf("read-only open: %v, want an error wrapping ErrNotFound", err)
			}
			if _, err := os.Stat(logPath(dir)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("read-only open created events.log (stat: %v)", err)
			}
		})
	}
}
