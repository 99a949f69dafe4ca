package readmodel

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// TestGoldenMoneyTotals writes the sample ledger's money in USD (with a rates table that gives IDR and SAR on
// the day before its lines) twice, a second worker's once, and takes the second away again: the rows of
// money_totals and money_months are the stored format an auditor reads.
func TestGoldenMoneyTotals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := keepCurrencies(ctx, tx, []string{"USD"}); err != nil {
		t.Fatal(err)
	}
	mt := newMoneyTotals([]string{"USD"})
	mt.rates = &domain.RateBook{}
	mt.rates.Add(domain.EventID{1}, &domain.ExchangeRatesPublished{RatesID: "r-1", Source: "test", Base: "USD",
		Date: "2023-03-16", Rates: map[string]domain.Rate{"IDR": "15300.5", "SAR": "3.75"}})
	l, other := sampleLedger(), sampleLedger()
	other.Months, other.Paid = "", other.Paid[:1]
	for _, step := range []struct {
		months string
		sign   int64
	}{{"sample", 1}, {"sample", 1}, {"other", 1}, {"other", -1}} {
		led := &l
		if step.months == "other" {
			led = &other
		}
		if err := mt.worker(led, step.sign); err != nil {
			t.Fatal(err)
		}
		if err := mt.flush(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	got := dumpRows(t, tx, "SELECT currency, figure, deadline, in_currency, scale, amounts, total FROM money_totals ORDER BY 1, 2, 3, 4, 5") +
		dumpRows(t, tx, "SELECT months, workers FROM money_months ORDER BY 1")
	checkGolden(t, "money totals", filepath.Join("testdata", "money_totals.golden.tsv"), got)
}

// dumpRows is the rows of a query, a line each, their columns separated by tabs.
func dumpRows(t *testing.T, q queryer, query string) string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprint(&b, v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// BenchmarkMoneyTotalsWorker is what keeping one reporting currency adds to writing a worker: the sample
// ledger's lines converted with a book of a table a day for 800 days, and its months counted.
func BenchmarkMoneyTotalsWorker(b *testing.B) {
	mt := newMoneyTotals([]string{"USD"})
	mt.rates = &domain.RateBook{}
	day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 800 {
		mt.rates.Add(domain.EventID{byte(i), byte(i >> 8)}, &domain.ExchangeRatesPublished{RatesID: fmt.Sprint("r-", i),
			Source: "test", Base: "USD", Date: day.AddDate(0, 0, i).Format(time.DateOnly),
			Rates: map[string]domain.Rate{"IDR": "15300.5", "SAR": "3.75", "MYR": "4.57734", "NPR": "132.369"}})
	}
	l := sampleLedger()
	lines := len(l.Paid) + len(l.Reimbursed) + 2*len(l.Owed) + len(l.Shortfall)
	b.ResetTimer()
	for b.Loop() {
		if err := mt.worker(&l, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}
