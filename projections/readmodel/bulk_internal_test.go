package readmodel

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// TestScopeRowsAreWrittenAsHeld holds scope rows in random order, with scopes of fewer rows than a statement
// writes, exactly as many, and more, through runs written to files, and reads the table back: every row, once.
func TestScopeRowsAreWrittenAsHeld(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		perScope []int
		runBytes int
	}{
		{name: "scopes smaller than a statement, held in memory", perScope: []int{1, 2, 63}, runBytes: 1 << 20},
		{name: "a statement's rows exactly, then one more", perScope: []int{batchRows, batchRows + 1}, runBytes: 1 << 20},
		{name: "scopes of every size, through runs", perScope: []int{1, batchRows - 1, batchRows, 3 * batchRows, 5, 200}, runBytes: 2048},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "m.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, tablesSchema); err != nil {
				t.Fatal(err)
			}
			sink, err := scopeSink(ctx, tx, sortPlan{dir: t.TempDir(), runBytes: tc.runBytes})
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, uint64(len(tc.perScope))))
			var want []string
			var rows [][]any
			for i, n := range tc.perScope {
				id := int64(300 + 7*i) // boxed ids above the ones Go keeps preallocated
				for j := range n {
					k := fmt.Appendf(nil, "\x80%08x-w-%06d-%d", r.Uint32(), j, i)
					rows = append(rows, []any{id, k})
					want = append(want, fmt.Sprintf("%d %x", id, k))
				}
			}
			r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
			for _, row := range rows {
				if err := sink.add(ctx, row...); err != nil {
					t.Fatal(err)
				}
			}
			if err := sink.flush(ctx); err != nil {
				t.Fatal(err)
			}
			got := readScopeRows(t, tx)
			slices.Sort(want)
			slices.Sort(got)
			if i := firstDiff(got, want); i < max(len(got), len(want)) {
				t.Fatalf("the table holds %d rows, want the %d held; row %d differs", len(got), len(want), i)
			}
		})
	}
}

func readScopeRows(t *testing.T, tx *sql.Tx) []string {
	t.Helper()
	rs, err := tx.Query("SELECT scope, k FROM flag_scopes ORDER BY scope, k")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var got []string
	var prev []byte
	for rs.Next() {
		var id int64
		var k []byte
		if err := rs.Scan(&id, &k); err != nil {
			t.Fatal(err)
		}
		key := append(fmt.Appendf(nil, "%d ", id), k...)
		if bytes.Equal(key, prev) {
			t.Fatalf("row %q twice", key)
		}
		prev = key
		got = append(got, fmt.Sprintf("%d %x", id, k))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
