package domain

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalid is matched (with errors.Is) by every *ValidationError.
var ErrInvalid = errors.New("invalid input")

// FieldError names one invalid field by its JSON path, e.g. "data.amount.currency".
type FieldError struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

func (e FieldError) Error() string { return e.Path + ": " + e.Problem }

// ValidationError lists every invalid field of one input. It matches ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// invalid returns a *ValidationError for one field.
func invalid(path, problem string) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Path: path, Problem: problem}}}
}

// checker accumulates field errors under a JSON path prefix.
type checker struct {
	prefix string
	errs   *[]FieldError
}

func newChecker(prefix string) checker { return checker{prefix: prefix, errs: new([]FieldError)} }

func (c checker) path(field string) string { return joinPath(c.prefix, field) }

// at descends into a nested object.
func (c checker) at(field string) checker { return checker{prefix: c.path(field), errs: c.errs} }

// index descends into element i of an array field.
func (c checker) index(field string, i int) checker {
	return checker{prefix: c.path(field) + "[" + strconv.Itoa(i) + "]", errs: c.errs}
}

func (c checker) fail(field, problem string) {
	*c.errs = append(*c.errs, FieldError{Path: c.path(field), Problem: problem})
}

func (c checker) err() error {
	if len(*c.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: *c.errs}
}

// maxID is the longest identifier accepted.
const maxID = 128

// id checks a required identifier: 1-128 characters of letters, digits and . _ - : @, not starting with
// punctuation.
func (c checker) id(field, v string) {
	switch {
	case v == "":
		c.fail(field, "required")
	case len(v) > maxID:
		c.fail(field, "longer than 128 characters")
	case !validID(v):
		c.fail(field, "must be letters, digits and . _ - : @ only, starting with a letter or digit")
	}
}

// optionalID checks an identifier that may be absent.
func (c checker) optionalID(field, v string) {
	if v != "" {
		c.id(field, v)
	}
}

func validID(v string) bool {
	for i := 0; i < len(v); i++ {
		b := v[i]
		alnum := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
		if alnum || i > 0 && strings.IndexByte("._-:@", b) >= 0 {
			continue
		}
		return false
	}
	return true
}

// text checks a required free-text field (at most 1000 bytes, no control characters).
func (c checker) text(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.fail(field, "required")
		return
	}
	c.optionalText(field, v)
}

func (c checker) optionalText(field, v string) {
	if len(v) > 1000 {
		c.fail(field, "longer than 1000 bytes")
		return
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			c.fail(field, "contains a control character")
			return
		}
	}
}

// oneOf checks a required enumerated value.
func (c checker) oneOf(field, v string, allowed []string) {
	if v == "" {
		c.fail(field, "required; one of "+strings.Join(allowed, ", "))
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail(field, strconv.Quote(v)+" is not one of "+strings.Join(allowed, ", "))
}

func (c checker) currency(field, v string) {
	switch {
	case v == "":
		c.fail(field, "required (ISO 4217 code, e.g. MYR)")
	case !IsCurrency(v):
		c.fail(field, strconv.Quote(v)+" is not an ISO 4217 currency code")
	}
}

func (c checker) country(field, v string) {
	switch {
	case v == "":
		c.fail(field, "required (ISO 3166-1 alpha-2 code, e.g. NP)")
	case !IsCountry(v):
		c.fail(field, strconv.Quote(v)+" is not an ISO 3166-1 alpha-2 country code")
	}
}

func (c checker) optionalCountry(field, v string) {
	if v != "" {
		c.country(field, v)
	}
}

func (c checker) language(field, v string) {
	switch {
	case v == "":
		c.fail(field, "required (ISO 639-1 code, e.g. ne)")
	case !IsLanguage(v):
		c.fail(field, strconv.Quote(v)+" is not an ISO 639-1 language code")
	}
}

func (c checker) sha256(field, v string) {
	if v == "" {
		return
	}
	if len(v) != 64 || strings.Trim(v, "0123456789abcdef") != "" {
		c.fail(field, "must be 64 lower-case hex digits (SHA-256)")
	}
}

// count checks a required whole number within [lo, hi].
func (c checker) count(field string, v *int, lo, hi int) {
	switch {
	case v == nil:
		c.fail(field, "required")
	case *v < lo || *v > hi:
		c.fail(field, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
}
