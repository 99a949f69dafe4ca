package notes_test

import (
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore/notes"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.golden")

// TestSchemaGolden holds the stored format, notes.sqlite's tables, indexes and triggers, to a golden file: a
// change to it is a change to every operator's data and must be made on purpose (with -update).
func TestSchemaGolden(t *testing.T) {
	t.Parallel()
	_, dir := open(t)
	db, err := sql.Open("sqlite3", filepath.Join(dir, notes.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s+";")
	}
	got := strings.Join(parts, "\n") + "\n"
	golden := filepath.Join("testdata", "schema.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("notes.sqlite's schema changed (run with -update if on purpose):\n%s", got)
	}
}
