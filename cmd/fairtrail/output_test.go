package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

// scenarioStore returns a new data directory holding testdata/scenario.ndjson (18 events: cheap to import).
func scenarioStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, _, errOut := cli(t, "", "import", "--data", dir, "testdata/scenario.ndjson"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	return dir
}

func TestTablesFitTheTerminal(t *testing.T) {
	t.Parallel()
	dir := scenarioStore(t)
	commands := [][]string{
		{"flags", "--data", dir},
		{"audit", "--data", dir},
		{"audit", "--data", dir, "--by", "agency"},
		{"history", "worker", "w-1", "--data", dir},
	}
	cases := []struct {
		name    string
		columns string
		extra   []string
		limit   int // 0: some line must be wider than 80 and none cut
	}{
		{"80 columns by default", "", nil, 80},
		{"COLUMNS is respected", "60", nil, 60},
		{"--wide prints everything", "", []string{"--wide"}, 0},
	}
	for _, tc := range cases {
		for _, args := range commands {
			t.Run(tc.name+"/"+strings.Join(args[:2], " "), func(t *testing.T) {
				code, out, errOut := cliEnv(t, map[string]string{"COLUMNS": tc.columns}, append(args, tc.extra...)...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				widest := 0
				for _, line := range strings.Split(out, "\n") {
					widest = max(widest, uniseg.StringWidth(line))
				}
				switch {
				case tc.limit > 0 && widest > tc.limit:
					t.Fatalf("a line of %d columns, limit %d:\n%s", widest, tc.limit, out)
				case tc.limit == 0 && strings.Contains(out, ellipsis):
					t.Fatalf("--wide cut a cell:\n%s", out)
				}
			})
		}
	}
	if _, out, _ := cliEnv(t, nil, "flags", "--data", dir, "--wide"); !strings.Contains(out, "chain.undisclosed_intermediary") {
		t.Fatalf("--wide: a code is cut:\n%s", out)
	}
}

func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, s)
	}
	return rows
}

// column returns the values of the named column, by header.
func column(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	for i, h := range rows[0] {
		if h == name {
			var out []string
			for _, r := range rows[1:] {
				out = append(out, r[i])
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, rows[0])
	return nil
}

func TestCSVSeparatesAmountAndCurrency(t *testing.T) {
	t.Parallel()
	dir := scenarioStore(t)
	cases := []struct {
		name      string
		args      []string
		amountCol string
		want      map[string]string // amount -> currency, among the rows
	}{
		{"flags", []string{"flags", "--format", "csv"}, "amount", map[string]string{"80000.00": "NPR", "7200.00": "MYR", "200.00": "USD"}},
		{"audit", []string{"audit", "--format", "csv"}, "worker_paid_fees", map[string]string{"80000.00": "NPR"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", append(tc.args, "--data", dir)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			rows := readCSV(t, out)
			amounts, currencies := column(t, rows, tc.amountCol), column(t, rows, "currency")
			got := map[string]string{}
			for i, a := range amounts {
				if strings.ContainsAny(a, " ;,") {
					t.Errorf("amount %q is not a number a spreadsheet can sum", a)
				}
				got[a] = currencies[i]
			}
			for a, c := range tc.want {
				if got[a] != c {
					t.Errorf("amount %s has currency %q, want %q (rows %v)", a, got[a], c, rows)
				}
			}
		})
	}
}

func TestHistoryTellsTheFacts(t *testing.T) {
	t.Parallel()
	dir := scenarioStore(t)
	code, out, errOut := cli(t, "", "history", "worker", "w-1", "--data", dir, "--wide")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"The worker paid 80000.00 NPR to agency-np by loan for recruitment fee", // who paid whom how much by what method
		"The worker's passport is held by emp-1.",                               // which document is held by whom
		"Left NP for MY.", // where the worker went
		"Started work for emp-1 at Penang, MY.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = cli(t, "", "history", "worker", "w-1", "--data", dir, "--format", "csv")
	if code != 0 {
		t.Fatalf("csv: exit %d: %s", code, errOut)
	}
	rows := readCSV(t, out)
	if what := column(t, rows, "what_happened"); len(what) != 9 || !strings.Contains(strings.Join(what, "\n"), "Left NP for MY.") {
		t.Fatalf("history csv: %v", rows)
	}
}

func TestOneListSeparator(t *testing.T) {
	t.Parallel()
	dir := scenarioStore(t)
	_, out, _ := cli(t, "", "flags", "--data", dir, "--format", "csv", "--code", "contract.substitution")
	rows := readCSV(t, out)
	if ids := column(t, rows, "event_ids")[0]; strings.Count(ids, listSep) != 1 {
		t.Fatalf("two evidence events are not joined by %q: %q", listSep, ids)
	}
	_, out, _ = cli(t, "", "history", "worker", "w-1", "--data", dir)
	if !strings.Contains(out, "languages ne"+listSep+"en") {
		t.Fatalf("languages are not joined by %q:\n%s", listSep, out)
	}
}
