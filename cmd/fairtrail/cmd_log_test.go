package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// TestLogCommands runs the operator's and an auditor's side end to end: receipts at import, a signed
// checkpoint, verification against it, a witness cosigning through serve, and verify failing (exit 1, naming
// the leaf) once the log was edited.
func TestLogCommands(t *testing.T) {
	dir := t.TempDir()
	data, receipts, cp, vkey := filepath.Join(dir, "data"), filepath.Join(dir, "r.ndjson"), filepath.Join(dir, "cp"), filepath.Join(dir, "vkey")
	mustCLI(t, "import", "--data", data, "--receipts", receipts, "--progress", "none", "testdata/scenario.ndjson")
	writeOut(t, vkey, mustCLI(t, "log", "keygen", "--data", data, "--origin", "fairtrail.test/log"))
	if st, err := os.Stat(filepath.Join(data, "log.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", st, err)
	}
	writeOut(t, cp, mustCLI(t, "log", "checkpoint", "--data", data))
	out := mustCLI(t, "verify", "--data", data, "--checkpoint", cp, "--key", vkey, "--receipts", receipts)
	if !strings.Contains(out, "hold the checkpoint of 18") || !strings.Contains(out, "18 receipts") {
		t.Fatalf("verify:\n%s", out)
	}

	bundle := filepath.Join(dir, "w-1.zip")
	mustCLI(t, "evidence", "worker", "w-1", "--data", data, "--out", bundle)
	if out := mustCLI(t, "evidence", "verify", bundle, "--key", vkey); !strings.Contains(out, "verifies: worker w-1") {
		t.Fatalf("evidence verify: %s", out)
	}
	zb, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	zb[len(zb)/2] ^= 1
	writeOut(t, bundle, string(zb))
	if code, _, errOut := cli(t, "", "evidence", "verify", bundle, "--key", vkey); code != 1 || !strings.Contains(errOut, "evidence bundle fails") {
		t.Fatalf("evidence verify of a changed bundle: exit %d %s", code, errOut)
	}

	admin := strings.TrimSpace(mustCLI(t, "keys", "create", "--org", "ops", "--role", "admin", "--data", data))
	witnessKey := filepath.Join(dir, "witness.key")
	mustCLI(t, "log", "keygen", "--origin", "witness.test", "--log-key", witnessKey)
	srv := startServing(t, "--data", data, "--checkpoint-every", "20ms")
	witness := []string{"log", "witness", "--url", srv.base, "--key", vkey, "--state", filepath.Join(dir, "state"),
		"--sign", witnessKey, "--api-key", admin}
	if out := mustCLI(t, witness...); !strings.Contains(out, "cosignature posted") {
		t.Fatalf("witness: %s", out)
	}
	if code, body := srv.request(t, "GET", "/v1/log/checkpoint", admin, "", nil); code != 200 || !bytes.Contains(body, []byte("— witness.test ")) {
		t.Fatalf("served checkpoint: %d\n%s", code, body)
	}
	if code, body := srv.request(t, "GET", "/metrics", admin, "", nil); code != 200 || !bytes.Contains(body, []byte("fairtrail_log_checkpoint_age_seconds")) {
		t.Fatalf("metrics: %d", code)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	// A log that now shows a smaller tree (signed with the operator's key) is refused, saying why.
	key, err := checkpoint.LoadSigner(filepath.Join(data, "log.key"))
	if err != nil {
		t.Fatal(err)
	}
	shrunk, err := note.Sign(&note.Note{Text: checkpoint.Checkpoint{Origin: key.Name(), Size: 17}.Body()}, key)
	if err != nil {
		t.Fatal(err)
	}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(shrunk) }))
	defer fake.Close()
	witness[3] = fake.URL
	if code, _, errOut := cli(t, "", witness...); code != 1 || !strings.Contains(errOut, "truncated") {
		t.Fatalf("witness of a shrunk log: exit %d %s", code, errOut)
	}

	b, err := os.ReadFile(filepath.Join(data, "events.log"))
	if err != nil {
		t.Fatal(err)
	}
	b[bytes.Index(b, []byte(`"80000.00"`))+1] = '1'
	if err := os.WriteFile(filepath.Join(data, "events.log"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "", "verify", "--data", data, "--checkpoint", cp, "--key", vkey, "--receipts", receipts)
	if code != 1 || !strings.Contains(errOut, "0190b6a4-0000-7000-8000-000000000008") || !strings.Contains(errOut, "leaf 7") {
		t.Fatalf("verify of an edited store: exit %d\n%s", code, errOut)
	}
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, "", args...)
	if code != 0 {
		t.Fatalf("fairtrail %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func writeOut(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
