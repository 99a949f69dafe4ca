package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// cli runs a command in-process and returns its exit status, standard output and standard error.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := environment{getenv: func(string) string { return "" }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	code := exitCode(run(context.Background(), args, env), &errOut)
	return code, out.String(), errOut.String()
}

func storedCount(t *testing.T, dir string) int {
	t.Helper()
	s, err := embedded.Open(dir, embedded.Options{ReadOnly: true})
	if err != nil {
		return 0
	}
	defer s.Close()
	n := 0
	for _, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func TestImportThenFlags(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson")
	if code != 0 || !strings.Contains(out, "appended 18, duplicate 0, rejected 0") {
		t.Fatalf("import: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson")
	if code != 0 || !strings.Contains(out, "appended 0, duplicate 18") {
		t.Fatalf("second import: exit %d, out %q", code, out)
	}
	code, out, errOut = cli(t, "", "flags", "--data", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("flags: exit %d: %s", code, errOut)
	}
	var flags []map[string]any
	if err := json.Unmarshal([]byte(out), &flags); err != nil {
		t.Fatalf("flags JSON: %v\n%s", err, out)
	}
	var got []string
	for _, f := range flags {
		for _, key := range []string{"code", "worker_id", "job_order_id", "buyer_ids", "event_ids", "raised_at", "details"} {
			if _, ok := f[key]; !ok {
				t.Errorf("flag %v has no %q", f["code"], key)
			}
		}
		got = append(got, f["code"].(string)+"/"+f["worker_id"].(string))
	}
	slices.Sort(got)
	want := []string{"chain.reverse_fee/", "chain.undisclosed_intermediary/w-2", "contract.language/w-1",
		"contract.no_worker_copy/w-1", "contract.substitution/w-1", "debt.recruitment_loan/w-1",
		"document.retained/w-1", "fee.prohibited/w-1"}
	if !slices.Equal(got, want) {
		t.Fatalf("flags\n got %v\nwant %v", got, want)
	}
}

func TestFlagsTimeFilters(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatal(errOut)
	}
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"as of before any worker event only the reverse fee exists", []string{"--as-of", "2024-02-28"}, 1},
		{"as of the day of the post-arrival contract", []string{"--as-of", "2024-04-03", "--worker", "w-1"}, 6},
		{"as of a day before it", []string{"--as-of", "2024-04-02", "--worker", "w-1"}, 2},
		{"known at a time before the import knows nothing", []string{"--known-at", "2020-01-01"}, 0},
		{"code prefix selects a family", []string{"--code", "contract."}, 3},
		{"a buyer that is not in the chain sees nothing", []string{"--buyer", "buyer-2"}, 0},
		{"a clock past the repayment window adds the overdue reimbursement", []string{"--as-of", "2199-01-01", "--code", "fee."}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", append([]string{"flags", "--data", dir, "--format", "json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var flags []domain.Flag
			if err := json.Unmarshal([]byte(out), &flags); err != nil {
				t.Fatal(err)
			}
			if len(flags) != tc.want {
				t.Fatalf("%d flags, want %d: %s", len(flags), tc.want, out)
			}
		})
	}
}

func TestImportRejectsBadInput(t *testing.T) {
	good := `{"type":"WorkerArrived","occurred_at":"2024-04-01T12:00:00Z","data":{"worker_id":"w-1","country":"MY"}}`
	fee := func(amount, currency string) string {
		return `{"type":"FeePaid","occurred_at":"2024-03-04T09:00:00Z","data":{"worker_id":"w-1","fee_id":"f","category":"visa",` +
			`"amount":{"amount":"` + amount + `","currency":"` + currency + `"},"payer":"worker","payee_id":"a","method":"cash"}}`
	}
	cases := []struct {
		name string
		bad  string
		want string // line:path: problem fragment
	}{
		{"malformed JSON", `{"type": "WorkerArrived", `, ":2: (line): malformed JSON"},
		{"unknown type", `{"type":"WorkerTeleported","occurred_at":"2024-04-01T12:00:00Z","data":{}}`, `:2: type: unknown event type "WorkerTeleported"`},
		{"missing field", `{"type":"WorkerArrived","occurred_at":"2024-04-01T12:00:00Z","data":{"worker_id":"w-1"}}`, ":2: data.country: required"},
		{"negative amount", fee("-5.00", "MYR"), ":2: data.amount.amount: must be >= 0"},
		{"unknown currency", fee("5.00", "XYZ"), `:2: data.amount.currency: "XYZ" is not an ISO 4217 currency code`},
		{"bad date", `{"type":"WorkerArrived","occurred_at":"2024-13-01","data":{"worker_id":"w-1","country":"MY"}}`, ":2: occurred_at: not an RFC 3339 date-time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(t.TempDir(), "in.ndjson")
			if err := os.WriteFile(file, []byte(good+"\n"+tc.bad+"\n"+good+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := cli(t, "", "import", "--data", dir, file)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, errOut)
			}
			if !strings.Contains(errOut, file+tc.want) {
				t.Fatalf("stderr %q does not name %q", errOut, file+tc.want)
			}
			if n := storedCount(t, dir); n != 0 {
				t.Fatalf("%d events stored from a rejected file", n)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate"}},
		{"unknown flag", []string{"flags", "--colour"}},
		{"bad format", []string{"flags", "--format", "xml"}},
		{"bad as-of", []string{"flags", "--as-of", "last tuesday"}},
		{"bad grouping", []string{"audit", "--by", "country"}},
		{"import without a file", []string{"import"}},
		{"history without worker", []string{"history", "w-1"}},
		{"generate without workers", []string{"generate"}},
		{"generate with negative workers", []string{"generate", "--workers", "-5"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, errOut := cli(t, "", tc.args...); code != 2 {
				t.Fatalf("exit %d, want 2 (%s)", code, errOut)
			}
		})
	}
}

func TestHistoryAndAudit(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := cli(t, "", "history", "worker", "w-1", "--data", dir)
	if code != 0 || !strings.Contains(out, "c-2") || !strings.Contains(out, "wage lower monthly equivalent") ||
		!strings.Contains(out, "estimated wage shortfall 7200.00 MYR") {
		t.Fatalf("history: exit %d, %s\n%s", code, errOut, out)
	}
	code, out, _ = cli(t, "", "history", "worker", "w-1", "--data", dir, "--as-of", "2024-04-02", "--format", "json")
	var r struct {
		Contracts []json.RawMessage `json:"contracts"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || len(r.Contracts) != 1 {
		t.Fatalf("history as of before the second contract: exit %d, %s", code, out)
	}
	if code, _, _ := cli(t, "", "history", "worker", "nobody", "--data", dir); code != 1 {
		t.Fatalf("history of an unknown worker: exit %d, want 1", code)
	}
	code, out, _ = cli(t, "", "audit", "--data", dir, "--buyer", "buyer-1", "--by", "agency", "--format", "csv")
	if code != 0 || !strings.Contains(out, "agency,agency-np,Kathmandu Manpower,1,2,2,") {
		t.Fatalf("audit csv: exit %d\n%s", code, out)
	}
}

func TestVerifyNamesAnEditedEvent(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := cli(t, "", "verify", "--data", dir); code != 0 || !strings.Contains(out, "verified 18 events") {
		t.Fatalf("verify of an intact store: exit %d %s", code, out)
	}
	log := filepath.Join(dir, "events.log")
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(`"80000.00"`))
	b[i+1] = '1' // 80000.00 becomes 10000.00
	if err := os.WriteFile(log, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "", "verify", "--data", dir)
	if code != 1 || !strings.Contains(errOut, "0190b6a4-0000-7000-8000-000000000008") {
		t.Fatalf("verify of an edited store: exit %d, %s", code, errOut)
	}
}

// TestHistoryOpensTheStoreOnce: history worker reads the events' receipts from the store its query opened,
// not from a second open: with a persisted index that does not match the log, which each open of the store
// notes on standard error, the note is written once.
func TestHistoryOpensTheStoreOnce(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatal(errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "events.idx"), []byte("not an index"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "history", "worker", "w-1", "--data", dir)
	if code != 0 || !strings.Contains(out, "c-2") {
		t.Fatalf("history: exit %d, %s\n%s", code, errOut, out)
	}
	if n := strings.Count(errOut, "persisted index not used"); n != 1 {
		t.Errorf("history noted the stale index %d times, want once (one open of the store):\n%s", n, errOut)
	}
}
