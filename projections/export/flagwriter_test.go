package export_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
)

// TestAFlagWriterWritesWhatTheWholeListingsRecordsAre: flags written one by one give the bytes of the whole
// listing's records written at once, with and without a reporting currency, for none, one and several flags
// (one with money in two currencies, one without any).
func TestAFlagWriterWritesWhatTheWholeListingsRecordsAre(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)
	all := []domain.Flag{
		{Code: "fee.prohibited", WorkerID: "w-1", JobOrderID: "jo-1", BuyerIDs: []string{"b-1", "b-2"}, EventIDs: []string{"e-1"},
			RaisedAt: at, Amounts: []domain.Money{{Amount: "80.00", Currency: "MYR"}, {Amount: "5000.00", Currency: "NPR"}}},
		{Code: "document.retained", WorkerID: "w-2", RaisedAt: at, EventIDs: []string{"e-2", "e-3"}},
		{Code: "fee.cap_exceeded", WorkerID: "w-3, \"x\"", RaisedAt: at, Amounts: []domain.Money{{Amount: "1.5", Currency: "USD"}}},
	}
	book := &domain.RateBook{}
	book.Add(domain.EventID{15: 1}, &domain.ExchangeRatesPublished{RatesID: "fed-1", Source: "FED", Base: "USD",
		Date: "2024-03-01", Rates: map[string]domain.Rate{"MYR": "4.7000"}})
	rep := &projections.Reporting{Currency: "USD", Rates: book, Clock: at}
	for _, tc := range []struct {
		name  string
		flags []domain.Flag
		rep   *projections.Reporting
	}{
		{"no flags", nil, nil},
		{"one flag", all[:1], nil},
		{"several flags", all, nil},
		{"no flags in a reporting currency", nil, rep},
		{"several flags in a reporting currency", all, rep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var whole [][]string
			var err error
			if tc.rep != nil {
				whole, err = export.ConvertedFlags(tc.rep.Flags(tc.flags))
			} else {
				whole, err = export.Flags(tc.flags)
			}
			if err != nil {
				t.Fatal(err)
			}
			var want, got bytes.Buffer
			if err := csv.NewWriter(&want).WriteAll(whole); err != nil {
				t.Fatal(err)
			}
			fw := export.NewFlagWriter(&got, tc.rep)
			for _, f := range tc.flags {
				if err := fw.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			if err := fw.Close(); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Fatalf("got\n%s\nwant\n%s", got.String(), want.String())
			}
		})
	}
}
