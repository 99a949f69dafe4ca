package readmodel

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
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

// reflectedLedger is a ledger's stored JSON as json.Marshal writes storedLedger, its lines built as raw
// values: the reference encodeLedger, appending by hand, must match byte for byte.
func reflectedLedger(l projections.Ledger) string {
	str := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	instant := func(t time.Time) json.RawMessage {
		if t.Nanosecond() == 0 {
			return json.RawMessage(strconv.FormatInt(t.Unix(), 10))
		}
		return str(t.UTC().Format(time.RFC3339Nano))
	}
	dated := func(ms []projections.DatedMoney) (out [][]json.RawMessage) {
		for _, m := range ms {
			out = append(out, []json.RawMessage{instant(m.At), str(string(m.Money.Amount)), str(m.Money.Currency)})
		}
		return out
	}
	s := storedLedger{Paid: dated(l.Paid), Reimbursed: dated(l.Reimbursed), Shortfall: dated(l.Shortfall), Months: l.Months}
	var last time.Time
	for i, o := range l.Owed {
		line := []json.RawMessage{instant(o.At), str(string(o.Owed.Amount)), str(o.Owed.Currency)}
		if o.Outstanding.Currency == o.Owed.Currency {
			line = append(line, str(string(o.Outstanding.Amount)))
		} else {
			line = append(line, json.RawMessage("["+string(str(string(o.Outstanding.Amount)))+","+
				string(str(o.Outstanding.Currency))+"]"))
		}
		if i == 0 || !o.Deadline.Equal(last) {
			line = append(line, instant(o.Deadline))
		}
		last = o.Deadline
		s.Owed = append(s.Owed, line)
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// FuzzLedgerEncoding: the stored ledger appended by hand is json.Marshal's of its stored shape, whatever its
// strings (HTML characters, escapes, invalid UTF-8), instants and which of its lists are empty.
func FuzzLedgerEncoding(f *testing.F) {
	f.Add("22200000.00", "IDR", int64(1_679_023_440), int64(0), uint8(0xff))
	f.Add("<5> & \"6\"\xff\u2028", "", int64(-1), int64(702_454_063), uint8(0x15))
	f.Fuzz(func(t *testing.T, amount, currency string, sec, nsec int64, which uint8) {
		at := time.Unix(sec, nsec%1_000_000_000).UTC()
		m := money(amount, currency)
		var l projections.Ledger
		if which&1 != 0 {
			l.Paid = []projections.DatedMoney{{At: at, Money: m}, {At: at, Money: m}}
		}
		if which&2 != 0 {
			l.Reimbursed = []projections.DatedMoney{{At: at, Money: m}}
		}
		if which&4 != 0 {
			l.Owed = []projections.OwedMoney{{At: at, Owed: m, Outstanding: m, Deadline: at},
				{At: at, Owed: m, Outstanding: money(amount, currency+"X"), Deadline: at},
				{At: at, Owed: m, Outstanding: m, Deadline: at.Add(time.Second)}}
		}
		if which&8 != 0 {
			l.Shortfall = []projections.DatedMoney{{At: at, Money: m}}
		}
		if which&16 != 0 {
			l.Months = amount
		}
		if got, want := encodeLedger(l), reflectedLedger(l); got != want {
			t.Fatalf("encodeLedger\n got %s\nwant %s", got, want)
		}
	})
}
