package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoEventsPointsToACommandThatFillsTheStore follows the advice of the "no events" message to the letter:
// the demo it names must leave a store the query then reads.
func TestNoEventsPointsToACommandThatFillsTheStore(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	code, _, errOut := cli(t, "", "flags", "--data", dir)
	want := "'fairtrail demo --data " + dir + "'"
	if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "no data directory") {
		t.Fatalf("exit %d, stderr %q, want advice %s", code, errOut, want)
	}
	code, out, errOut := cli(t, "", "demo", "--data", dir, "--workers", "20")
	if code != 0 || !strings.Contains(out, "The store is kept in "+dir) || !strings.Contains(out, "--as-of") {
		t.Fatalf("demo --data: exit %d, %s\n%s", code, errOut, out)
	}
	if code, out, errOut := cli(t, "", "flags", "--data", dir, "--as-of", "2199-01-01", "--format", "json"); code != 0 || len(out) < 100 {
		t.Fatalf("flags on the demo's store: exit %d, %s%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", "demo", "--data", dir, "--workers", "20"); code != 1 || !strings.Contains(errOut, "already holds a store") {
		t.Fatalf("a second demo into the same store: exit %d, %s", code, errOut)
	}
	if code, out, _ := cli(t, "", "demo", "--workers", "5"); code != 0 || !strings.Contains(out, "temporary") {
		t.Fatalf("demo without --data does not say its store is gone: exit %d\n%s", code, out)
	}
}

func TestEmptyAnswersSayWhy(t *testing.T) {
	t.Parallel()
	dir := scenarioStore(t)
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"an unknown worker in flags fails as in history", []string{"flags", "--worker", "nobody"}, 1, `no worker "nobody"`},
		{"known-at before the first record says when it was", []string{"flags", "--known-at", "2020-01-01"}, 0,
			"the first event was recorded at"},
		{"a bad time shows examples", []string{"flags", "--as-of", "30/06/2025"}, 2, "2025-06-30T10:00:00Z"},
		{"a bad known-at shows examples", []string{"audit", "--known-at", "June"}, 2, "such as 2025-06-30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, "", append(tc.args, "--data", dir)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "2006-01-02") {
				t.Fatalf("exit %d (want %d), stderr %q, want %q", code, tc.code, errOut, tc.want)
			}
		})
	}
}

func TestQueriesNeverCreateTheDataDirectory(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"flags"}, {"audit"}, {"history", "worker", "w-1"}, {"verify"}, {"keys", "list"},
		{"copy", "--to", filepath.Join(t.TempDir(), "copy"), "--from"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			cli(t, "", append(args, "--data", dir)...)
			if args[0] == "copy" {
				cli(t, "", append(args, dir)...)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("%v created %s (%v)", args, dir, err)
			}
		})
	}
}

func TestServeSaysItsStoreIsEmpty(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new")
	srv := startServing(t, "--data", dir)
	logs := srv.logs.String()
	for _, want := range []string{"did not exist and was created empty", "no events yet", "POST /v1/import"} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve's logs lack %q:\n%s", want, logs)
		}
	}
	code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson")
	if code != 1 || !strings.Contains(errOut, "locked by fairtrail serve") || !strings.Contains(errOut, srv.base[len("http://"):]) ||
		!strings.Contains(errOut, "POST /v1/import") {
		t.Fatalf("import into the served directory: exit %d, stderr %q", code, errOut)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, serverFile)); !os.IsNotExist(err) {
		t.Fatalf("%s left behind: %v", serverFile, err)
	}
	if code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatalf("import after the server stopped: exit %d, %s", code, errOut)
	}
}
