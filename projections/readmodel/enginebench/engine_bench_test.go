package enginebench

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/sstable"
	"github.com/cockroachdb/pebble/vfs"
	_ "github.com/mattn/go-sqlite3"
	bolt "go.etcd.io/bbolt"
)

// The shape of the rebuild of a generated store (`fairtrail generate`, 20,000 workers): 16 flags per worker,
// each with a JSON body of about 750 bytes and about 6 scopes, of about 350 scopes in all.
const (
	flagsPerWorker = 16
	scopesPerFlag  = 6
	scopeCount     = 350
	bodyBytes      = 750
)

// benchWorkers is how many workers' flags a benchmark writes: 2,000, or ENGINEBENCH_WORKERS.
var benchWorkers = func() int {
	if n, err := strconv.Atoi(os.Getenv("ENGINEBENCH_WORKERS")); err == nil && n > 0 {
		return n
	}
	return 2000
}()

// flag is a row of the flag index, with its scopes.
type flag struct {
	k      []byte
	worker string
	body   string
	scopes []string
}

// dataset is the flags of benchWorkers workers in the order a rebuild writes them: worker by worker, each
// worker's flags at times spread over years, so that keys (which start with the time) arrive in random order.
func dataset() []flag {
	rng := rand.New(rand.NewPCG(1, 2))
	body := strings.Repeat("x", bodyBytes)
	out := make([]flag, 0, benchWorkers*flagsPerWorker)
	for w := range benchWorkers {
		worker := fmt.Sprintf("w-%06d", w)
		scopes := make([]string, scopesPerFlag)
		for i := range scopes {
			scopes[i] = fmt.Sprintf("agency:agency-%03d", rng.IntN(scopeCount))
		}
		for i := range flagsPerWorker {
			k := binary.BigEndian.AppendUint64(nil, uint64(1.6e9+rng.Int64N(1e8)))
			k = append(append(k, worker...), 0, byte(i))
			out = append(out, flag{k: k, worker: worker, body: body, scopes: scopes})
		}
	}
	return out
}

// report gives the flags written per second of wall time, and per second of CPU (user and system time of
// the process), which other work on a shared machine changes less.
func report(b *testing.B, flags int, took, cpu time.Duration) {
	b.ReportMetric(float64(flags)*float64(b.N)/took.Seconds(), "flags/s")
	b.ReportMetric(float64(flags)*float64(b.N)/cpu.Seconds(), "flags/cpu-s")
}

// cpuTime is the CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSQLiteLoadThenIndex is the rebuild's pattern: flags appended to a table with no index, scope rows
// to a temporary table, then flag_scopes filled in key order and the indexes created, in one transaction.
func BenchmarkSQLiteLoadThenIndex(b *testing.B) { benchSQLite(b, true) }

// BenchmarkSQLiteRowByRow keeps every index up row by row, as the incremental path does.
func BenchmarkSQLiteRowByRow(b *testing.B) { benchSQLite(b, false) }

func benchSQLite(b *testing.B, loadThenIndex bool) {
	flags := dataset()
	var took, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "m.sqlite")+
			"?_journal_mode=WAL&_synchronous=NORMAL&_cache_size=-262144")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		b.StartTimer()
		started, cpuStarted := time.Now(), cpuTime(b)
		if err := sqliteLoad(db, flags, loadThenIndex); err != nil {
			b.Fatal(err)
		}
		took, cpu = took+time.Since(started), cpu+cpuTime(b)-cpuStarted
		db.Close()
	}
	report(b, len(flags), took, cpu)
}

func sqliteLoad(db *sql.DB, flags []flag, loadThenIndex bool) error {
	tables := `CREATE TABLE flags (k BLOB NOT NULL, worker_id TEXT NOT NULL, flag TEXT NOT NULL);
		CREATE TABLE flag_scopes (scope TEXT NOT NULL, k BLOB NOT NULL, PRIMARY KEY (scope, k)) WITHOUT ROWID;
		CREATE TEMP TABLE scope_load (scope TEXT NOT NULL, k BLOB NOT NULL);`
	indexes := `CREATE UNIQUE INDEX flags_k ON flags (k); CREATE INDEX flags_worker ON flags (worker_id, k);`
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(tables); err != nil {
		return err
	}
	into := "INSERT INTO temp.scope_load (scope, k) VALUES (?,?)"
	if !loadThenIndex {
		if _, err := tx.Exec(indexes); err != nil {
			return err
		}
		into = "INSERT OR IGNORE INTO flag_scopes (scope, k) VALUES (?,?)"
	}
	flagStmt, err := tx.Prepare("INSERT INTO flags (k, worker_id, flag) VALUES (?,?,?)")
	if err != nil {
		return err
	}
	scopeStmt, err := tx.Prepare(into)
	if err != nil {
		return err
	}
	for _, f := range flags {
		if _, err := flagStmt.Exec(f.k, f.worker, f.body); err != nil {
			return err
		}
		for _, sc := range f.scopes {
			if _, err := scopeStmt.Exec(sc, f.k); err != nil {
				return err
			}
		}
	}
	if loadThenIndex {
		if _, err := tx.Exec("INSERT OR IGNORE INTO flag_scopes SELECT scope, k FROM temp.scope_load ORDER BY scope, k; " +
			indexes); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkBolt writes the same rows to bbolt: a bucket of flags by key, one of scope rows (scope, then key)
// and one of the worker index (worker, then key), boltBatch flags to a transaction, in the order they come.
// (In one transaction of every row, bbolt inserts each key into a node that splits only at the commit, a
// cost that grows with the square of the rows: it did not finish.)
func BenchmarkBolt(b *testing.B) { benchBolt(b, false) }

// BenchmarkBoltSorted sorts every bucket's keys before putting them in one transaction, which bbolt appends
// fastest: a lower bound, as a rebuild would have to sort more rows than it can hold in memory.
func BenchmarkBoltSorted(b *testing.B) { benchBolt(b, true) }

// boltBatch is how many flags BenchmarkBolt writes in a transaction.
const boltBatch = 2000

func benchBolt(b *testing.B, sorted bool) {
	flags := dataset()
	var took, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := bolt.Open(filepath.Join(b.TempDir(), "m.bolt"), 0o600, &bolt.Options{NoSync: true, NoFreelistSync: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		started, cpuStarted := time.Now(), cpuTime(b)
		batch := boltBatch
		if sorted {
			batch = len(flags)
		}
		for i := 0; i < len(flags); i += batch {
			part := flags[i:min(i+batch, len(flags))]
			if err := db.Update(func(tx *bolt.Tx) error { return boltLoad(tx, part, sorted) }); err != nil {
				b.Fatal(err)
			}
		}
		if err := db.Sync(); err != nil { // once, as SQLite's one commit
			b.Fatal(err)
		}
		took, cpu = took+time.Since(started), cpu+cpuTime(b)-cpuStarted
		db.Close()
	}
	report(b, len(flags), took, cpu)
}

type kv struct{ k, v []byte }

func boltLoad(tx *bolt.Tx, flags []flag, sorted bool) error {
	var rows [3][]kv // flags, scopes, workers
	for _, f := range flags {
		rows[0] = append(rows[0], kv{f.k, []byte(f.body)})
		for _, sc := range f.scopes {
			rows[1] = append(rows[1], kv{append(append([]byte(sc), 0), f.k...), nil})
		}
		rows[2] = append(rows[2], kv{append(append([]byte(f.worker), 0), f.k...), nil})
	}
	for i, name := range []string{"flags", "flag_scopes", "flags_worker"} {
		bk, err := tx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		if sorted {
			slices.SortFunc(rows[i], func(a, b kv) int { return bytes.Compare(a.k, b.k) })
			bk.FillPercent = 0.95
		}
		for _, r := range rows[i] {
			if err := bk.Put(r.k, r.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// The rows of the rebuild's pattern in one ordered key space, as a key-value engine holds them: a prefix byte
// names the "table" (f: a flag's body by key; s: a scope row, scope then key; w: the worker index, worker then
// key), as bbolt's three buckets do.
func pebbleRows(flags []flag) []kv {
	rows := make([]kv, 0, len(flags)*(2+scopesPerFlag))
	for _, f := range flags {
		rows = append(rows, kv{append([]byte{'f'}, f.k...), []byte(f.body)})
		for _, sc := range f.scopes {
			rows = append(rows, kv{append(append(append([]byte{'s'}, sc...), 0), f.k...), nil})
		}
		rows = append(rows, kv{append(append(append([]byte{'w'}, f.worker...), 0), f.k...), nil})
	}
	return rows
}

// pebbleOptions are a model's: no write-ahead log (a rebuild that fails is rebuilt), the defaults otherwise;
// with ENGINEBENCH_PEBBLE_BULK set, tuned for a bulk load: 64 MiB memtables, and level 0 left to grow (no
// stall, compacted from 32 files) rather than compacted from 4 files while the load writes.
func pebbleOptions() *pebble.Options {
	o := &pebble.Options{DisableWAL: true, Logger: quietLogger{}}
	if os.Getenv("ENGINEBENCH_PEBBLE_BULK") != "" {
		o.MemTableSize = 64 << 20
		o.L0CompactionThreshold = 32
		o.L0StopWritesThreshold = 1 << 20
		o.LBaseMaxBytes = 512 << 20
	}
	return o
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// BenchmarkPebble writes the rows to Pebble v1.1.5 in batches of pebbleBatch flags, keys as they come (the
// memtable sorts them, flushes write sorted tables, compactions merge them), then flushes the memtable: the
// time until every row is in a table on disk.
func BenchmarkPebble(b *testing.B) { benchPebble(b, false) }

// BenchmarkPebbleCompacted is BenchmarkPebble followed by a compaction of the whole key space, the write
// amplification a bulk load leaves to later compactions paid at once.
func BenchmarkPebbleCompacted(b *testing.B) { benchPebble(b, true) }

// pebbleBatch is how many flags' rows one Pebble batch holds.
const pebbleBatch = 2000

func benchPebble(b *testing.B, compact bool) {
	flags := dataset()
	var took, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := pebble.Open(filepath.Join(b.TempDir(), "m.pebble"), pebbleOptions())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		started, cpuStarted := time.Now(), cpuTime(b)
		for i := 0; i < len(flags); i += pebbleBatch {
			batch := db.NewBatch()
			for _, r := range pebbleRows(flags[i:min(i+pebbleBatch, len(flags))]) {
				if err := batch.Set(r.k, r.v, nil); err != nil {
					b.Fatal(err)
				}
			}
			if err := batch.Commit(pebble.NoSync); err != nil {
				b.Fatal(err)
			}
		}
		if err := db.Flush(); err != nil {
			b.Fatal(err)
		}
		if compact {
			if err := db.Compact([]byte{0}, []byte{0xff}, true); err != nil {
				b.Fatal(err)
			}
		}
		took, cpu = took+time.Since(started), cpu+cpuTime(b)-cpuStarted
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
	report(b, len(flags), took, cpu)
}

// BenchmarkPebbleIngest sorts every row in memory, writes them into one sorted table (sstable.Writer) and
// ingests it: the bulk load as a sorted append. A lower bound, as BenchmarkBoltSorted is: a rebuild of more
// rows than memory holds would sort them in runs and merge the runs as it writes the tables.
func BenchmarkPebbleIngest(b *testing.B) {
	flags := dataset()
	var took, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		opts := pebbleOptions().EnsureDefaults() // the writer's options are made from them
		db, err := pebble.Open(filepath.Join(dir, "m.pebble"), opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		started, cpuStarted := time.Now(), cpuTime(b)
		rows := pebbleRows(flags)
		slices.SortFunc(rows, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
		rows = slices.CompactFunc(rows, func(a, b kv) bool { return bytes.Equal(a.k, b.k) }) // a scope named twice
		path := filepath.Join(dir, "load.sst")
		f, err := vfs.Default.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := sstable.NewWriter(objstorageprovider.NewFileWritable(f),
			opts.MakeWriterOptions(0, db.FormatMajorVersion().MaxTableFormat()))
		for _, r := range rows {
			if err := w.Set(r.k, r.v); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if err := db.Ingest([]string{path}); err != nil {
			b.Fatal(err)
		}
		took, cpu = took+time.Since(started), cpu+cpuTime(b)-cpuStarted
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
	report(b, len(flags), took, cpu)
}
