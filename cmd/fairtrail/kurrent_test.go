package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// cliEnv runs a command in-process with the given environment variables.
func cliEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := environment{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	code := exitCode(run(context.Background(), args, env), &errOut)
	return code, out.String(), errOut.String()
}

// TestStoreURLSelectsKurrentDB runs the commands on KurrentDB (the wire-protocol test double, through the real
// client), selected by --store or by FAIRTRAIL_STORE, and compares their output with the embedded store's.
func TestStoreURLSelectsKurrentDB(t *testing.T) {
	t.Parallel() // it may wait for the double's build: run serially, the wait held back every parallel test
	srv := startKurrentChild(t, 5)
	dir := t.TempDir()
	// The current documentation's scheme, kurrentdb://, is as good as esdb://.
	byEnv := map[string]string{"FAIRTRAIL_STORE": strings.Replace(srv.URL(), "esdb://", "kurrentdb://", 1)}
	if code, out, errOut := cliEnv(t, nil, "import", "--store", srv.URL(), "testdata/scenario.ndjson"); code != 0 ||
		!strings.Contains(out, "appended 18, duplicate 0") {
		t.Fatalf("import into KurrentDB: exit %d, %s%s", code, out, errOut)
	}
	if code, out, _ := cliEnv(t, byEnv, "import", "testdata/scenario.ndjson"); code != 0 || !strings.Contains(out, "appended 0, duplicate 18") {
		t.Fatalf("import again, by FAIRTRAIL_STORE: exit %d, %s", code, out)
	}
	if code, _, errOut := cliEnv(t, nil, "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatal(errOut)
	}
	// (history shows positions and recorded_at, which differ between two imports; the copy test compares it.)
	for _, args := range [][]string{
		{"flags", "--format", "json"},
		{"flags", "--as-of", "2024-04-02", "--format", "csv"},
		{"audit", "--by", "agency", "--format", "csv"},
	} {
		_, embedded, _ := cliEnv(t, nil, append(args, "--data", dir)...)
		code, onKurrent, errOut := cliEnv(t, byEnv, args...)
		if code != 0 || onKurrent != embedded || embedded == "" {
			t.Fatalf("%v: exit %d (%s); output on KurrentDB differs from the embedded store's:\n%s\n---\n%s", args, code,
				errOut, onKurrent, embedded)
		}
	}
	if code, out, errOut := cliEnv(t, byEnv, "verify"); code != 0 || !strings.Contains(out, "verified 18 events") {
		t.Fatalf("verify on KurrentDB: exit %d, %s%s", code, out, errOut)
	}
}

func TestStoreURLErrorsHideThePassword(t *testing.T) {
	cases := []struct {
		name string
		url  string
		code int
		want string
	}{
		{"not a KurrentDB URL", "postgres://fair:s3cret@db/fairtrail", 2, "not a store URL"},
		{"an unknown setting", "esdb://fair:s3cret@db:2113?tls=false&nodepref=leader", 2, `unknown setting "nodepref"`},
		{"no server", "esdb://fair:s3cret@127.0.0.1:1?tls=false&maxDiscoverAttempts=1", 1, "connect to KurrentDB at esdb://127.0.0.1:1"},
		{"no server, kurrentdb scheme", "kurrentdb://fair:s3cret@127.0.0.1:1?tls=false&maxDiscoverAttempts=1", 1,
			"connect to KurrentDB at kurrentdb://127.0.0.1:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := cliEnv(t, nil, "flags", "--store", tc.url)
			if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "s3cret") {
				t.Fatalf("exit %d, want %d; stderr must say %q and never the password:\n%s", code, tc.code, tc.want, errOut)
			}
		})
	}
}
