package readmodel

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// A rollup row's months of wages are a histogram, stored as the JSON of a map[string]int64 (workers by value).
// A catch-up reads and writes again every row a worker counts under, and at scale these histograms hold
// thousands of values: encoding/json's reflection and sorting of map keys were most of a post's CPU. These
// write and read exactly what encoding/json does, without them, for the text the model writes; anything else
// is left to encoding/json.

// encodeHistogram is counts' JSON, byte for byte as json.Marshal writes it.
func encodeHistogram(counts map[string]int64) string {
	if counts == nil {
		return "null"
	}
	keys := slices.Sorted(maps.Keys(counts))
	size := 2
	for _, k := range keys {
		if !plainKey(k) {
			b, _ := json.Marshal(counts) // integers: cannot fail
			return string(b)
		}
		size += len(k) + 24
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), k...), '"', ':')
		b = strconv.AppendInt(b, counts[k], 10)
	}
	return string(append(b, '}'))
}

// plainKey reports whether json.Marshal writes s as itself between quotes: printable ASCII without a quote, a
// backslash or the characters it escapes for HTML.
func plainKey(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// decodeHistogram reads text, the JSON of a map[string]int64, into *into as json.Unmarshal does: its entries
// added to the map (made when nil), a later value of a key replacing an earlier one. text in the form
// encodeHistogram writes is read directly, anything else by json.Unmarshal.
func decodeHistogram(text string, into *map[string]int64) error {
	if plainHistogram(text, into) {
		return nil
	}
	return json.Unmarshal([]byte(text), into)
}

// plainHistogram reads text into into when it is a JSON object without spaces whose keys are plain (plainKey)
// and whose values are integers in int64's range, and reports whether it was (into is untouched when not).
func plainHistogram(text string, into *map[string]int64) bool {
	if len(text) < 2 || text[0] != '{' || text[len(text)-1] != '}' {
		return false
	}
	type entry struct {
		k string
		v int64
	}
	var entries []entry
	for rest := text[1 : len(text)-1]; rest != ""; {
		k, v, _, after, ok := histogramEntry(rest)
		if !ok {
			return false // json.Unmarshal reads it (a count written -0, say, as 0)
		}
		entries = append(entries, entry{k, v})
		if rest = after; rest != "" {
			if rest = rest[1:]; rest == "" {
				return false // a trailing comma
			}
		}
	}
	if *into == nil {
		*into = make(map[string]int64, len(entries))
	}
	for _, e := range entries {
		(*into)[e.k] = e.v
	}
	return true
}

// jsonInt reads s when it is a JSON number without fraction or exponent in int64's range.
func jsonInt(s string) (int64, bool) {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" || digits[0] == '0' && len(digits) > 1 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// monthsJSON is the row's histogram of months of wages as the model stores it: as it was read when nothing
// changed it.
func (r *row) monthsJSON() (string, error) {
	if r.lazyMonths && len(r.monthsDelta) == 0 {
		return r.storedMonths, nil
	}
	if r.lazyMonths {
		if merged, ok := mergeHistogram(r.storedMonths, r.monthsDelta); ok {
			r.storedMonths, r.monthsDelta = merged, map[string]int64{}
			return merged, nil
		}
	}
	if err := r.parseMonths(); err != nil {
		return "", err
	}
	return encodeHistogram(r.Months), nil
}

// readMonths reads the row's histogram of months of wages.
func (r *row) readMonths(text string) error {
	if err := decodeHistogram(text, &r.Months); err != nil {
		return fmt.Errorf("rollup months of wages: %w", err)
	}
	return nil
}

// readMonthsLater keeps the row's stored histogram of months of wages to be read only if a change needs it
// (see storedMonths).
func (r *row) readMonthsLater(text string) {
	r.storedMonths, r.lazyMonths, r.monthsDelta = text, true, map[string]int64{}
}

// parseMonths reads a histogram kept by readMonthsLater and applies the changes made since.
func (r *row) parseMonths() error {
	if !r.lazyMonths {
		return nil
	}
	if err := r.readMonths(r.storedMonths); err != nil {
		return err
	}
	if r.Months == nil { // stored as null
		r.Months = map[string]int64{}
	}
	for k, d := range r.monthsDelta {
		if r.Months[k] += d; r.Months[k] == 0 {
			delete(r.Months, k)
		}
	}
	r.storedMonths, r.lazyMonths, r.monthsDelta = "", false, nil
	return nil
}

// months lists the months of wages a row counts, each as often as it is counted.
func (r *row) months() ([]decimal.Decimal, error) {
	if err := r.parseMonths(); err != nil {
		return nil, err
	}
	var out []decimal.Decimal
	for text, n := range r.Months {
		d, err := decimal.NewFromString(text)
		if err != nil {
			return nil, fmt.Errorf("rollup months of wages %q: %w", text, err)
		}
		for range n {
			out = append(out, d)
		}
	}
	return out, nil
}

// mergeHistogram is the text of the histogram stored (in the form encodeHistogram writes: plain keys in
// ascending order) with the changes of delta applied, a count that comes to 0 left out: what parsing it,
// applying them and encoding it again writes, without a map, a sort or an integer written again but the
// changed ones. ok is false for text of another form, which the caller parses.
func mergeHistogram(stored string, delta map[string]int64) (string, bool) {
	if len(stored) < 2 || stored[0] != '{' || stored[len(stored)-1] != '}' {
		return "", false
	}
	keys := slices.Sorted(maps.Keys(delta))
	for _, k := range keys {
		if !plainKey(k) {
			return "", false
		}
	}
	var b strings.Builder
	b.Grow(len(stored) + 24*len(keys))
	b.WriteByte('{')
	sep := func() {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
	}
	put := func(k string, v int64) {
		if v != 0 {
			sep()
			b.WriteString(`"` + k + `":`)
			b.WriteString(strconv.FormatInt(v, 10))
		}
	}
	next, prev, first := 0, "", true
	for rest := stored[1 : len(stored)-1]; rest != ""; {
		k, v, entry, after, ok := histogramEntry(rest)
		if !ok || !first && k <= prev {
			return "", false // not the form encodeHistogram writes: keys in ascending order, each once
		}
		prev, first = k, false
		for ; next < len(keys) && keys[next] < k; next++ {
			put(keys[next], delta[keys[next]])
		}
		if next < len(keys) && keys[next] == k {
			put(k, v+delta[k])
			next++
		} else {
			sep()
			b.WriteString(entry)
		}
		if rest = after; rest != "" {
			if rest = rest[1:]; rest == "" {
				return "", false // a trailing comma
			}
		}
	}
	for ; next < len(keys); next++ {
		put(keys[next], delta[keys[next]])
	}
	b.WriteByte('}')
	return b.String(), true
}

// histogramEntry reads the first entry of rest, the inside of a histogram's text: its key, its count, its text
// ("key":count) and what follows it (empty or from the comma on); ok is false when it is not a plain key and a
// count as encodeHistogram writes them.
func histogramEntry(rest string) (k string, v int64, entry, after string, ok bool) {
	if rest == "" || rest[0] != '"' {
		return "", 0, "", "", false
	}
	end := strings.IndexByte(rest[1:], '"') + 1
	if end <= 0 || end+1 >= len(rest) || rest[end+1] != ':' || !plainKey(rest[1:end]) {
		return "", 0, "", "", false
	}
	n := strings.IndexByte(rest[end+2:], ',')
	if n < 0 {
		n = len(rest) - end - 2
	}
	text := rest[end+2 : end+2+n]
	if v, ok = jsonInt(text); !ok || text == "-0" {
		return "", 0, "", "", false
	}
	return rest[1:end], v, rest[:end+2+n], rest[end+2+n:], true
}
