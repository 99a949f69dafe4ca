package readmodel_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestHelperRebuilder is not a test: TestRebuildKilledMidwayLeavesTheOldModel runs the test binary on it as a
// rebuild to kill. It rebuilds the model of the store in $FAIRTRAIL_HELPER_DIR in passes and, once the first
// pass is written, says so on its output and waits, inside the rebuild's transaction, to be killed.
func TestHelperRebuilder(t *testing.T) {
	dir := os.Getenv("FAIRTRAIL_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestRebuildKilledMidwayLeavesTheOldModel")
	}
	s := openStore(t, dir)
	m := openModel(t, dir, readmodel.Options{ShardEvents: 500, SortRunBytes: 8 << 10, Progress: func(done, total uint64) {
		if done > 0 && done < total {
			os.Stdout.WriteString("midway\n")
			time.Sleep(time.Minute)
		}
	}})
	if _, err := m.Rebuild(context.Background(), s, "killed midway"); err != nil {
		t.Fatal(err)
	}
}

// TestRebuildKilledMidwayLeavesTheOldModel kills, with SIGKILL, a rebuild once it has written a pass of its
// workers: first the first build of a model (which leaves none, rebuilt at the next catch-up), then a rebuild
// of a model up to date (which leaves that model, trusted and answering as a model rebuilt in memory). The
// file the rebuild wrote is removed when the model is opened next.
func TestRebuildKilledMidwayLeavesTheOldModel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills a rebuilding process")
	}
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var built map[string]string
	for _, want := range []string{readmodel.ReasonMissing, ""} {
		killRebuildMidway(t, dir)
		if built != nil {
			if got := modelRows(t, dir); !maps.Equal(got, built) {
				t.Fatal("a rebuild killed midway changed the model it was rebuilding")
			}
		}
		fresh := filepath.Join(dir, readmodel.FileName+".rebuild")
		if _, err := os.Stat(fresh); err != nil {
			t.Fatalf("a rebuild alone with the model, killed midway, left no file of its own: %v", err)
		}
		s := openStore(t, dir)
		m := openModel(t, dir, readmodel.Options{})
		if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("opening the model left what a rebuild killed midway wrote: %v", err)
		}
		if res := catchUp(t, m, s); res.Reason != want {
			t.Fatalf("catch-up after a rebuild killed midway: %+v, want reason %q", res, want)
		}
		if built == nil {
			conformAt(t, m, s, clocks[len(clocks)-1:], 0.5)
		}
		m.Close()
		s.Close()
		built = modelRows(t, dir)
	}
}

// modelRows reads every row of every table of the model in dir, a table's rows sorted, keyed by table.
func modelRows(t *testing.T, dir string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, readmodel.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		out[table] = tableRows(t, db, table)
	}
	return out
}

// tableRows is the rows of a table, each printed, sorted.
func tableRows(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		all = append(all, fmt.Sprintf("%q", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(all)
	return strings.Join(all, "\n")
}

// killRebuildMidway runs TestHelperRebuilder on dir and kills it once it is midway.
func killRebuildMidway(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRebuilder$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FAIRTRAIL_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	midway := false
	for sc := bufio.NewScanner(out); !midway && sc.Scan(); {
		midway = strings.Contains(sc.Text(), "midway")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if !midway || err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the rebuild was not killed midway (reached midway: %v; exit: %v)", midway, err)
	}
}

// TestRebuildCancelledMidwayStopsAndLeavesNoModel cancels a rebuild in shards once some shard is written:
// it returns the cancellation (its preparing and judging goroutines stopped), and the next catch-up, finding
// no model, builds one that answers as a model rebuilt in memory.
func TestRebuildCancelledMidwayStopsAndLeavesNoModel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, lines(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := openModel(t, dir, readmodel.Options{ShardEvents: 400, Progress: func(done, total uint64) {
		if done > total/2 && done < total {
			cancel()
		}
	}})
	if res, err := m.Rebuild(ctx, s, "cancelled midway"); !errors.Is(err, context.Canceled) {
		t.Fatalf("rebuild cancelled midway: %+v, %v; want context.Canceled", res, err)
	}
	if res := catchUp(t, m, s); res.Reason != readmodel.ReasonMissing {
		t.Fatalf("catch-up after a cancelled rebuild: %+v, want reason %q", res, readmodel.ReasonMissing)
	}
	conform(t, m, s)
}
