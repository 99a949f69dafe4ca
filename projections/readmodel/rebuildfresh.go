package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
)

// freshPath is the file a rebuild alone with the model at path builds the new model into.
func freshPath(path string) string { return path + ".rebuild" }

// removeFresh removes what a rebuild alone with the model at path writes beside it: the new model's file and
// what SQLite writes beside that.
func removeFresh(path string) error {
	fresh := freshPath(path)
	for _, p := range []string{fresh, fresh + "-journal", fresh + "-wal", fresh + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("read model: remove what a rebuild killed midway left: %w", err)
		}
	}
	return nil
}

// freshPageSize and freshCacheKiB are the page size and page cache of a model built into a file of its own.
const (
	freshPageSize = 4096
	freshCacheKiB = writerCacheKiB
)

// rebuildFresh writes a model of the store up to head into a new file beside the model, with no journal (a
// rebuild killed midway leaves that file, which the next rebuild, or open, removes, and the model it was to
// replace), and renames it over the model once it is complete and on disk. The caller holds the model's lock
// exclusively and this process's catch-up token.
func (m *Model) rebuildFresh(ctx context.Context, store eventstore.Store, head eventstore.Position) (Checkpoint, error) {
	fresh := freshPath(m.path)
	if err := removeFresh(m.path); err != nil {
		return Checkpoint{}, err
	}
	cp, err := m.buildFresh(ctx, store, head, fresh)
	if err == nil {
		err = syncFile(fresh)
	}
	if err == nil {
		swapping := time.Now()
		err = m.file.swap(fresh, []idleConnCloser{m.db, m.wdb}, []int{keptReaders, writerIdle})
		m.opts.Logger.Info("read model: rebuild step done", "step", "swap", "took",
			time.Since(swapping).Round(time.Millisecond).String())
	}
	if err != nil {
		removeFresh(m.path) // best effort: the next open or rebuild removes it
		return cp, err
	}
	return cp, nil
}

// buildFresh writes the model into a new file at path.
func (m *Model) buildFresh(ctx context.Context, store eventstore.Store, head eventstore.Position, path string) (Checkpoint, error) {
	before, kept, err := m.keptRows(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	db, err := sql.Open("sqlite3", fmt.Sprintf("file:%s?_journal_mode=OFF&_synchronous=OFF&_locking_mode=EXCLUSIVE"+
		"&_foreign_keys=0&_cache_size=-%d", path, freshCacheKiB))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read model: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: the pragmas below hold for every statement
	for _, p := range []string{fmt.Sprintf("PRAGMA page_size = %d", freshPageSize),
		fmt.Sprintf("PRAGMA threads = %d", runtime.GOMAXPROCS(0))} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return Checkpoint{}, fmt.Errorf("read model: %s: %w", p, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read model: begin: %w", err)
	}
	defer tx.Rollback()
	if err := beginLoad(ctx, tx); err != nil {
		return Checkpoint{}, err
	}
	if err := kept.write(ctx, tx); err != nil {
		return Checkpoint{}, err
	}
	cp, err := m.fill(ctx, store, tx, head, before)
	if err != nil {
		return cp, err
	}
	committing := time.Now()
	if err := tx.Commit(); err != nil {
		return cp, fmt.Errorf("read model: commit: %w", err)
	}
	// In WAL mode, as the model is kept, before any connection opens it under the model's name.
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return cp, fmt.Errorf("read model: write-ahead log: %w", err)
	}
	if err := db.Close(); err != nil {
		return cp, fmt.Errorf("read model: close %s: %w", path, err)
	}
	m.opts.Logger.Info("read model: rebuild step done", "step", "commit", "took",
		time.Since(committing).Round(time.Millisecond).String())
	return cp, nil
}

// keptTables are what a rebuild keeps of the model it replaces: the flags ever raised by code, and the
// reporting currencies whose totals it keeps.
type keptTables struct {
	raised     map[string]int64
	currencies []string
}

// keptRows reads the flags by code of the model a rebuild replaces (countGrowth's before) and what it keeps.
func (m *Model) keptRows(ctx context.Context) (map[string]int64, keptTables, error) {
	var k keptTables
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, k, fmt.Errorf("read model: begin: %w", err)
	}
	defer tx.Rollback()
	before, err := codeTotals(ctx, tx)
	if err != nil {
		return nil, k, fmt.Errorf("read model: %w", err)
	}
	if k.currencies, err = keptCurrencies(ctx, tx); err != nil {
		return nil, k, err
	}
	k.raised = map[string]int64{}
	if err := raised(ctx, tx, nil, 1, k.raised); err != nil { // no crossings: the counter only
		return nil, k, fmt.Errorf("read model: flags raised: %w", err)
	}
	return before, k, nil
}

// write writes the rows kept into a new model's empty tables.
func (k keptTables) write(ctx context.Context, tx *sql.Tx) error {
	for code, n := range k.raised {
		if err := addRaised(ctx, tx, code, n); err != nil { // the counter only ever holds positive counts
			return fmt.Errorf("read model: keep flags raised: %w", err)
		}
	}
	return keepCurrencies(ctx, tx, k.currencies)
}

// syncFile writes the file at path to disk, before it is renamed into place.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("read model: open the rebuilt model: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("read model: sync the rebuilt model: %w", err)
	}
	return nil
}
