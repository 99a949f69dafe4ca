package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestAnswersInAReportingCurrency imports testdata/currency/scenario.ndjson, written by hand from spec section 7
// (rates against the US dollar on 2024-03-01 for MYR and NPR, on 2024-04-01 for MYR alone; w-1 pays 80000 NPR
// on a day with rates and is half repaid, w-2 pays 500 MYR the day before the first table, w-3 pays BDT, which no
// table gives, w-4 pays 3000 MYR, two months of wages, w-5 pays nothing), and compares the answers in US dollars
// with golden files (FAIRTRAIL_GOLDEN_UPDATE=1 rewrites them). The reimbursement deadlines are 30 days after the
// import, so nothing is overdue yet. The first audit in USD starts keeping USD in the read model, so the
// audits after it read the kept rows (rollup_money) and still give the goldens written by converting the
// ledgers.
func TestAnswersInAReportingCurrency(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, out, errOut := cli(t, "", "import", "--data", dir, filepath.Join("testdata", "currency", "scenario.ndjson")); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errOut)
	}
	cases := []struct {
		name, golden string
		args         []string
	}{
		{"audit by buyer", "audit-usd.json", []string{"audit", "--format", "json", "--currency", "USD"}},
		{"audit by agency", "audit-agency-usd.json", []string{"audit", "--format", "json", "--by", "agency", "--currency", "USD"}},
		{"audit as CSV", "audit-usd.csv", []string{"audit", "--format", "csv", "--by", "job-order", "--currency", "USD"}},
		{"flags", "flags-usd.json", []string{"flags", "--format", "json", "--currency", "USD"}},
		{"a worker's history", "history-w-1-usd.json", []string{"history", "worker", "w-1", "--format", "json", "--currency", "USD"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", append(tc.args, "--data", dir)...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
			}
			if tc.golden == "history-w-1-usd.json" {
				out = string(normaliseImportTimes([]byte(out)))
			}
			path := filepath.Join("testdata", "currency", tc.golden)
			if os.Getenv("FAIRTRAIL_GOLDEN_UPDATE") == "1" {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("%v differs from %s:\n%s", tc.args, path, out)
			}
		})
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, readmodel.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kept, rows int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM money_currencies WHERE currency = 'USD'),
		(SELECT count(*) FROM rollup_money WHERE currency = 'USD')`).Scan(&kept, &rows); err != nil || kept != 1 || rows == 0 {
		t.Errorf("the model keeps USD %d times in %d rows of rollup_money (%v): want it kept after an audit in USD", kept, rows, err)
	}
}

// TestWithoutACurrencyTheAnswersAreAsBefore checks that --currency adds to the answers and changes nothing
// else: the audit without it has no converted figures.
func TestWithoutACurrencyTheAnswersAreAsBefore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, out, errOut := cli(t, "", "import", "--data", dir, filepath.Join("testdata", "currency", "scenario.ndjson")); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errOut)
	}
	for _, args := range [][]string{{"audit", "--format", "json"}, {"flags", "--format", "json"}, {"history", "worker", "w-1", "--format", "json"}} {
		code, out, errOut := cli(t, "", append(args, "--data", dir)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for _, field := range []string{`"converted"`, `"months_of_wages"`} {
			if strings.Contains(out, field) {
				t.Errorf("%v without --currency has %s", args, field)
			}
		}
	}
}

func TestABadReportingCurrencyIsAUsageError(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"audit", "--currency", "usd"}, {"flags", "--currency", "DOLLAR"}, {"history", "worker", "w-1", "--currency", "XYZ"}} {
		code, _, errOut := cli(t, "", append(args, "--data", t.TempDir())...)
		if code != 2 || !strings.Contains(errOut, "--currency") || !strings.Contains(errOut, "ISO 4217") {
			t.Errorf("%v: exit %d, %q: want 2 and an error naming --currency", args, code, errOut)
		}
	}
}
