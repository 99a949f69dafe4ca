package domain

import (
	"encoding/json"
	"strconv"
)

// checkKeys scans JSON text and reports the first string that is not valid UTF-8 text (see stringProblem), and
// the first object key that is not lower case or that repeats a key of the same object. encoding/json matches keys case-insensitively and keeps the last of repeated keys; both
// would let the stored (canonical) event differ from what a reader of the submission sees. Every key of the
// catalogue is lower-case snake_case, but for the currency codes that key ExchangeRatesPublished's rates
// (validated as such). The text must already be valid JSON.
func checkKeys(b []byte, prefix string) *ValidationError {
	s := keyScanner{b: b}
	return s.value(prefix)
}

// ratesPath is the one object whose keys are not field names: ExchangeRatesPublished's rates.
const ratesPath = "data.rates"

type keyScanner struct {
	b []byte
	i int
}

func (s *keyScanner) skipSpace() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *keyScanner) value(path string) *ValidationError {
	s.skipSpace()
	if s.i >= len(s.b) {
		return nil
	}
	switch s.b[s.i] {
	case '{':
		return s.object(path)
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.skipSpace()
			if s.i >= len(s.b) || s.b[s.i] == ']' {
				s.i++
				return nil
			}
			if err := s.value(path + "[" + strconv.Itoa(n) + "]"); err != nil {
				return err
			}
			s.skipSpace()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
	case '"':
		if _, problem := s.str(); problem != "" {
			return invalid(path, problem)
		}
	default:
		for s.i < len(s.b) && !isDelim(s.b[s.i]) {
			s.i++
		}
	}
	return nil
}

func isDelim(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

func (s *keyScanner) object(path string) *ValidationError {
	s.i++
	var keys []string
	for {
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] == '}' {
			s.i++
			return nil
		}
		key, problem := s.str()
		if problem != "" {
			return invalid(path, "a key "+problem)
		}
		child := joinPath(path, key)
		for _, k := range keys {
			if k == key {
				return invalid(child, "duplicate key (each key may appear once per object)")
			}
		}
		if !lowerKey(key) && path != ratesPath {
			return invalid(child, "unknown field (field names are lower case)")
		}
		keys = append(keys, key)
		s.skipSpace()
		s.i++ // ':'
		if err := s.value(child); err != nil {
			return err
		}
		s.skipSpace()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
		}
	}
}

// str reads a string token and returns its value, and the problem of its bytes if any.
func (s *keyScanner) str() (string, string) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		s.i++
		switch {
		case c == '\\':
			escaped = true
			s.i++
		case c == '"':
			raw := s.b[start:s.i]
			problem := stringProblem(raw[1 : len(raw)-1])
			if !escaped {
				return string(raw[1 : len(raw)-1]), problem
			}
			var v string
			_ = json.Unmarshal(raw, &v)
			return v, problem
		}
	}
	return string(s.b[start:]), ""
}

func lowerKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= 'A' && k[i] <= 'Z' {
			return false
		}
	}
	return true
}

func joinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}
