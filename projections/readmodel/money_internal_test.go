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
// money_totals and money_months are the stored format an auditor reads, and rollup_money holds the same rows
// for each rollup row of the audit's groupings the first worker counts in (the second counts in other rows).
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
	parties := &contribution{JobOrder: "jo-1", Employer: "employer-1", Buyers: []string{"buyer-1"},
		Agencies: []string{"agency-1"}}
	otherParties := &contribution{JobOrder: "jo-2", Employer: "employer-1", Buyers: []string{"buyer-2"}}
	for _, step := range []struct {
		months string
		sign   int64
	}{{"sample", 1}, {"sample", 1}, {"other", 1}, {"other", -1}} {
		led, c := &l, parties
		if step.months == "other" {
			led, c = &other, otherParties
		}
		if err := mt.worker(led, c, nil, step.sign); err != nil {
			t.Fatal(err)
		}
		if err := mt.flush(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	got := dumpRows(t, tx, "SELECT currency, figure, deadline, in_currency, scale, amounts, total FROM money_totals ORDER BY 1, 2, 3, 4, 5") +
		dumpRows(t, tx, "SELECT months, workers FROM money_months ORDER BY 1")
	checkGolden(t, "money totals", filepath.Join("testdata", "money_totals.golden.tsv"), got)
	checkGolden(t, "rollup money", filepath.Join("testdata", "rollup_money.golden.tsv"), dumpRows(t, tx,
		"SELECT * FROM rollup_money WHERE scope = 'buyer-1' AND grouping = 'agency' ORDER BY 4, 5, 6, 7, 8"))
	totals := dumpRows(t, tx, "SELECT currency, figure, deadline, in_currency, scale, amounts, total FROM money_totals ORDER BY 1, 2, 3, 4, 5")
	groups := strings.Fields(dumpRows(t, tx, "SELECT DISTINCT scope || '/' || grouping || '/' || key FROM rollup_money ORDER BY 1"))
	if want := "/agency/agency-1 /buyer/buyer-1 /employer/employer-1 /job-order/jo-1 buyer-1/agency/agency-1 " +
		"buyer-1/buyer/buyer-1 buyer-1/employer/employer-1 buyer-1/job-order/jo-1"; strings.Join(groups, " ") != want {
		t.Errorf("rollup_money rows: %v, want those of %s", groups, want)
	}
	for _, g := range groups {
		parts := strings.SplitN(g, "/", 3)
		got := dumpRows(t, tx, fmt.Sprintf(`SELECT currency, figure, deadline, in_currency, scale, amounts, total
			FROM rollup_money WHERE scope = '%s' AND grouping = '%s' AND key = '%s' ORDER BY 1, 2, 3, 4, 5`, parts[0], parts[1], parts[2]))
		if got != totals {
			t.Errorf("rollup_money of %s:\n%s\nwant the totals' rows\n%s", g, got, totals)
		}
	}
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
// ledger's lines converted with a book of a table a day for 800 days, and its months counted, added to the
// totals and to the eight rollup rows of a worker of one buyer, employer, agency and job order, spread to
// those rows once every 50 workers (about a job order's workers, which share their rows, in one transaction).
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
	c := &contribution{JobOrder: "jo-1", Employer: "employer-1", Buyers: []string{"buyer-1"}, Agencies: []string{"agency-1"}}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if err := mt.worker(&l, c, nil, 1); err != nil {
			b.Fatal(err)
		}
		if n++; n%50 == 0 {
			mt.spread()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}
