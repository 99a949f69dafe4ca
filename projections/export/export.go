// Package export lays the read model's answers out as CSV records, the same for every front end: the command
// line's --format csv and the API's Accept: text/csv. Money is an amount column and a currency column, never
// "120.00 MYR" in one field, so that a spreadsheet can sum it per currency; a list inside a field (buyer ids,
// event ids) is joined by ListSep.
package export

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/narrate"
)

// ListSep joins the items of a list in one field.
const ListSep = ", "

// Flags lays flags out: a record per flag and amount, the amount and its currency in columns of their own (a
// flag without money has one record, both empty; one with money in two currencies has two).
func Flags(flags []domain.Flag) ([][]string, error) {
	out := [][]string{FlagHeader()}
	for _, f := range flags {
		var err error
		if out, err = AppendFlag(out, f, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FlagHeader is the header record of Flags.
func FlagHeader() []string {
	return []string{"code", "worker_id", "job_order_id", "buyer_ids", "event_ids", "raised_at", "amount", "currency", "details"}
}

// AppendFlag appends the records of one flag, as Flags lays them out, to out. scratch, when not nil, is a
// buffer reused for the details' JSON: a listing of every flag writes a flag at a time.
func AppendFlag(out [][]string, f domain.Flag, scratch *[]byte) ([][]string, error) {
	details, err := detailsJSON(f.Details, scratch)
	if err != nil {
		return nil, fmt.Errorf("flag %s of %s: details: %w", f.Code, f.WorkerID, err)
	}
	// rec's capacity is its length (a slice literal's is), so each append below copies it into a record of its
	// own: the records of a flag with several amounts share nothing.
	rec := []string{f.Code, f.WorkerID, f.JobOrderID, strings.Join(f.BuyerIDs, ListSep),
		strings.Join(f.EventIDs, ListSep), when(f.RaisedAt)}
	if len(f.Amounts) == 0 {
		return append(out, append(rec, "", "", details)), nil
	}
	for _, m := range f.Amounts {
		out = append(out, append(rec, string(m.Amount), m.Currency, details))
	}
	return out, nil
}

// detailsJSON is a flag's details as json.Marshal writes them. Details read back from JSON (domain.RawDetails,
// valid JSON as encoding/json read it) are written without a JSON encoder where they are compact, as the read
// model keeps them: escaped for HTML as json.Marshal escapes them, and otherwise as they are.
func detailsJSON(d domain.FlagDetails, scratch *[]byte) (string, error) {
	if scratch == nil {
		scratch = new([]byte)
	}
	if raw, ok := d.(domain.RawDetails); ok {
		if out, ok := appendMarshalledRaw((*scratch)[:0], raw.JSON); ok {
			*scratch = out
			return string(out), nil
		}
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// appendMarshalledRaw appends what json.Marshal writes of a json.RawMessage holding raw, valid JSON (null when
// empty): raw with <, >, & and U+2028, U+2029 escaped. It reports false, having appended part of it, when raw
// has whitespace outside its strings, which json.Marshal would drop. Runs of other bytes are copied whole.
func appendMarshalledRaw(dst, raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return append(dst, "null"...), true
	}
	inString, start := false, 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !rawSpecial[c] {
			continue
		}
		switch {
		case c == '\\':
			i++ // the escaped byte, a quote say, is copied as it is
		case c == '"':
			inString = !inString
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if !inString {
				return dst, false
			}
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, raw[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			start = i + 1
		case i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xa8: // U+2028 or U+2029
			dst = append(dst, raw[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[raw[i+2]&0xf])
			i += 2
			start = i + 1
		}
	}
	return append(dst, raw[start:]...), true
}

// rawSpecial marks the bytes appendMarshalledRaw looks at: quotes, backslashes, whitespace, the bytes
// json.Marshal escapes for HTML, and the first byte of U+2028 and U+2029.
var rawSpecial = [256]bool{'"': true, '\\': true, ' ': true, '\t': true, '\n': true, '\r': true, '<': true, '>': true,
	'&': true, 0xe2: true}

// hexDigits are the digits json.Marshal writes escapes with.
const hexDigits = "0123456789abcdef"

// Audit lays audit rows out: a record per group and currency, the currency in a column of its own and the
// amounts (worker-paid fees, reimbursed, outstanding, estimated wage shortfall) in the columns after it. A
// group's counts repeat on each of its currency records; a group without money has one record, its money
// columns empty. Rows audited in a reporting currency have the columns of convertedHead after those.
func Audit(rows []projections.AuditRow) [][]string {
	head := []string{"group", "key", "name", "job_orders", "workers", "flagged_workers"}
	head = append(head, domain.FlagCodes...)
	head = append(head, "currency", "worker_paid_fees", "reimbursed", "outstanding", "estimated_wage_shortfall")
	conv := inCurrency(rows)
	if conv {
		head = append(head, convertedHead...)
	}
	out := [][]string{head}
	for _, r := range rows {
		rec := []string{r.Group, r.Key, r.Name, strconv.Itoa(r.JobOrders), strconv.Itoa(r.Workers), strconv.Itoa(r.FlaggedWorkers)}
		for _, c := range domain.FlagCodes {
			rec = append(rec, strconv.Itoa(r.Flags[c]))
		}
		lines := ByCurrency(r)
		if len(lines) == 0 {
			lines = []CurrencyLine{{}}
		}
		for _, l := range lines {
			line := append(slices.Clone(rec), l.Currency, l.WorkerPaid, l.Reimbursed, l.Outstanding, l.WageShortfall)
			if conv {
				line = append(line, converted(r, l.Currency)...)
			}
			out = append(out, line)
		}
	}
	return out
}

// CurrencyLine is an audit row's money in one currency; an amount is empty where there is none.
type CurrencyLine struct {
	Currency, WorkerPaid, Reimbursed, Outstanding, WageShortfall string
}

// ByCurrency lays a row's money out a currency a line, in the order of the currency codes.
func ByCurrency(r projections.AuditRow) []CurrencyLine {
	lines := map[string]*CurrencyLine{}
	var order []string
	for col, ms := range [][]domain.Money{r.WorkerPaid, r.Reimbursed, r.Outstanding, r.WageShortfall} {
		for _, m := range ms {
			l := lines[m.Currency]
			if l == nil {
				l = &CurrencyLine{Currency: m.Currency}
				lines[m.Currency] = l
				order = append(order, m.Currency)
			}
			amounts := []*string{&l.WorkerPaid, &l.Reimbursed, &l.Outstanding, &l.WageShortfall}
			*amounts[col] = string(m.Amount)
		}
	}
	slices.Sort(order)
	out := make([]CurrencyLine, len(order))
	for i, c := range order {
		out[i] = *lines[c]
	}
	return out
}

// History lays a worker's timeline out: a record per event, with what it records in words (narrate).
func History(r *projections.WorkerReport) ([][]string, error) {
	out := [][]string{{"worker_id", "occurred_at", "recorded_at", "type", "event_id", "recorded_by", "what_happened"}}
	for _, e := range r.Timeline {
		s, err := narrate.Entry(e)
		if err != nil {
			return nil, err
		}
		out = append(out, []string{r.WorkerID, when(e.OccurredAt), when(e.RecordedAt), e.Type, e.EventID, e.RecordedBy, s})
	}
	return out, nil
}

func when(t time.Time) string { return t.UTC().Format(time.RFC3339) }
