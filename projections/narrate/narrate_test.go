package narrate_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/narrate"
)

var update = flag.Bool("update", false, "rewrite testdata/sentences.golden")

// TestEverySentence narrates the catalogue's example of every event type (domain's golden events) and
// compares the sentences with testdata/sentences.golden, so that a change of wording is a reviewed diff.
func TestEverySentence(t *testing.T) {
	var b strings.Builder
	for _, typ := range domain.Types {
		data, err := os.ReadFile(filepath.Join("..", "..", "domain", "testdata", "golden", typ+".json"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := narrate.Entry(projections.TimelineEntry{EventID: "e-1", Type: typ, Data: data})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !strings.HasSuffix(s, ".") || strings.Contains(s, "%!") {
			t.Errorf("%s: not a sentence: %q", typ, s)
		}
		fmt.Fprintf(&b, "%s: %s\n", typ, s)
	}
	golden := filepath.Join("testdata", "sentences.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Fatalf("sentences differ from %s (go test -update to rewrite it)\n got:\n%s\nwant:\n%s", golden, b.String(), want)
	}
}

func TestSentenceSaysTheFacts(t *testing.T) {
	yes := true
	cases := []struct {
		name  string
		event domain.Event
		want  []string
	}{
		{"who paid whom how much by what method",
			&domain.FeePaid{WorkerID: "w-1", FeeID: "f-1", Category: "recruitment_fee", Payer: "worker", PayeeID: "agency-np",
				Method: "bank_transfer", Amount: domain.Money{Amount: "80000.00", Currency: "NPR"}},
			[]string{"The worker paid 80000.00 NPR to agency-np by bank transfer for recruitment fee."}},
		{"an employer that paid is named",
			&domain.FeePaid{WorkerID: "w-1", FeeID: "f-2", Category: "visa", Payer: "employer", PayerID: "emp-1", PayeeID: "gov",
				Method: "cash", Amount: domain.Money{Amount: "50.00", Currency: "MYR"}},
			[]string{"emp-1 paid 50.00 MYR to gov by cash for visa."}},
		{"which document is held by whom",
			&domain.DocumentRetained{WorkerID: "w-1", Document: "passport", HeldBy: "emp-1"},
			[]string{"The worker's passport is held by emp-1."}},
		{"where the worker went",
			&domain.WorkerDeparted{WorkerID: "w-1", FromCountry: "NP", ToCountry: "MY"},
			[]string{"Left NP for MY."}},
		{"a contract's wage and copy",
			&domain.ContractSigned{WorkerID: "w-1", ContractID: "c-2", Stage: "post_arrival", Language: "ms", WorkerCopy: new(bool),
				Terms: domain.Terms{Position: "welder", EmployerID: "emp-1", Wage: domain.Wage{Amount: "1200.00", Currency: "MYR", Per: "month"},
					Worksite: domain.Worksite{City: "Penang", Country: "MY"}}},
			[]string{"contract c-2 (post arrival)", "1200.00 MYR a month", "at Penang, MY", "was not given a copy"}},
		{"a loan with its interest",
			&domain.LoanTaken{WorkerID: "w-1", LoanID: "l-1", LenderID: "lender-1", Purpose: "recruitment", AnnualInterestPct: "36",
				Principal: domain.Money{Amount: "60000.00", Currency: "NPR"}},
			[]string{"borrowed 60000.00 NPR from lender-1 for recruitment at 36% a year"}},
		{"a reimbursement for a fee",
			&domain.FeeReimbursed{WorkerID: "w-1", ReimbursementID: "r-1", FeeID: "f-1", PaidBy: "emp-1",
				Amount: domain.Money{Amount: "10.00", Currency: "MYR"}},
			[]string{"emp-1 paid 10.00 MYR back to the worker for fee f-1."}},
		{"a contract given in copy",
			&domain.ContractSigned{WorkerID: "w-1", ContractID: "c-1", Stage: "pre_departure", Language: "ne", WorkerCopy: &yes},
			[]string{"was given a copy"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := narrate.Sentence(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("%q lacks %q", s, w)
				}
			}
		})
	}
}

func TestUnknownEvent(t *testing.T) {
	if _, err := narrate.Sentence(nil); !errors.Is(err, narrate.ErrUnknownEvent) {
		t.Fatalf("err %v, want ErrUnknownEvent", err)
	}
	if _, err := narrate.Entry(projections.TimelineEntry{Type: "WorkerTeleported", Data: []byte("{}")}); err == nil {
		t.Fatal("an unknown type was narrated")
	}
}

func TestChange(t *testing.T) {
	cases := []struct {
		name string
		ch   projections.Change
		want string
	}{
		{"hours", projections.Change{Term: "hours_per_week", Note: "higher", Before: 48, After: 60},
			"hours_per_week higher vs contract c-1: 48 -> 60"},
		{"deductions added", projections.Change{Term: "deductions", Note: "added", Before: nil,
			After: []domain.Deduction{{Kind: "housing", Amount: "150.00", Currency: "MYR", Per: "month"}}},
			"deductions added vs contract c-1: none -> housing 150.00 MYR/month"},
		{"worksite", projections.Change{Term: "worksite", Note: "changed", Before: domain.Worksite{City: "Penang", Country: "MY"},
			After: domain.Worksite{Country: "MY"}}, "worksite changed vs contract c-1: Penang, MY -> MY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := narrate.Change(tc.ch, "contract c-1"); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
