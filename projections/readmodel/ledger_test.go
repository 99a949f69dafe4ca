package readmodel

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// update rewrites the golden files: go test ./projections/readmodel -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func money(amount, currency string) domain.Money {
	return domain.Money{Amount: domain.Amount(amount), Currency: currency}
}

// sampleLedger has a line of every kind: paid, reimbursed, shortfall, owed lines sharing a deadline and not,
// an outstanding in another currency, and instants with and without a fraction of a second.
func sampleLedger() projections.Ledger {
	at := time.Date(2023, 3, 17, 3, 24, 0, 0, time.UTC)
	due := time.Date(2027, 3, 1, 21, 47, 41, 702454063, time.UTC)
	return projections.Ledger{
		Paid:       []projections.DatedMoney{{At: at, Money: money("22200000.00", "IDR")}, {At: at.Add(time.Hour), Money: money("520.00", "SAR")}},
		Reimbursed: []projections.DatedMoney{{At: at.Add(1500 * time.Millisecond), Money: money("520.00", "SAR")}},
		Owed: []projections.OwedMoney{
			{At: at, Owed: money("22200000.00", "IDR"), Outstanding: money("22200000.00", "IDR"), Deadline: due},
			{At: at.Add(time.Hour), Owed: money("520.00", "SAR"), Outstanding: money("0.00", "SAR"), Deadline: due},
			{At: at.Add(2 * time.Hour), Owed: money("10", "USD"), Outstanding: money("5", ""), Deadline: due.Add(time.Hour)},
		},
		Shortfall: []projections.DatedMoney{{At: at.Add(-time.Hour), Money: money("8640.00", "SAR")}},
		Months:    "12.69",
	}
}

func TestGoldenStoredLedger(t *testing.T) {
	t.Parallel()
	checkGolden(t, "stored ledger", filepath.Join("testdata", "ledger.golden.json"), encodeLedger(sampleLedger())+"\n")
}

// checkGolden compares got with the golden file at path (rewritten first with -update); what names it in a failure.
func checkGolden(t *testing.T, what, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s\n%s\nwant (%s)\n%s", what, got, path, want)
	}
}

func TestAStoredLedgerReadsBackAsItWasWritten(t *testing.T) {
	t.Parallel()
	cases := map[string]projections.Ledger{
		"every kind of line": sampleLedger(),
		"an empty ledger":    {},
		"months alone":       {Months: "3.5"},
	}
	for name, l := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			back, err := decodeLedger(encodeLedger(l))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, l) {
				t.Errorf("read back %+v\nwant %+v", back, l)
			}
		})
	}
}

func TestAStoredLedgerOfAnotherShapeIsRefused(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"not JSON":                      `{"paid":`,
		"a line too short":              `{"paid":[[1,"2"]]}`,
		"an instant that is not one":    `{"paid":[["yesterday","2","USD"]]}`,
		"an amount that is a number":    `{"paid":[[1,2,"USD"]]}`,
		"a first owed with no deadline": `{"owed":[[1,"2","USD","2"]]}`,
		"an outstanding of one value":   `{"owed":[[1,"2","USD",["2"],5]]}`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := decodeLedger(text); !errors.Is(err, errLedger) {
				t.Errorf("decodeLedger(%s) = %v, want %v", text, err, errLedger)
			}
		})
	}
}
