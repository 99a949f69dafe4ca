package export_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
)

func join(recs [][]string) string {
	lines := make([]string, len(recs))
	for i, r := range recs {
		lines[i] = strings.Join(r, "|")
	}
	return strings.Join(lines, "\n")
}

func TestFlagsGiveAnAmountAndCurrencyPerRecord(t *testing.T) {
	at := time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)
	flags := []domain.Flag{
		{Code: "fee.prohibited", WorkerID: "w-1", JobOrderID: "jo-1", BuyerIDs: []string{"b-1", "b-2"}, EventIDs: []string{"e-1"},
			RaisedAt: at, Amounts: []domain.Money{{Amount: "80.00", Currency: "MYR"}, {Amount: "5000.00", Currency: "NPR"}}},
		{Code: "document.retained", WorkerID: "w-2", RaisedAt: at, EventIDs: []string{"e-2", "e-3"}},
	}
	recs, err := export.Flags(flags)
	if err != nil {
		t.Fatal(err)
	}
	want := `code|worker_id|job_order_id|buyer_ids|event_ids|raised_at|amount|currency|details
fee.prohibited|w-1|jo-1|b-1, b-2|e-1|2024-04-03T00:00:00Z|80.00|MYR|null
fee.prohibited|w-1|jo-1|b-1, b-2|e-1|2024-04-03T00:00:00Z|5000.00|NPR|null
document.retained|w-2|||e-2, e-3|2024-04-03T00:00:00Z|||null`
	if got := join(recs); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAuditGivesARecordPerCurrency(t *testing.T) {
	rows := []projections.AuditRow{
		{Group: "buyer", Key: "b-1", Name: "Brand", JobOrders: 1, Workers: 2, FlaggedWorkers: 1,
			WorkerPaid:    []domain.Money{{Amount: "100.00", Currency: "NPR"}},
			WageShortfall: []domain.Money{{Amount: "7200.00", Currency: "MYR"}}},
		{Group: "buyer", Key: "b-2", JobOrders: 1},
	}
	recs := export.Audit(rows)
	head := recs[0]
	if head[len(head)-5] != "currency" || head[len(head)-4] != "worker_paid_fees" {
		t.Fatalf("header %v", head)
	}
	tail := func(r []string) string { return strings.Join(r[len(r)-5:], "|") }
	got := []string{recs[1][1] + ":" + tail(recs[1]), recs[2][1] + ":" + tail(recs[2]), recs[3][1] + ":" + tail(recs[3])}
	want := []string{"b-1:MYR||||7200.00", "b-1:NPR|100.00|||", "b-2:||||"}
	if strings.Join(got, " ") != strings.Join(want, " ") || len(recs) != 4 {
		t.Fatalf("got %v (%d records), want %v", got, len(recs), want)
	}
}
