package interviews_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/interviews"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

const head = "worker,date,kind,category,amount,currency,payee,note\n"

func parseCSV(t *testing.T, text string, opts interviews.Options) ([]interviews.Finding, error) {
	t.Helper()
	return interviews.Parse(interviews.CSV, strings.NewReader(text), opts)
}

func TestParseAFeeFinding(t *testing.T) {
	t.Parallel()
	fs, err := parseCSV(t, head+"w-1,2025-03-04,fee_not_recorded,medical,9000.00,NPR,agency-np,Paid in cash.\n",
		interviews.Options{Language: "ne"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Row != 2 || fs[0].Note != "Paid in cash." {
		t.Fatalf("findings = %+v", fs)
	}
	e := fs[0].Env.Event.(*domain.WorkerReported)
	if e.WorkerID != "w-1" || e.Kind != "fee_not_recorded" || e.Channel != "interview" || e.Language != "ne" ||
		e.Fee == nil || e.Fee.Category != "medical" || e.Fee.Amount != (domain.Money{Amount: "9000.00", Currency: "NPR"}) ||
		e.Fee.PayeeID != "agency-np" || e.NoteSHA256 != notes.Hash("Paid in cash.") || !strings.HasPrefix(e.ReportID, "interview-") {
		t.Fatalf("event = %+v, fee %+v", e, e.Fee)
	}
	if got := fs[0].Env.OccurredAt.Format("2006-01-02T15:04:05Z07:00"); got != "2025-03-04T00:00:00Z" {
		t.Fatalf("occurred_at = %s", got)
	}
}

func TestIDsAreDerivedFromTheRows(t *testing.T) {
	t.Parallel()
	text := head + "w-1,2025-03-04,threat,,,,,\nw-1,2025-03-04,threat,,,,,\nw-2,2025-03-04,threat,,,,,\n"
	a, err := parseCSV(t, text, interviews.Options{Language: "ne"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := parseCSV(t, text, interviews.Options{Language: "ne"})
	ids := map[domain.EventID]bool{}
	for i := range a {
		if a[i].Env.EventID != b[i].Env.EventID {
			t.Fatalf("row %d: ids differ between two parses of the same sheet", a[i].Row)
		}
		ids[a[i].Env.EventID] = true
	}
	if len(ids) != 3 {
		t.Fatalf("identical rows must get ids of their own: %d ids for 3 rows", len(ids))
	}
}

// TestBadCells gives the exact problem of each kind of bad cell, by row and column letter.
func TestBadCells(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, sheet string
		want        string
	}{
		{"bad date", head + "w-1,2025-02-30,threat,,,,,\n",
			`row 2, column B: date: "2025-02-30" is not a date (2025-03-04, or an RFC 3339 date-time)`},
		{"no date", head + "w-1,,threat,,,,,\n",
			`row 2, column B: date: required (the day of the interview, e.g. 2025-03-04)`},
		{"unknown kind", head + "w-1,2025-03-04,fee_unpaid,,,,,\n",
			`row 2, column C: kind: "fee_unpaid" is not one of fee_not_recorded, fee_amount_differs, contract_differs, document_held, deception, threat, other`},
		{"negative amount", head + "w-1,2025-03-04,fee_not_recorded,medical,-5.00,NPR,,\n",
			`row 2, column E: amount: must be >= 0`},
		{"amount with a separator", head + "w-1,2025-03-04,fee_not_recorded,medical,\"9,000\",NPR,,\n",
			`row 2, column E: amount: must be a decimal string such as "1500.00" (digits, optional '.' and fraction)`},
		{"unknown currency", head + "w-1,2025-03-04,fee_not_recorded,medical,5.00,RS,,\n",
			`row 2, column F: currency: "RS" is not an ISO 4217 currency code`},
		{"fee without a currency", head + "w-1,2025-03-04,fee_not_recorded,medical,5.00,,,\n",
			`row 2, column F: currency: required (ISO 4217 code, e.g. MYR)`},
		{"bad worker id", head + "w 1,2025-03-04,threat,,,,,\n",
			`row 2, column A: worker: must be letters, digits and . _ - : @ only, starting with a letter or digit`},
		{"missing column", "worker,date,category\nw-1,2025-03-04,medical\n",
			`row 1: missing column kind (every sheet has worker, date and kind)`},
		{"misspelt column", "worker,date,kind,ammount\n",
			`row 1, column D: "ammount" is not a column of the interview layout (` + strings.Join(interviews.Columns, ", ") + `)`},
		{"column twice", "worker,date,kind,Date\n",
			`row 1, column D: column date is given twice (first in column B)`},
		{"no language", head + "w-1,2025-03-04,threat,,,,,\n",
			`row 2: language: required: an ISO 639-1 code such as ne (or give --language for the whole sheet)`},
		{"note with a NUL", head + "w-1,2025-03-04,threat,,,,,\"a\x00b\"\n",
			`row 2, column H: note: the note holds the control character U+0000 at byte 2`},
		{"worker_link channel", "worker,date,kind,channel,language\nw-1,2025-03-04,threat,worker_link,ne\n",
			`row 2, column D: channel: worker_link is for reports made through the worker's own link; a sheet records interview, exit_interview, worker_organisation, hotline or other`},
		{"a stray quote", head + "w-1,2025-03-04,threat,,,,,a \"quoted\" b\n",
			`row 2: not valid CSV: bare " in non-quoted-field`},
		{"empty file", "", `row 1: empty sheet: a header row is required (` + strings.Join(interviews.Columns, ", ") + `)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := interviews.Options{Language: "ne"}
			if tc.name == "no language" {
				opts.Language = ""
			}
			_, err := parseCSV(t, tc.sheet, opts)
			var probs interviews.Problems
			if !errors.As(err, &probs) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("Parse = %v, want Problems", err)
			}
			if probs[0].Error() != tc.want {
				t.Fatalf("problem\n got %s\nwant %s", probs[0].Error(), tc.want)
			}
		})
	}
}

// TestEveryBadRowIsNamed numbers rows as a spreadsheet shows the file: a blank line is a row, a note with line
// breaks stays in one.
func TestEveryBadRowIsNamed(t *testing.T) {
	t.Parallel()
	sheet := head + "w-1,2025-03-04,threat,,,,,\"two\nlines\"\nw-1,x,threat,,,,,\n\nw-1,2025-03-04,nope,,,,,\n"
	_, err := parseCSV(t, sheet, interviews.Options{Language: "ne"})
	var probs interviews.Problems
	if !errors.As(err, &probs) || len(probs) != 2 || probs[0].Row != 3 || probs[1].Row != 5 {
		t.Fatalf("problems = %v", err)
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		head string
		want interviews.Format
	}{
		{"a.csv", "", interviews.CSV},
		{"A.XLSX", "", interviews.XLSX},
		{"events.ndjson", "worker,date,kind\n", interviews.NDJSON},
		{"-", "PK\x03\x04rest", interviews.XLSX},
		{"-", "\ufeffWorker,Date,Kind,Note\r\n", interviews.CSV},
		{"-", `{"type":"FeePaid"}` + "\n", interviews.NDJSON},
		{"events", "", interviews.NDJSON},
	}
	for _, tc := range cases {
		if got := interviews.Detect(tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%q, %q) = %s, want %s", tc.name, tc.head, got, tc.want)
		}
	}
}

// FuzzParseCSV feeds the sheet parser arbitrary CSV: it never panics, and what it accepts are valid events.
func FuzzParseCSV(f *testing.F) {
	f.Add(head + "w-1,2025-03-04,fee_not_recorded,medical,9000.00,NPR,agency-np,Paid in cash.\n")
	f.Add("worker,date,kind,term,promised,actual,language\nw-2,2025-03-04T10:00:00+05:45,contract_differs,wage,1500,1200,ne\n")
	f.Add("worker,date,kind,document,held_by,channel,language,report_id\nw-3,2025-01-01,document_held,passport,emp-1,hotline,bn,r-1\n")
	f.Add(head + "w-1,2025-02-30,x,,,,,\"unterminated\n")
	f.Fuzz(func(t *testing.T, sheet string) {
		fs, err := interviews.Parse(interviews.CSV, strings.NewReader(sheet), interviews.Options{Language: "ne"})
		if err != nil {
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("a bad sheet must be Problems: %v", err)
			}
			return
		}
		for _, fd := range fs {
			if err := domain.Validate(fd.Env.Event); err != nil {
				t.Fatalf("row %d accepted but invalid: %v", fd.Row, err)
			}
			if fd.Note != "" && notes.Validate(fd.Note) != nil {
				t.Fatalf("row %d: a bad note was accepted", fd.Row)
			}
		}
	})
}
