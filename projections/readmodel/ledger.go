package readmodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// A worker's ledger is stored compact: each line an array rather than an object, an instant as Unix seconds
// (a string in RFC 3339 when it has a fraction of a second), and an owed line's deadline only where it differs
// from the line before's:
//
//	{"paid":[[at,"amount","currency"],...],"reimbursed":[...],"shortfall":[...],
//	 "owed":[[at,"owed","currency","outstanding",deadline],...],"months":"12.69"}
//
// An owed line's outstanding in a currency other than its owed is ["amount","currency"]. The sqlite3 shell reads
// it with json_each and json_extract; decodeLedger reads it back into the projections.Ledger it was made from
// (its instants in UTC).

// errLedger reports a stored ledger that is not in this format.
var errLedger = errors.New("not a stored ledger")

// storedLedger is a ledger's stored shape.
type storedLedger struct {
	Paid       [][]json.RawMessage `json:"paid,omitempty"`
	Reimbursed [][]json.RawMessage `json:"reimbursed,omitempty"`
	Owed       [][]json.RawMessage `json:"owed,omitempty"`
	Shortfall  [][]json.RawMessage `json:"shortfall,omitempty"`
	Months     string              `json:"months,omitempty"`
}

// encodeLedger is a ledger's stored JSON (storedLedger's, as json.Marshal writes it), appended by hand: a
// rebuild stores every worker's.
func encodeLedger(l projections.Ledger) string {
	b := make([]byte, 0, 16+64*(len(l.Paid)+len(l.Reimbursed)+len(l.Shortfall)+2*len(l.Owed)))
	b = append(b, '{')
	b = appendDatedLines(b, "paid", l.Paid)
	b = appendDatedLines(b, "reimbursed", l.Reimbursed)
	if len(l.Owed) > 0 {
		b = append(appendLedgerKey(b, "owed"), '[')
		var last time.Time
		for i, o := range l.Owed {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendInstant(append(b, '['), o.At), ',')
			b = append(appendLedgerString(b, string(o.Owed.Amount)), ',')
			b = append(appendLedgerString(b, o.Owed.Currency), ',')
			if o.Outstanding.Currency == o.Owed.Currency {
				b = appendLedgerString(b, string(o.Outstanding.Amount))
			} else {
				b = append(appendLedgerString(append(b, '['), string(o.Outstanding.Amount)), ',')
				b = append(appendLedgerString(b, o.Outstanding.Currency), ']')
			}
			if i == 0 || !o.Deadline.Equal(last) {
				b = appendInstant(append(b, ','), o.Deadline)
			}
			last = o.Deadline
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	b = appendDatedLines(b, "shortfall", l.Shortfall)
	if l.Months != "" {
		b = appendLedgerString(appendLedgerKey(b, "months"), l.Months)
	}
	return string(append(b, '}'))
}

// appendLedgerKey appends a member's name to a stored ledger's object, after a comma unless it is the first.
func appendLedgerKey(b []byte, k string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	return append(append(append(b, '"'), k...), '"', ':')
}

// appendDatedLines appends the member k of dated lines, [at,"amount","currency"] each, none when there are none.
func appendDatedLines(b []byte, k string, ms []projections.DatedMoney) []byte {
	if len(ms) == 0 {
		return b
	}
	b = append(appendLedgerKey(b, k), '[')
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendInstant(append(b, '['), m.At), ',')
		b = append(appendLedgerString(b, string(m.Money.Amount)), ',')
		b = append(appendLedgerString(b, m.Money.Currency), ']')
	}
	return append(b, ']')
}

// appendInstant appends an instant as Unix seconds, or as a string in RFC 3339 with its fraction of a second.
func appendInstant(b []byte, t time.Time) []byte {
	if t.Nanosecond() == 0 {
		return strconv.AppendInt(b, t.Unix(), 10)
	}
	return append(t.UTC().AppendFormat(append(b, '"'), time.RFC3339Nano), '"')
}

// appendLedgerString appends a string as json.Marshal writes it, escaping <, > and & as well.
func appendLedgerString(b []byte, s string) []byte {
	if strings.ContainsAny(s, "<>&") {
		q, _ := json.Marshal(s) // a string: cannot fail
		return append(b, q...)
	}
	return projections.AppendJSONString(b, s)
}

// decodeLedger reads a stored ledger back.
func decodeLedger(text string) (projections.Ledger, error) {
	var s storedLedger
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return projections.Ledger{}, fmt.Errorf("%w: %w", errLedger, err)
	}
	l := projections.Ledger{Months: s.Months}
	var err error
	if l.Paid, err = readDated(s.Paid); err != nil {
		return l, fmt.Errorf("paid: %w", err)
	}
	if l.Reimbursed, err = readDated(s.Reimbursed); err != nil {
		return l, fmt.Errorf("reimbursed: %w", err)
	}
	if l.Shortfall, err = readDated(s.Shortfall); err != nil {
		return l, fmt.Errorf("shortfall: %w", err)
	}
	if l.Owed, err = readOwed(s.Owed); err != nil {
		return l, fmt.Errorf("owed: %w", err)
	}
	return l, nil
}

func readDated(lines [][]json.RawMessage) ([]projections.DatedMoney, error) {
	var out []projections.DatedMoney
	for i, line := range lines {
		var d projections.DatedMoney
		if len(line) != 3 {
			return nil, fmt.Errorf("%w: line %d has %d values, want 3", errLedger, i, len(line))
		}
		at, err := readInstant(line[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i, err)
		}
		d.At = at
		if err := readStrings(line[1:], (*string)(&d.Money.Amount), &d.Money.Currency); err != nil {
			return nil, fmt.Errorf("line %d: %w", i, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func readOwed(lines [][]json.RawMessage) ([]projections.OwedMoney, error) {
	var out []projections.OwedMoney
	for i, line := range lines {
		if len(line) != 5 && (len(line) != 4 || i == 0) {
			return nil, fmt.Errorf("%w: line %d has %d values", errLedger, i, len(line))
		}
		var o projections.OwedMoney
		var err error
		if o.At, err = readInstant(line[0]); err != nil {
			return nil, fmt.Errorf("line %d: %w", i, err)
		}
		if err := readStrings(line[1:3], (*string)(&o.Owed.Amount), &o.Owed.Currency); err != nil {
			return nil, fmt.Errorf("line %d: %w", i, err)
		}
		o.Outstanding.Currency = o.Owed.Currency
		if err := readStrings(line[3:4], (*string)(&o.Outstanding.Amount)); err != nil {
			var pair []json.RawMessage
			if json.Unmarshal(line[3], &pair) != nil || len(pair) != 2 ||
				readStrings(pair, (*string)(&o.Outstanding.Amount), &o.Outstanding.Currency) != nil {
				return nil, fmt.Errorf("%w: line %d: outstanding %s", errLedger, i, line[3])
			}
		}
		if len(line) == 4 {
			o.Deadline = out[i-1].Deadline // as the line before's
		} else if o.Deadline, err = readInstant(line[4]); err != nil {
			return nil, fmt.Errorf("line %d: deadline: %w", i, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// readInstant reads an instant stored by appendInstant.
func readInstant(raw json.RawMessage) (time.Time, error) {
	if len(raw) > 0 && raw[0] == '"' { // a string; most instants are numbers, not tried as one first
		var text string
		if json.Unmarshal(raw, &text) == nil {
			if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%w: instant %s", errLedger, raw)
	}
	s, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: instant %s", errLedger, raw)
	}
	return time.Unix(s, 0).UTC(), nil
}

// readStrings reads JSON strings into into, one each.
func readStrings(raws []json.RawMessage, into ...*string) error {
	for i, raw := range raws {
		if err := json.Unmarshal(raw, into[i]); err != nil {
			return fmt.Errorf("%w: %s is not a string", errLedger, raw)
		}
	}
	return nil
}
