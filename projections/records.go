package projections

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// FlagRecords lays flags out as CSV records, a header first: the columns of `fairtrail flags --format csv`
// and of GET /v1/flags with Accept: text/csv. Details are JSON in one column.
func FlagRecords(flags []domain.Flag) ([][]string, error) {
	out := [][]string{{"code", "worker_id", "job_order_id", "buyer_ids", "event_ids", "raised_at", "amounts", "details"}}
	for _, f := range flags {
		details, err := json.Marshal(f.Details)
		if err != nil {
			return nil, fmt.Errorf("details of flag %s: %w", f.Code, err)
		}
		out = append(out, []string{f.Code, f.WorkerID, f.JobOrderID, strings.Join(f.BuyerIDs, " "),
			strings.Join(f.EventIDs, " "), f.RaisedAt.UTC().Format(time.RFC3339), MoneyText(f.Amounts), string(details)})
	}
	return out, nil
}

// AuditRecords lays audit rows out as CSV records, a header first: the columns of `fairtrail audit --format csv`
// and of GET /v1/audit with Accept: text/csv.
func AuditRecords(rows []AuditRow) [][]string {
	head := []string{"group", "key", "name", "job_orders", "workers", "flagged_workers"}
	head = append(head, domain.FlagCodes...)
	head = append(head, "worker_paid_fees", "reimbursed", "outstanding", "estimated_wage_shortfall")
	out := [][]string{head}
	for _, r := range rows {
		rec := []string{r.Group, r.Key, r.Name, strconv.Itoa(r.JobOrders), strconv.Itoa(r.Workers), strconv.Itoa(r.FlaggedWorkers)}
		for _, c := range domain.FlagCodes {
			rec = append(rec, strconv.Itoa(r.Flags[c]))
		}
		rec = append(rec, MoneyText(r.WorkerPaid), MoneyText(r.Reimbursed), MoneyText(r.Outstanding), MoneyText(r.WageShortfall))
		out = append(out, rec)
	}
	return out
}

// MoneyText writes amounts per currency as the command line and the CSV answers do: "1500.00 MYR; 200.00 NPR".
func MoneyText(ms []domain.Money) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m.Amount) + " " + m.Currency
	}
	return strings.Join(parts, "; ")
}
