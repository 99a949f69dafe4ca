package query

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// MoneyText writes amounts as every front end shows them: "1500.00 MYR; 200.00 NPR".
func MoneyText(ms []domain.Money) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m.Amount) + " " + m.Currency
	}
	return strings.Join(parts, "; ")
}

// When writes a time as listings show it: RFC 3339, UTC, to the second.
func When(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// AuditColumns are the CSV columns of an audit.
func AuditColumns() []string {
	head := []string{"group", "key", "name", "job_orders", "workers", "flagged_workers"}
	head = append(head, domain.FlagCodes...)
	return append(head, "worker_paid_fees", "reimbursed", "outstanding", "estimated_wage_shortfall")
}

// AuditRecord is an audit row's CSV record, in AuditColumns order.
func AuditRecord(r projections.AuditRow) []string {
	rec := []string{r.Group, r.Key, r.Name, strconv.Itoa(r.JobOrders), strconv.Itoa(r.Workers), strconv.Itoa(r.FlaggedWorkers)}
	for _, c := range domain.FlagCodes {
		rec = append(rec, strconv.Itoa(r.Flags[c]))
	}
	return append(rec, MoneyText(r.WorkerPaid), MoneyText(r.Reimbursed), MoneyText(r.Outstanding), MoneyText(r.WageShortfall))
}

// FlagColumns are the CSV columns of a flag listing.
var FlagColumns = []string{"code", "worker_id", "job_order_id", "buyer_ids", "event_ids", "raised_at", "amounts", "details"}

// Flag is a listed flag as a front end reads it back: its fields, and its details as the JSON they were
// listed with.
type Flag struct {
	Code       string          `json:"code"`
	WorkerID   string          `json:"worker_id"`
	JobOrderID string          `json:"job_order_id"`
	BuyerIDs   []string        `json:"buyer_ids"`
	EventIDs   []string        `json:"event_ids"`
	RaisedAt   time.Time       `json:"raised_at"`
	Amounts    []domain.Money  `json:"amounts,omitempty"`
	Details    json.RawMessage `json:"details"`
}

// FlagRecord is a flag's CSV record, in FlagColumns order; details are JSON as encoding/json writes them.
func FlagRecord(f Flag) []string {
	var details bytes.Buffer
	json.HTMLEscape(&details, f.Details)
	return []string{f.Code, f.WorkerID, f.JobOrderID, strings.Join(f.BuyerIDs, " "), strings.Join(f.EventIDs, " "),
		When(f.RaisedAt), MoneyText(f.Amounts), details.String()}
}
