package readmodel

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// A rollup row's months of wages are a histogram (workers by value), stored a value to a row in rollup_months
// and read back as the JSON of a map[string]int64 (rollupMonthsSQL). At scale a row's histogram holds thousands
// of values: decodeHistogram reads exactly what encoding/json does, without its reflection, for the text
// SQLite's json_group_object writes; anything else is left to encoding/json.

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
// json_group_object and json.Marshal write (no spaces, plain keys) is read directly, anything else by json.Unmarshal.
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
		k, v, after, ok := histogramEntry(rest)
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

// readMonths reads the row's histogram of months of wages.
func (r *row) readMonths(text string) error {
	if err := decodeHistogram(text, &r.Months); err != nil {
		return fmt.Errorf("rollup months of wages: %w", err)
	}
	return nil
}

// histogramEntry reads the first entry of rest, the inside of a histogram's text: its key, its count and what
// follows it (empty or from the comma on); ok is false when it is not a plain key and a count as
// json_group_object and json.Marshal write them.
func histogramEntry(rest string) (k string, v int64, after string, ok bool) {
	if rest == "" || rest[0] != '"' {
		return "", 0, "", false
	}
	end := strings.IndexByte(rest[1:], '"') + 1
	if end <= 0 || end+1 >= len(rest) || rest[end+1] != ':' || !plainKey(rest[1:end]) {
		return "", 0, "", false
	}
	n := strings.IndexByte(rest[end+2:], ',')
	if n < 0 {
		n = len(rest) - end - 2
	}
	text := rest[end+2 : end+2+n]
	if v, ok = jsonInt(text); !ok || text == "-0" {
		return "", 0, "", false
	}
	return rest[1:end], v, rest[end+2+n:], true
}
