package projections

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fairtrail/fairtrail/domain"
)

// The details' and flags' JSON is appended by hand (a rebuild encodes every flag of the store, and
// encoding/json's reflection was most of that cost), byte for byte as encoding/json writes it without HTML
// escaping: members in the order of the struct's fields, under their tag's names, omitempty honoured, strings
// escaped as encoding/json escapes them, times as time.Time.MarshalJSON writes them. The struct tags stay the
// reference: FuzzDetailsJSON compares each appender with encoding/json on the same struct stripped of its
// methods.

// hexDigits are the digits of a \u00XX escape.
const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string, as encoding/json writes it with HTML escaping off: quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscape(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendEscape appends the escape of an ASCII byte a JSON string may not hold as it is.
func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// appendJSONTime appends t as time.Time.MarshalJSON writes it (RFC 3339 with nanoseconds, in t's own zone),
// and fails as it does, for a year outside 0-9999 or a zone offset that is not whole minutes.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	out, err := t.AppendText(append(b, '"'))
	if err != nil {
		return b, err
	}
	return append(out, '"'), nil
}

// jsonObject appends a JSON object's members one at a time: members after the first are preceded by a comma.
// The first error (a time that does not encode) is kept and returned by end.
type jsonObject struct {
	b       []byte
	members int
	err     error
}

// openObject starts an object at the end of b.
func openObject(b []byte) jsonObject { return jsonObject{b: append(b, '{')} }

// key appends a member's name.
func (o *jsonObject) key(k string) {
	if o.members > 0 {
		o.b = append(o.b, ',')
	}
	o.members++
	o.b = append(append(append(o.b, '"'), k...), '"', ':')
}

// str appends a string member.
func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = AppendJSONString(o.b, v)
}

// strOmit appends a string member unless it is empty (omitempty).
func (o *jsonObject) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

// int appends an integer member.
func (o *jsonObject) int(k string, v int) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(v), 10)
}

// time appends a time member.
func (o *jsonObject) time(k string, t time.Time) {
	o.key(k)
	if o.err != nil {
		return
	}
	o.b, o.err = appendJSONTime(o.b, t)
}

// strs appends a member that is a list of strings (null for nil).
func (o *jsonObject) strs(k string, list []string) {
	o.key(k)
	o.b = appendStrings(o.b, list)
}

// money appends a member that is an amount of money.
func (o *jsonObject) money(k string, m domain.Money) {
	o.key(k)
	o.b = appendJSONMoney(o.b, m)
}

// moneyPtr appends a member that is an amount of money or null.
func (o *jsonObject) moneyPtr(k string, m *domain.Money) {
	o.key(k)
	if m == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = appendJSONMoney(o.b, *m)
}

// raw appends a member whose JSON is v's, as encoding/json writes it with HTML escaping off: the way out for
// values of types no appender knows (a change's before and after may be any term's value).
func (o *jsonObject) raw(k string, v any) {
	o.key(k)
	if o.err != nil {
		return
	}
	o.b, o.err = appendMarshalled(o.b, v)
}

// end closes the object and returns its bytes, or the first error met.
func (o *jsonObject) end() ([]byte, error) {
	return append(o.b, '}'), o.err
}

// array appends a member that is a JSON array of items, each by item (null for a nil slice), and the first error met.
func array[T any](o *jsonObject, k string, items []T, item func([]byte, T) ([]byte, error)) {
	o.key(k)
	if items == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, it := range items {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		if o.err != nil {
			return
		}
		o.b, o.err = item(o.b, it)
	}
	o.b = append(o.b, ']')
}

// appendStrings appends a list of strings (null for nil).
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONMoney appends an amount of money: {"amount":"1500.00","currency":"MYR"}, the currency left out when
// empty.
func appendJSONMoney(b []byte, m domain.Money) []byte {
	o := openObject(b)
	o.str("amount", string(m.Amount))
	o.strOmit("currency", m.Currency)
	b, _ = o.end() // no time: cannot fail
	return b
}

// appendMarshalled appends v's JSON as encoding/json writes it with HTML escaping off.
func appendMarshalled(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// detailsAppender is details that append their own JSON (every code's type in details.go).
type detailsAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// AppendFlagJSON appends a flag's JSON as encoding/json writes a domain.Flag with HTML escaping off, compact:
// details of a code's own type append themselves, details of another type (RawDetails, read back from JSON)
// go through encoding/json.
func AppendFlagJSON(b []byte, f domain.Flag) ([]byte, error) {
	o := openObject(b)
	o.str("code", f.Code)
	o.str("worker_id", f.WorkerID)
	o.str("job_order_id", f.JobOrderID)
	o.strs("buyer_ids", f.BuyerIDs)
	o.strs("event_ids", f.EventIDs)
	o.time("raised_at", f.RaisedAt)
	if len(f.Amounts) > 0 {
		array(&o, "amounts", f.Amounts, func(b []byte, m domain.Money) ([]byte, error) {
			return appendJSONMoney(b, m), nil
		})
	}
	switch d := f.Details.(type) {
	case nil:
		o.key("details")
		o.b = append(o.b, "null"...)
	case detailsAppender:
		o.key("details")
		if o.err == nil {
			o.b, o.err = d.AppendJSON(o.b)
		}
	default:
		o.raw("details", d)
	}
	return o.end()
}
