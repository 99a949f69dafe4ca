package readmodel

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A replay's spill directory (fairtrail-spill-*, in the system's temporary directory or Options.SpillDir)
// holds a lock file that the replay holds locked (flock) for as long as it runs: the kernel lets go of the
// lock when the process ends, however it ends. A replay killed midway leaves its directory behind; the next
// replay removes every such directory whose lock it can take, before it makes its own, and never one a
// running replay holds. A directory without a lock file (one of a release before the lock, or of a replay
// killed between making its directory and locking it) is removed once it is staleSpillAge old.

// tempSpillPrefix begins the name of a replay's spill directory.
const tempSpillPrefix = "fairtrail-spill-"

// spillLockFile is the name of the lock file in a replay's spill directory.
const spillLockFile = "LOCK"

// staleSpillAge is how old a spill directory without a lock file must be to be removed: far longer than a
// replay takes.
const staleSpillAge = time.Hour

// errSpillGone reports a spill directory removed, as stale, by another replay before it was locked.
var errSpillGone = errors.New("spill directory removed before it was locked")

// newTempSpill removes what replays killed midway left under parent (the system's temporary directory when
// ""), then creates the bucket files in a new directory of its own there, locked until remove deletes it.
func newTempSpill(parent string, log *slog.Logger) (*spill, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	removeStaleSpills(parent, log)
	for range 3 {
		dir, err := os.MkdirTemp(parent, tempSpillPrefix+"*")
		if err != nil {
			return nil, fmt.Errorf("create spill directory: %w", err)
		}
		lock, err := lockSpill(dir)
		if errors.Is(err, errSpillGone) {
			continue
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s, err := createSpill(dir)
		if err != nil {
			lock.Close()
			return nil, err
		}
		s.lock = lock
		return s, nil
	}
	return nil, fmt.Errorf("create spill directory in %s: %w (three times)", parent, errSpillGone)
}

// lockSpill creates the lock file of a new spill directory and locks it, waiting for a replay that took it
// meanwhile to judge the directory stale: errSpillGone if that replay removed it.
func lockSpill(dir string) (*os.File, error) {
	name := filepath.Join(dir, spillLockFile)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errSpillGone
	}
	if err != nil {
		return nil, fmt.Errorf("create spill lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock spill directory %s: %w", dir, err)
	}
	held, err1 := f.Stat()
	named, err2 := os.Stat(name)
	if err1 != nil || err2 != nil || !os.SameFile(held, named) {
		f.Close()
		return nil, errSpillGone
	}
	return f, nil
}

// removeStaleSpills removes the spill directories under parent that no running replay holds (see above).
// It is best effort: a directory it cannot read or remove is left for the next replay.
func removeStaleSpills(parent string, log *slog.Logger) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempSpillPrefix) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if removeIfStale(dir) {
			log.Info("removed the spill directory of a replay that did not finish", "dir", dir)
		}
	}
}

// removeIfStale removes a spill directory no running replay holds, and reports whether it did.
func removeIfStale(dir string) bool {
	f, err := os.Open(filepath.Join(dir, spillLockFile))
	if errors.Is(err, fs.ErrNotExist) {
		info, err := os.Stat(dir)
		return err == nil && time.Since(info.ModTime()) > staleSpillAge && os.RemoveAll(dir) == nil
	}
	if err != nil {
		return false
	}
	defer f.Close() // after the removal: the lock is held until the directory is gone
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // a running replay's
	}
	return os.RemoveAll(dir) == nil
}
