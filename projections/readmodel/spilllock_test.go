package readmodel

import (
	"bufio"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestAReplaySweepsOnlyTheSpillsNoReplayHolds: before it makes its own, a replay removes the spill
// directories whose lock no process holds and those without a lock that are old, and leaves a running
// replay's, a new one without a lock yet, and whatever is not a spill.
func TestAReplaySweepsOnlyTheSpillsNoReplayHolds(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	old := time.Now().Add(-2 * staleSpillAge)
	mkdir := func(name string, lock bool, mtime time.Time) string {
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bucket-00"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if lock {
			if err := os.WriteFile(filepath.Join(dir, spillLockFile), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(dir, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := []struct {
		name, dir string
		removed   bool
	}{
		{"a killed replay's", mkdir(tempSpillPrefix+"dead", true, time.Now()), true},
		{"a running replay's", mkdir(tempSpillPrefix+"live", true, old), false},
		{"an old one without a lock", mkdir(tempSpillPrefix+"old", false, old), true},
		{"a new one without a lock yet", mkdir(tempSpillPrefix+"new", false, time.Now()), false},
		{"not a spill", mkdir("fairtrail-other", true, old), false},
	}
	held, err := lockSpill(filepath.Join(parent, tempSpillPrefix+"live"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	sp, err := newTempSpill(parent, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(sp.dir, spillLockFile)); err != nil {
		t.Errorf("the new spill has no lock file: %v", err)
	}
	for _, c := range cases {
		_, err := os.Stat(c.dir)
		if gone := errors.Is(err, fs.ErrNotExist); gone != c.removed {
			t.Errorf("%s: removed %v, want %v (%v)", c.name, gone, c.removed, err)
		}
	}
	sp.remove()
	if _, err := os.Stat(sp.dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the spill's directory after remove: %v", err)
	}
}

// spillChildEnv names, in a child process of TestASpillOfAKilledReplayIsRemovedByTheNext, the directory it
// makes its spill in.
const spillChildEnv = "FAIRTRAIL_TEST_SPILL_CHILD"

// TestASpillOfAKilledReplayIsRemovedByTheNext: a process that makes a replay's spill and is killed (SIGKILL)
// leaves the directory, which a replay leaves alone while the process runs and removes once it is dead.
func TestASpillOfAKilledReplayIsRemovedByTheNext(t *testing.T) {
	if parent := os.Getenv(spillChildEnv); parent != "" {
		sp, err := newTempSpill(parent, slog.New(slog.DiscardHandler))
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(2)
		}
		os.Stdout.WriteString(sp.dir + "\n")
		time.Sleep(time.Minute) // until killed
		os.Exit(3)
	}
	t.Parallel()
	parent := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestASpillOfAKilledReplayIsRemovedByTheNext$")
	cmd.Env = append(os.Environ(), spillChildEnv+"="+parent)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the child said %q: %v", line, err)
	}
	child := line[:len(line)-1]
	if filepath.Dir(child) != parent {
		t.Fatalf("the child said %q", line)
	}
	replay := func() {
		t.Helper()
		sp, err := newTempSpill(parent, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		sp.remove()
	}
	replay()
	if _, err := os.Stat(child); err != nil {
		t.Fatalf("a replay removed the spill of a running one: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait() // killed: its error says so
	if _, err := os.Stat(child); err != nil {
		t.Fatalf("the killed replay's spill is gone before the next replay: %v", err)
	}
	replay()
	if _, err := os.Stat(child); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the next replay left the killed one's spill: %v", err)
	}
}
