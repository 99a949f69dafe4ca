package main

import (
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore/interviews"
)

var updateTemplate = flag.Bool("update-template", false, "write testdata/interviews/template.xlsx's sheet from template.csv")

const (
	templateCSV  = "testdata/interviews/template.csv"
	templateXLSX = "testdata/interviews/template.xlsx"
	auditorFile  = "testdata/interviews/auditor.ndjson"
)

func readCSVFile(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func parseFile(t *testing.T, path string) []interviews.Finding {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs, err := interviews.Parse(interviews.Detect(path, nil), f, interviews.Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return fs
}

// TestTemplatesAgree checks that the two templates shipped with the README record the same findings, the XLSX
// one with typed date cells.
func TestTemplatesAgree(t *testing.T) {
	t.Parallel()
	rows := readCSVFile(t, templateCSV)
	if *updateTemplate {
		writeXLSX(t, templateXLSX, rows, true)
	}
	// The workbook the tests' writeXLSX makes of the CSV's rows is the template, part for part: the template is
	// the CSV, and the workbooks the other tests write are as excelize wrote the template.
	written := filepath.Join(t.TempDir(), "template.xlsx")
	writeXLSX(t, written, rows, true)
	if want, got := xlsxParts(t, templateXLSX), xlsxParts(t, written); !reflect.DeepEqual(got, want) {
		for name := range want {
			if got[name] != want[name] {
				t.Errorf("%s of the written workbook differs from the template's from byte %d", name, firstDifference(got[name], want[name]))
			}
		}
		t.Fatalf("the written workbook's parts differ from the template's")
	}
	fromCSV, fromXLSX := parseFile(t, templateCSV), parseFile(t, templateXLSX)
	if !reflect.DeepEqual(fromCSV, fromXLSX) {
		t.Fatalf("the templates differ:\n csv %+v\nxlsx %+v", fromCSV, fromXLSX)
	}
	if len(fromCSV) != 3 {
		t.Fatalf("template rows = %d", len(fromCSV))
	}
}

// TestImportSheetRefusesBadCells imports sheets with a bad cell: exit 1, each problem as FILE:ROW:COLUMN, and
// nothing stored, notes included.
func TestImportSheetRefusesBadCells(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mustCLI(t, "import", "--data", data, "--progress", "none", "testdata/scenario.ndjson", auditorFile)
	before := storedCount(t, data)
	good := "w-1,2025-03-04,threat,,,,,ne,They shouted at us in the dormitory.\n"
	head := "worker,date,kind,category,amount,currency,payee,language,note\n"
	cases := []struct {
		name, sheet, want string
	}{
		{"bad date", head + good + "w-1,2025-13-01,threat,,,,,ne,\n",
			`:3:B: date: "2025-13-01" is not a date (2025-03-04, or an RFC 3339 date-time)`},
		{"unknown kind", head + good + "w-1,2025-03-04,wage_theft,,,,,ne,\n",
			`:3:C: kind: "wage_theft" is not one of fee_not_recorded, fee_amount_differs, contract_differs, document_held, deception, threat, other`},
		{"negative amount", head + good + "w-1,2025-03-04,fee_not_recorded,medical,-9000,NPR,,ne,\n",
			`:3:E: amount: must be >= 0`},
		{"unknown currency", head + good + "w-1,2025-03-04,fee_not_recorded,medical,9000,XYZ,,ne,\n",
			`:3:F: currency: "XYZ" is not an ISO 4217 currency code`},
		{"worker not found", head + good + "w-404,2025-03-04,threat,,,,,ne,\n",
			`:3:A: worker: no worker w-404 in the store (record the worker's WorkerRecruited first)`},
		{"missing column", "worker,kind,language\nw-1,threat,ne\n",
			`:1: missing column date (every sheet has worker, date and kind)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sheet := filepath.Join(t.TempDir(), "findings.csv")
			writeOut(t, sheet, tc.sheet)
			code, _, errOut := cli(t, "", "import", "--data", data, "--recorded-by", "aud-1", sheet)
			if code != 1 || !strings.Contains(errOut, sheet+tc.want+"\n") || !strings.Contains(errOut, "nothing from this sheet was stored") {
				t.Fatalf("exit %d, want 1 and %q in\n%s", code, sheet+tc.want, errOut)
			}
		})
	}
	if n := storedCount(t, data); n != before {
		t.Fatalf("refused sheets stored %d events", n-before)
	}
	if _, err := os.Stat(filepath.Join(data, "notes.sqlite")); err == nil {
		if out := mustCLI(t, "notes", "show", "--data", data, "--worker", "w-1"); !strings.Contains(out, "no notes") {
			t.Fatalf("refused sheets saved notes: %s", out)
		}
	}
}

func TestImportSheetNeedsAnAuditor(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mustCLI(t, "import", "--data", data, "--progress", "none", "testdata/scenario.ndjson")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no --recorded-by", []string{templateCSV}, 2, "--recorded-by ORG is required"},
		{"a buyer as recorder", []string{"--recorded-by", "buyer-1", templateCSV}, 1,
			"--recorded-by buyer-1: not an organisation registered as an auditor or a worker organisation"},
		{"a reserved recorder", []string{"--recorded-by", "worker", templateCSV}, 2, `--recorded-by "worker"`},
		{"a bad --language", []string{"--recorded-by", "aud-1", "--language", "nep", templateCSV}, 2, `--language "nep"`},
	}
	for _, tc := range cases {
		code, _, errOut := cli(t, "", append([]string{"import", "--data", data}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, want %d and %q: %s", tc.name, code, tc.code, tc.want, errOut)
		}
	}
}

// TestImportXLSXNamesTheCell: a workbook's bad cell is named by the row and column letter the spreadsheet shows.
func TestImportXLSXNamesTheCell(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mustCLI(t, "import", "--data", data, "--progress", "none", "testdata/scenario.ndjson", auditorFile)
	sheet := filepath.Join(t.TempDir(), "findings.xlsx")
	writeXLSX(t, sheet, [][]string{{"Worker", "Date", "Kind", "Language", "Note"},
		{"w-1", "2025-03-04", "threat", "ne", "He said he would send me home."},
		{"w-2", "2025-03-04", "bribe", "ne", ""}}, true)
	code, _, errOut := cli(t, "", "import", "--data", data, "--recorded-by", "aud-1", sheet)
	if want := sheet + `:3:C: kind: "bribe" is not one of`; code != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, want 1 and %q in\n%s", code, want, errOut)
	}
	writeXLSX(t, sheet, [][]string{{"Worker", "Date", "Kind", "Language"}, {"w-2", "2025-03-04", "threat", "ne"}}, true)
	if out := mustCLI(t, "import", "--data", data, "--recorded-by", "aud-1", sheet); !strings.Contains(out, "appended 1, duplicate 0") {
		t.Fatalf("import: %s", out)
	}
}

// TestImportSheetRefusesARowReusingAStoredID imports a sheet one of whose rows derives an event id stored for a
// different event: exit 1, the row named as FILE:ROW: event_id, and nothing stored, notes included.
func TestImportSheetRefusesARowReusingAStoredID(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mustCLI(t, "import", "--data", data, "--progress", "none", "testdata/scenario.ndjson", auditorFile)
	sheet := filepath.Join(t.TempDir(), "findings.csv")
	writeOut(t, sheet, "worker,date,kind,language,note\nw-1,2025-03-04,threat,ne,They shouted.\nw-1,2025-03-05,other,ne,\n")
	taken := parseFile(t, sheet)[1].Env.EventID // row 3's
	other := filepath.Join(t.TempDir(), "other.ndjson")
	writeOut(t, other, `{"event_id":"`+taken.String()+`","type":"WorkerArrived","occurred_at":"2024-04-01T12:00:00Z",`+
		`"data":{"worker_id":"w-1","country":"MY"}}`+"\n")
	mustCLI(t, "import", "--data", data, "--progress", "none", other)
	before := storedCount(t, data)
	code, _, errOut := cli(t, "", "import", "--data", data, "--recorded-by", "aud-1", sheet)
	want := sheet + ":3: event_id: the id derived from this row is already used by a different event (stored at position "
	if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "nothing from this sheet was stored") {
		t.Fatalf("exit %d, want 1 and %q in\n%s", code, want, errOut)
	}
	if n := storedCount(t, data); n != before {
		t.Fatalf("the refused sheet stored %d events", n-before)
	}
	if out := mustCLI(t, "notes", "show", "--data", data, "--worker", "w-1"); !strings.Contains(out, "no notes") {
		t.Fatalf("the refused sheet saved notes: %s", out)
	}
}
