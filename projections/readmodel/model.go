package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// FileName is the model's file in the data (or cache) directory.
const FileName = "readmodel.sqlite"

// Options tune a model.
type Options struct {
	// Logger reports rebuilds and their reasons (default: discard).
	Logger *slog.Logger
	// Progress, when set, is called from time to time during a rebuild with the work done and the work to do
	// (the store's positions read; a rebuild in shards counts its read of the store as half of the work).
	Progress func(done, total uint64)
	// IncrementalLimit is how many new events a catch-up applies incrementally; more rebuild the model
	// (default 200,000).
	IncrementalLimit int
	// ReachShare is the share of the model's workers a catch-up of policy and organisation events judges again
	// one by one, read back by stream; when they reach more, it rebuilds the model (default 0.12, see reach.go).
	ReachShare float64
	// ShardEvents bounds the events a rebuild, or a replay of many workers under a time filter, holds decoded
	// in memory: a store of more events has its workers judged in shards of about this many events each (a
	// rebuild holds two at a time: one judged and written, the next prepared) (default 100,000; one read of
	// the store all the same, see spill and replayShards).
	ShardEvents uint64
	// SortRunBytes bounds the bytes of flag rows, and of flag scope rows, a rebuild holds in memory to sort
	// them into their tables' order: more are sorted in runs written beside the model and merged (default
	// 16 MiB, at most 2 GiB; it holds up to twice that of each: one run sorted and written while the next is
	// held).
	SortRunBytes int
	// SpillDir is where a replay of every worker under a time filter, of a store larger than a shard, spills
	// the workers' events, in a directory of its own that it removes (the system's temporary directory when
	// empty).
	SpillDir string
	// Now is the clock the rollups and month counts are kept at (time.Now when nil): a rebuild keeps them at
	// Now, and a catch-up moves them on to Now once they are ClockStep behind (default a minute), adding the
	// overdue reimbursements and open reports whose time came in between.
	Now       func() time.Time
	ClockStep time.Duration
	// ReadOnly opens an existing model that no process is writing (a finished import, a backup, a read-only
	// mount) for reading only: nothing is created or written, and CatchUp only checks that the model is
	// current with the store (ErrReadOnly when it is not) and leaves its clock where it is (a read judges the
	// clocked flags from the model's clock to its own, as it does between two moves of the clock).
	ReadOnly bool
	// Currencies are reporting currencies whose money totals the model keeps (see Track), so that
	// MoneyTotals in them reads a few rows rather than every worker's ledger: serve's --currency.
	Currencies []string
	// KeepAskedCurrencies keeps from then on the money of each reporting currency an audit or the agencies
	// ask for (see Model.Track), so that the read, which first converts every stored ledger once, and the
	// next ones read the rows of the groups they return: the command line's models. Without it (a server,
	// whose requests should not wait for that first conversion) only Currencies are kept, and a read in
	// another currency converts the ledgers in its scope each time.
	KeepAskedCurrencies bool
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.IncrementalLimit <= 0 {
		o.IncrementalLimit = 200_000
	}
	if o.ReachShare <= 0 {
		o.ReachShare = defaultReachShare
	}
	if o.ShardEvents == 0 {
		o.ShardEvents = 100_000
	}
	if o.SortRunBytes <= 0 || o.SortRunBytes > 2<<30 {
		o.SortRunBytes = defaultSortRunBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClockStep <= 0 {
		o.ClockStep = time.Minute
	}
	return o
}

// Model is a persisted read model. Its methods are safe for concurrent use, also by several processes: a
// catch-up writes in one immediate transaction, which re-reads the checkpoint inside it.
//
// Reads and writes go through pools of their own. A catch-up or rebuild writes on the writer's connection (its
// transactions begin immediate, taking SQLite's write lock at once); every read runs on a reader's connection,
// whose transactions begin deferred, so that in WAL mode a read reads the last committed state without waiting
// for a write in progress, and a write never waits for the readers.
type Model struct {
	db    *sql.DB // the readers' pool
	wdb   *sql.DB // the writer's pool (db itself for a model opened read-only)
	path  string
	opts  Options
	bases bases
	// catchingUp serializes this process's catch-ups (a follower, the writes that wait for theirs, and the
	// reads that need one), so that they wait for one another here, where a wait can end with its context,
	// rather than in SQLite's busy handler, which sleeps. It holds one token: take it to catch up.
	catchingUp chan struct{}
	tracked    bool // Options.Currencies are kept (with the catch-up token taken)
	// applied is where this process's catch-ups have left the model, which those waiting for theirs watch.
	applied progress
	// caughtUp is set once a catch-up of this process has completed (see CaughtUp).
	caughtUp atomic.Bool
	// stmts holds the flag listings' prepared statements (of the readers' pool); wstmts the catch-ups' (of the
	// writer's pool: see writer.prepare).
	stmts, wstmts stmtCache
	// file is the model's file as the pools reach it, with its lock (nil for a model opened read-only).
	file *modelFile
	// lastCheckpoint is the checkpoint Status read last, decoded.
	lastCheckpoint checkpointText
	// rules are the rules arrays the flag listings read, kept for the next ones (see keptRules).
	rules atomic.Pointer[keptRules]
}

// The page caches of the two pools and how many readers' connections are kept open between reads: one writer
// (catch-ups are serialized) with a large cache for a rebuild's and a catch-up's writes; readers, as many at
// once as reads need (a read may hold several cursors, so their number is not capped, which could deadlock),
// each with a smaller cache (the operating system caches the file for all of them), and enough of them kept
// for the concurrent requests of a server on a few cores, so that a read finds a connection with a warm cache.
const (
	writerCacheKiB = 262_144
	readerCacheKiB = 32_768
	keptReaders    = 8
	writerIdle     = 1
)

// PageCacheBytes is the most memory the SQLite page caches of a model hold: its writer's and its kept readers'.
// It is outside the Go heap, so a process's soft memory limit must leave room for it.
const PageCacheBytes = (writerCacheKiB + keptReaders*readerCacheKiB) << 10

// Open opens (creating if needed) the model in dir; with Options.ReadOnly it opens an existing one for reading.
func Open(dir string, opts Options) (*Model, error) {
	for _, c := range opts.Currencies {
		if err := projections.CheckCurrency(c); err != nil {
			return nil, fmt.Errorf("open read model: Currencies: %w", err)
		}
	}
	if opts.ReadOnly {
		return openReadOnly(dir, opts)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("read model directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	file, err := openModelFile(path)
	if err != nil {
		return nil, fmt.Errorf("open read model %s: %w", path, err)
	}
	common := "file:" + path + "?_busy_timeout=60000&_foreign_keys=0"
	drv := &sqlite3.SQLiteDriver{}
	wdb := sql.OpenDB(&connector{file: file, drv: drv,
		dsn: fmt.Sprintf("%s&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate&_cache_size=-%d", common, writerCacheKiB)})
	wdb.SetMaxIdleConns(writerIdle)
	db := sql.OpenDB(&connector{file: file, drv: drv,
		dsn: fmt.Sprintf("%s&_txlock=deferred&_query_only=1&_cache_size=-%d", common, readerCacheKiB)})
	db.SetMaxIdleConns(keptReaders)
	if !writtenByTheseRules(db, path) {
		if err := createSchema(wdb); err != nil {
			db.Close()
			wdb.Close()
			file.close()
			return nil, fmt.Errorf("open read model %s: create tables: %w", path, err)
		}
		// The file is in WAL mode now, which it keeps: a reader's connection opened before is not kept.
		db.SetMaxIdleConns(0)
		db.SetMaxIdleConns(keptReaders)
	}
	m := newModel(db, wdb, path, opts)
	m.file = file
	return m, nil
}

func newModel(db, wdb *sql.DB, path string, opts Options) *Model {
	return &Model{db: db, wdb: wdb, path: path, opts: opts.withDefaults(), catchingUp: make(chan struct{}, 1)}
}

// writtenByTheseRules reports whether the model's file at path exists and records these rules and layout
// (rulesMeta), read on a reader's connection: such a model has every table and index (a rebuild records the
// rules with its last changes), and is in WAL mode, so that createSchema would change nothing. A cold query
// then opens no writer's connection unless it writes (a catch-up, the clock moved on), and runs no CREATE
// statement: some 4 ms of CPU of a cold flags --worker, and a connection's set-up.
func writtenByTheseRules(db *sql.DB, path string) bool {
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		return false // a reader would create it, before the writer puts it in WAL mode
	}
	var rules string
	return db.QueryRow("SELECT value FROM meta WHERE key = 'rules'").Scan(&rules) == nil && rules == rulesMeta()
}

// createSchema creates the tables a model lacks, and their indexes unless the model was written by another
// layout, whose tables may lack an indexed column: its rebuild, which its catch-up makes, creates them.
func createSchema(db *sql.DB) error {
	if _, err := db.Exec(tablesSchema); err != nil {
		return err
	}
	var rules string
	err := db.QueryRow("SELECT value FROM meta WHERE key = 'rules'").Scan(&rules)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil && rules != rulesMeta() {
		return nil
	}
	_, err = db.Exec(indexSchema)
	return err
}

// Path is the model's file.
func (m *Model) Path() string { return m.path }

// Close closes the model.
func (m *Model) Close() error {
	err := errors.Join(m.stmts.close(), m.wstmts.close(), m.db.Close())
	if m.wdb != m.db {
		err = errors.Join(err, m.wdb.Close())
	}
	if m.file != nil {
		err = errors.Join(err, m.file.close())
	}
	return err
}

// Checkpoint is the last event a model describes: its position, and its stream, revision and id, by which a
// store that does not hold that event at that position is told apart.
type Checkpoint struct {
	Position eventstore.Position `json:"position"`
	Stream   string              `json:"stream,omitempty"`
	Revision uint64              `json:"revision"`
	EventID  string              `json:"event_id,omitempty"`
}

func checkpointOf(rec eventstore.Recorded) Checkpoint {
	return Checkpoint{Position: rec.Position, Stream: rec.Stream, Revision: rec.Revision, EventID: rec.ID.String()}
}

// rulesMeta is what a model records of the rules and layout it was written by (the same text for the whole
// run: the rules' version and codes are constants).
var rulesMeta = sync.OnceValue(func() string { return projections.Rules() + " schema " + SchemaVersion })

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stateSQL reads the rules and the checkpoint a model was written with, in one statement (NULL where missing).
const stateSQL = `SELECT (SELECT value FROM meta WHERE key = 'rules'), (SELECT value FROM meta WHERE key = 'checkpoint')`

// state reads the rules and checkpoint a model was written with; ok is false for a model never written.
func state(ctx context.Context, q querier) (rules string, cp Checkpoint, ok bool, err error) {
	var r, text sql.NullString
	if err := q.QueryRowContext(ctx, stateSQL).Scan(&r, &text); err != nil {
		return "", cp, false, fmt.Errorf("read model rules and checkpoint: %w", err)
	}
	if !r.Valid {
		return "", cp, false, nil
	}
	if !text.Valid {
		return "", cp, false, fmt.Errorf("read model checkpoint: %w", sql.ErrNoRows)
	}
	if err := json.Unmarshal([]byte(text.String), &cp); err != nil {
		return "", cp, false, fmt.Errorf("read model checkpoint %q: %w", text.String, err)
	}
	return r.String, cp, true, nil
}

func writeState(ctx context.Context, tx *sql.Tx, cp Checkpoint) error {
	text, _ := json.Marshal(cp) // plain values: cannot fail
	for k, v := range map[string]string{"rules": rulesMeta(), "checkpoint": string(text)} {
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", k, v); err != nil {
			return fmt.Errorf("write read model %s: %w", k, err)
		}
	}
	return nil
}

// Checkpoint returns the model's checkpoint (Start for a model never written).
func (m *Model) Checkpoint(ctx context.Context) (Checkpoint, error) {
	_, cp, _, err := state(ctx, preparedQuerier{&m.stmts, m.db})
	return cp, err
}
