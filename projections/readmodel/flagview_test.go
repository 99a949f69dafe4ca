package readmodel_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// checkFlagView checks that the view flags_json, which an auditor reads with the sqlite3 shell, gives every
// flag's JSON as a listing of every flag does, byte for byte and in the same order.
func checkFlagView(t *testing.T, m *readmodel.Model, dir string) {
	t.Helper()
	var want []string
	never := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // every clocked flag stands
	if err := m.Flags(context.Background(), projections.FlagQuery{}, never, readmodel.FlagSeek{},
		func(_ []byte, flag string) error { want = append(want, flag); return nil }); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, readmodel.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT flag FROM flags_json ORDER BY k")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var flag string
		if err := rows.Scan(&flag); err != nil {
			t.Fatal(err)
		}
		got = append(got, flag)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("flags_json holds %d flags, the listing %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("flags_json row %d:\n%s\nthe listing:\n%s", i, got[i], want[i])
		}
	}
}
