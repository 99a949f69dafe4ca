package readmodel_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// moneyCurrencies are the reporting currencies the money totals are compared in: none (months of wages
// alone), two the model keeps and one it does not (summed from the ledgers).
var moneyCurrencies = []string{"", "USD", "MYR", "EUR"}

// moneyText is a row of money as the comparison reads it: its figures, its months summary and counts.
func moneyText(t *testing.T, r *projections.RollupMoney) string {
	t.Helper()
	return mustJSON(t, []any{r.Converted(), r.Months(), r.MonthsCounts()})
}

// conformMoney compares each model's money totals with those of a model rebuilt in memory, in every
// currency of moneyCurrencies at every clock, and returns the in-memory totals in USD at the last clock.
func conformMoney(t *testing.T, s eventstore.Store, models ...*readmodel.Model) *projections.Converted {
	t.Helper()
	ctx := context.Background()
	mem, err := projections.Rebuild(ctx, s, projections.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var last *projections.Converted
	for _, clock := range clocks {
		v := mem.View(clock)
		for _, cur := range moneyCurrencies {
			want := v.Totals(v.Reporting(cur))
			for i, m := range models {
				got, err := m.MoneyTotals(ctx, cur, clock)
				if err != nil {
					t.Fatalf("model %d: money totals in %q: %v", i, cur, err)
				}
				if g, w := moneyText(t, got), moneyText(t, want); g != w {
					t.Fatalf("model %d: money totals in %q at %s:\n got %.1200s\nwant %.1200s", i, cur, clock, g, w)
				}
			}
			if cur == "USD" {
				last = want.Converted()
			}
		}
	}
	return last
}

// keptTotals counts the rows of money_totals the model in dir keeps in currency.
func keptTotals(t *testing.T, dir, currency string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, readmodel.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM money_totals WHERE currency = ?", currency).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMoneyTotalsMatchTheProjections: the money totals a metrics scrape reads answer as the in-memory
// projections do, in a currency the model keeps from its rebuild (Options.Currencies), one it starts keeping
// over a populated model (Track) and one it does not keep, after a rebuild (in one pass and in shards), an incremental catch-up, a worker
// whose judgement changes (a fee in a currency no rate converts yet) and a rates table arriving late, which
// converts that fee.
func TestMoneyTotalsMatchTheProjections(t *testing.T) {
	t.Parallel()
	ls := lines(t)
	dir, later := t.TempDir(), t.TempDir()
	s := openStore(t, dir)
	kept := openModel(t, dir, readmodel.Options{Currencies: []string{"USD", "MYR"}})
	tracked := openModel(t, later, readmodel.Options{})
	sharded := openModel(t, t.TempDir(), readmodel.Options{Currencies: []string{"USD"}, ShardEvents: 1000})
	models := []*readmodel.Model{kept, tracked, sharded}
	importLines(t, s, ls[:len(ls)*2/3])
	for _, m := range models {
		catchUp(t, m, s)
	}
	if err := tracked.Track(context.Background(), "USD"); err != nil {
		t.Fatal(err)
	}
	conformMoney(t, s, models...)
	for name, d := range map[string]string{"kept": dir, "tracked": later} {
		if keptTotals(t, d, "USD") == 0 || keptTotals(t, d, "EUR") != 0 {
			t.Fatalf("%s model: money_totals in USD %d, EUR %d rows: want USD kept and EUR not", name,
				keptTotals(t, d, "USD"), keptTotals(t, d, "EUR"))
		}
	}

	importLines(t, s, ls[len(ls)*2/3:])
	for _, m := range models {
		catchUp(t, m, s)
	}
	conformMoney(t, s, models...)

	importLines(t, s, []string{`{"type":"FeePaid","event_id":"0190b6a4-0000-7000-8000-0000000000a1",` +
		`"occurred_at":"2024-03-05T09:00:00Z","data":{"worker_id":"w-000001","fee_id":"w-000001-kes",` +
		`"category":"recruitment_fee","amount":{"amount":"13000.00","currency":"KES"},"payer":"worker",` +
		`"payee_id":"agency-id-1","method":"cash"}}` + "\n"})
	for _, m := range models {
		if res := catchUp(t, m, s); res.Rebuilt || res.Applied != 1 {
			t.Fatalf("catch-up after a fee: %+v, want it applied incrementally", res)
		}
	}
	before := conformMoney(t, s, models...)
	if len(before.NotConverted.WorkerPaid) == 0 {
		t.Fatal("the KES fee is converted before any table gives KES: the test would not cover late rates")
	}

	importLines(t, s, []string{`{"type":"ExchangeRatesPublished","event_id":"0190b6a4-0000-7000-8000-0000000000a2",` +
		`"occurred_at":"2024-03-01T16:00:00Z","data":{"rates_id":"kes-2024-03-01","source":"CBK","base":"USD",` +
		`"date":"2024-03-01","rates":{"KES":"130.00"}}}` + "\n"})
	for _, m := range models {
		if res := catchUp(t, m, s); !res.Rebuilt || res.Reason != readmodel.ReasonRates {
			t.Fatalf("catch-up after rates: %+v, want a rebuild for a rates table", res)
		}
	}
	after := conformMoney(t, s, models...)
	if len(after.NotConverted.WorkerPaid) != 0 || after.WorkerPaid == before.WorkerPaid {
		t.Errorf("after the KES rates: paid %v, not converted %v; want the 13000 KES converted (100.00 USD more)",
			after.WorkerPaid, after.NotConverted.WorkerPaid)
	}
}
