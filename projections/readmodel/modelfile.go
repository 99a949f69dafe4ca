package readmodel

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// A rebuild that is alone with the model builds the new model into a file of its own beside it and renames it
// over the model (see rebuildFresh): every byte is written once, where a rebuild inside the model writes it to
// the write-ahead log and then copies it into the file. modelFile is what makes the rename safe:
//
//   - Every process that opens the model for writing holds a shared flock on its lock file (FileName.lock)
//     while the model is open. A rebuild takes it exclusively, without waiting: when it cannot (another
//     process has the model open) it rebuilds inside the model as before. While it holds it, a process opening
//     the model waits in Open.
//   - SQLite names the write-ahead log and its index after the database's path. A swap removes the old file's
//     (its connections keep them open) before the new file takes the name, and no connection removes them when
//     it closes (persistWAL), so the new file's are never the old one's.
//   - The model's connections are made through a connector that tags each with the file's generation: a swap
//     moves the generation on, so that database/sql closes a connection to the old file when it is given back
//     (a read in progress ends on the old file, whole) rather than keep it.

// lockSuffix names a model's lock file after the model's file.
const lockSuffix = ".lock"

// modelFile is the model's file as its writing pools reach it: its lock, and the generation of its
// connections.
type modelFile struct {
	path string
	lock *os.File
	gen  atomic.Uint64
	// gate is held (for writing) by a swap, during which no connection is made.
	gate sync.RWMutex
}

// openModelFile takes a shared lock on the lock file of the model at path, waiting for a rebuild of another
// process that holds it exclusively. Before, it removes what a rebuild killed midway left, when no other
// process has the model open.
func openModelFile(path string) (*modelFile, error) {
	lock, err := os.OpenFile(path+lockSuffix, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open read model lock: %w", err)
	}
	f := &modelFile{path: path, lock: lock}
	if f.tryExclusive() {
		if err := removeFresh(path); err != nil {
			lock.Close()
			return nil, err
		}
	}
	if err := f.shared(); err != nil {
		lock.Close()
		return nil, err
	}
	return f, nil
}

// tryExclusive takes the lock exclusively when no other process holds it; when it cannot, the shared lock
// may be lost (Linux converts a flock by releasing it first): call shared after.
func (f *modelFile) tryExclusive() bool {
	return syscall.Flock(int(f.lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// shared takes the lock shared (again), waiting while another process holds it exclusively.
func (f *modelFile) shared() error {
	for {
		err := syscall.Flock(int(f.lock.Fd()), syscall.LOCK_SH)
		if !errors.Is(err, syscall.EINTR) {
			if err != nil {
				return fmt.Errorf("lock read model: %w", err)
			}
			return nil
		}
	}
}

// close releases the lock.
func (f *modelFile) close() error { return f.lock.Close() }

// connector makes connections to the model's file with a DSN, tagged with the file's generation.
type connector struct {
	file *modelFile
	dsn  string
	drv  *sqlite3.SQLiteDriver
}

// Connect implements driver.Connector; it waits for a swap in progress.
func (c *connector) Connect(context.Context) (driver.Conn, error) {
	c.file.gate.RLock()
	defer c.file.gate.RUnlock()
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*sqlite3.SQLiteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("read model: unexpected connection %T", conn)
	}
	if err := persistWAL(sc); err != nil {
		sc.Close()
		return nil, err
	}
	return &fileConn{SQLiteConn: sc, gen: c.file.gen.Load(), file: c.file}, nil
}

// Driver implements driver.Connector.
func (c *connector) Driver() driver.Driver { return c.drv }

// fileConn is a connection to the model's file of one generation.
type fileConn struct {
	*sqlite3.SQLiteConn
	gen  uint64
	file *modelFile
}

// IsValid implements driver.Validator: a connection to a file since replaced is closed, not kept.
func (c *fileConn) IsValid() bool { return c.gen == c.file.gen.Load() }

// idleConnCloser is what swap needs of the pools: to close their idle connections (SetMaxIdleConns(0)) and
// keep them again.
type idleConnCloser interface{ SetMaxIdleConns(n int) }

// swap renames the file at fresh over the model's file (the caller holds the lock exclusively: no other
// process has it open). The connections of this process to the old file stay usable until they are given
// back, and are closed then; idle ones at once (idle sets each pool's number of idle connections back).
// Every connection keeps its write-ahead log when it closes (persistWAL), so that the last connection to the
// old file does not remove, by its name, the log of the new one.
func (f *modelFile) swap(fresh string, pools []idleConnCloser, idle []int) error {
	f.gate.Lock() // no connection is made to the old file under the new generation
	defer f.gate.Unlock()
	f.gen.Add(1)
	for i, p := range pools {
		p.SetMaxIdleConns(0)
		p.SetMaxIdleConns(idle[i])
	}
	// The old file's log and index keep their inodes for the connections that have them open; the new file
	// gets its own.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(f.path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("read model: remove %s%s: %w", f.path, suffix, err)
		}
	}
	if err := os.Rename(fresh, f.path); err != nil {
		return fmt.Errorf("read model: put the rebuilt model in place: %w", err)
	}
	return syncDir(f.path)
}

// walLimitBytes is the size a model's write-ahead log is cut back to after a checkpoint; a connection that
// closes last, having checkpointed it, empties it.
const walLimitBytes = 64 << 20

// persistWAL tells SQLite not to remove the write-ahead log, and its index, when conn closes (it empties the
// log instead, see walLimitBytes): they are found by the model's name, which a swap gives to a new file.
func persistWAL(conn *sqlite3.SQLiteConn) error {
	if err := conn.SetFileControlInt("main", sqlite3.SQLITE_FCNTL_PERSIST_WAL, 1); err != nil {
		return fmt.Errorf("read model: keep the write-ahead log: %w", err)
	}
	if _, err := conn.Exec(fmt.Sprintf("PRAGMA journal_size_limit = %d", walLimitBytes), nil); err != nil {
		return fmt.Errorf("read model: write-ahead log limit: %w", err)
	}
	return nil
}

// syncDir makes the rename of the file at path durable.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("read model: open its directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("read model: sync its directory: %w", err)
	}
	return nil
}
