package embedded

import (
	"errors"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

func TestOneWriterPerDirectory(t *testing.T) {
	tests := []struct {
		name string
		// second opens the directory while a writer holds it; wantErr is whether that must fail.
		opts    Options
		wantErr bool
	}{
		{name: "a second writable open is refused", opts: Options{}, wantErr: true},
		{name: "a read-only open works alongside the writer", opts: Options{ReadOnly: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first := openStore(t, dir, Options{})
			want := populate(t, first, []string{"worker-a", "worker-b"}, 6)

			second, err := Open(dir, tc.opts)
			if tc.wantErr {
				if err == nil {
					second.Close()
					t.Fatal("second writable open of a directory in use succeeded")
				}
				if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), dir) {
					t.Fatalf("second writable open failed with %q, want an error saying %s is in use", err, dir)
				}
			} else {
				if err != nil {
					t.Fatalf("open alongside the writer: %v", err)
				}
				sameEvents(t, storetest.ReadAll(t, second, eventstore.Start), want)
				closeStore(t, second)
			}

			// The failed or read-only open left the writer working.
			want = populate(t, first, []string{"worker-a", "worker-b"}, 2)
			closeStore(t, first)

			again := openStore(t, dir, Options{})
			sameEvents(t, storetest.ReadAll(t, again, eventstore.Start), want)
			continuesChains(t, again, want)
		})
	}
}
