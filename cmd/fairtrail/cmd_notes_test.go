package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// The template's notes, as its rows give them.
const (
	w1Note = "Paid 9,000 rupees for the medical to the agent in Kathmandu; no receipt."
	w2Note = "The supervisor keeps the passport in the office safe."
)

// filesHolding lists the files under dir whose bytes contain s.
func filesHolding(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(s)) {
			out = append(out, filepath.Base(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNotesEraseKeepsTheLogVerifiable is issue 13's acceptance: notes from an interview sheet are held only in
// the note store (never in events.log, the read model or its WAL); after 'notes erase' by worker and by hash
// their bytes are nowhere in the data directory, and verify, the checkpoint and every receipt still pass.
func TestNotesEraseKeepsTheLogVerifiable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, cp, vkey := filepath.Join(dir, "data"), filepath.Join(dir, "cp"), filepath.Join(dir, "vkey")
	r1, r2 := filepath.Join(dir, "r1.ndjson"), filepath.Join(dir, "r2.ndjson")
	mustCLI(t, "import", "--data", data, "--progress", "none", "--receipts", r1, "testdata/scenario.ndjson", auditorFile)
	out := mustCLI(t, "import", "--data", data, "--recorded-by", "aud-1", "--receipts", r2, templateCSV)
	if !strings.Contains(out, "appended 3, duplicate 0") || !strings.Contains(out, "2 note(s) in the note store") {
		t.Fatalf("sheet import: %s", out)
	}
	mustCLI(t, "flags", "--data", data) // the read model follows, WAL and all
	for _, note := range []string{w1Note, w2Note} {
		if got := filesHolding(t, data, note); len(got) != 1 || got[0] != notes.FileName {
			t.Fatalf("before erasure, the note is in %v; want only %s", got, notes.FileName)
		}
	}
	if got := mustCLI(t, "notes", "show", "--data", data, notes.Hash(w2Note)); got != w2Note+"\n" {
		t.Fatalf("notes show: %q", got)
	}
	writeOut(t, vkey, mustCLI(t, "log", "keygen", "--data", data, "--origin", "fairtrail.test/log"))
	writeOut(t, cp, mustCLI(t, "log", "checkpoint", "--data", data))

	out = mustCLI(t, "notes", "erase", "--data", data, "--worker", "w-1", "--reason", "the worker's request", "--by", "ops")
	if !strings.Contains(out, "erased note "+notes.Hash(w1Note)+" of worker w-1 (text removed)") {
		t.Fatalf("erase --worker: %s", out)
	}
	mustCLI(t, "notes", "erase", "--data", data, "--note", notes.Hash(w2Note), "--reason", "court order 12/2026")
	for _, note := range []string{w1Note, w2Note, "9,000 rupees", "office safe"} {
		if got := filesHolding(t, data, note); len(got) > 0 {
			t.Fatalf("after erasure %q is still in %v", note, got)
		}
	}

	out = mustCLI(t, "verify", "--data", data, "--checkpoint", cp, "--key", vkey, "--receipts", r1)
	if !strings.Contains(out, "every hash chain holds") || !strings.Contains(out, "hold the checkpoint of 22") {
		t.Fatalf("verify after erasure:\n%s", out)
	}
	if out := mustCLI(t, "verify", "--data", data, "--receipts", r2); !strings.Contains(out, "3 receipts") {
		t.Fatalf("verify of the sheet's receipts:\n%s", out)
	}

	// Importing the sheet again adds nothing and does not bring the erased notes back.
	out = mustCLI(t, "import", "--data", data, "--recorded-by", "aud-1", templateCSV)
	if !strings.Contains(out, "appended 0, duplicate 3") || !strings.Contains(out, "2 erased before and not saved again") {
		t.Fatalf("second import: %s", out)
	}
	if got := filesHolding(t, data, w1Note); len(got) > 0 {
		t.Fatalf("a second import restored the erased note into %v", got)
	}
	code, _, errOut := cli(t, "", "notes", "show", "--data", data, notes.Hash(w1Note))
	if code != 1 || !strings.Contains(errOut, "was erased") {
		t.Fatalf("notes show of an erased note: exit %d %s", code, errOut)
	}
	if out := mustCLI(t, "notes", "show", "--data", data); !strings.Contains(out, "0 note(s) of 0 worker(s); 2 erasure(s) journaled") {
		t.Fatalf("notes show: %s", out)
	}
	journal := mustCLI(t, "notes", "show", "--data", data, "--erasures", "--wide")
	for _, want := range []string{"the worker's request", "court order 12/2026", "ops", "w-2", "removed"} {
		if !strings.Contains(journal, want) {
			t.Fatalf("erasure journal lacks %q:\n%s", want, journal)
		}
	}
}

func TestNotesCommandLine(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"notes"}, 2, "a subcommand is required: show or erase"},
		{"erase with neither", []string{"notes", "erase", "--data", data}, 2, "give --worker ID or --note SHA256"},
		{"erase with both", []string{"notes", "erase", "--data", data, "--worker", "w-1", "--note", notes.Hash("x")}, 2, "one of them"},
		{"erase a bad hash", []string{"notes", "erase", "--data", data, "--note", "ABC"}, 2, `--note "ABC": not a note's SHA-256`},
		{"show a hash and a worker", []string{"notes", "show", "--data", data, "--worker", "w-1", notes.Hash("x")}, 2, "give a SHA256, or --worker"},
		{"show with no store", []string{"notes", "show", "--data", data, "--worker", "w-1"}, 1, "no notes in " + data},
	}
	for _, tc := range cases {
		code, _, errOut := cli(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, want %d and %q: %s", tc.name, code, tc.code, tc.want, errOut)
		}
	}
}

// TestNotesLiveBesideTheLog: the embedded store's notes are in its data directory (not --cache, which holds
// only what can be derived again); a store server's are in the cache directory, the only local one it has.
func TestNotesLiveBesideTheLog(t *testing.T) {
	t.Parallel()
	url := "kurrentdb://127.0.0.1:2113?tls=false"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"embedded", []string{"--data", "/srv/data"}, "/srv/data"},
		{"embedded with a cache", []string{"--data", "/srv/data", "--cache", "/var/cache/ft"}, "/srv/data"},
		{"KurrentDB with a cache", []string{"--store", url, "--cache", "/var/cache/ft"}, "/var/cache/ft"},
	}
	for _, tc := range cases {
		fs := pflag.NewFlagSet(tc.name, pflag.ContinueOnError)
		sf := registerStore(fs, environment{getenv: func(string) string { return "" }})
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got, err := sf.notesDir(); err != nil || got != tc.want {
			t.Errorf("%s: notes in %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}
