package query

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// TimeProblem is what is wrong with a time that ParseTime refuses.
const TimeProblem = "not an RFC 3339 date-time or a date (2006-01-02)"

// ParseTime reads a time filter's value: an RFC 3339 date-time, or a date meaning the end of that day (UTC).
// The empty string is the zero time (no restriction); ok is false for anything else it cannot read.
func ParseTime(s string) (t time.Time, ok bool) {
	if s == "" {
		return time.Time{}, true
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return time.Time{}, false
	}
	return d.LastInstant().UTC(), true
}

// ParseFilter reads --as-of / as_of and --known-at / known_at; each field error is named by the front end's
// name for it.
func ParseFilter(asOfName, asOf, knownAtName, knownAt string) (projections.Filter, []domain.FieldError) {
	var f projections.Filter
	var fields []domain.FieldError
	var ok bool
	if f.AsOf, ok = ParseTime(asOf); !ok {
		fields = append(fields, domain.FieldError{Path: asOfName, Problem: TimeProblem})
	}
	if f.KnownAt, ok = ParseTime(knownAt); !ok {
		fields = append(fields, domain.FieldError{Path: knownAtName, Problem: TimeProblem})
	}
	return f, fields
}
