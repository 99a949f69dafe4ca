package domain

import (
	"errors"
	"time"
)

// Date is a day or an instant, for fields such as effective_from: "2024-01-01" (midnight UTC) or an RFC 3339
// date-time.
type Date struct {
	time.Time
	// DayOnly is true when the value was given as a full date without a time.
	DayOnly bool
}

// ParseDate reads "2006-01-02" or an RFC 3339 date-time.
func ParseDate(s string) (Date, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return Date{Time: t, DayOnly: true}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Date{}, err
	}
	return Date{Time: t}, nil
}

// mustDate parses a validated date field; the zero Date for an empty one.
func mustDate(s string) Date {
	d, _ := ParseDate(s)
	return d
}

// LastInstant is the last instant the date covers: the end of the day for a full date, else the instant.
func (d Date) LastInstant() time.Time {
	if d.DayOnly {
		return d.Time.Add(24*time.Hour - time.Nanosecond)
	}
	return d.Time
}

// ParseInstant reads an RFC 3339 date-time, as occurred_at must be, written as RFC 3339 writes one.
func ParseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil && !rfc3339Shape(s) {
		return time.Time{}, errNotRFC3339
	}
	return t, err
}

var errNotRFC3339 = errors.New("not an RFC 3339 date-time")

// rfc3339Shape reports whether a date-time that time.Parse's RFC 3339 layout accepted is written as RFC 3339
// (section 5.6) requires. The parser also accepts a one-digit hour ("T9:00:00Z"), a comma before the fraction
// of a second and an offset of 24 hours or more; those are refused on input. Stored events are read with the
// parser alone (mustDate), so that nothing stored reads differently.
func rfc3339Shape(s string) bool {
	if len(s) < len("2006-01-02T15:04:05Z") || s[13] != ':' || s[16] != ':' {
		return false
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	switch {
	case rest == "Z":
		return true
	case len(rest) == len("+07:00") && (rest[0] == '+' || rest[0] == '-'):
		return rest[1] < '2' || rest[1] == '2' && rest[2] < '4' // minutes and digits the parser checked
	}
	return false
}

// date checks a required date field.
func (c checker) date(field, v string) {
	if v == "" {
		c.fail(field, "required (a date 2006-01-02 or an RFC 3339 date-time)")
		return
	}
	c.optionalDate(field, v)
}

func (c checker) optionalDate(field, v string) {
	if v == "" {
		return
	}
	if d, err := ParseDate(v); err != nil || !d.DayOnly && !rfc3339Shape(v) {
		c.fail(field, "not a date (2006-01-02) or RFC 3339 date-time: "+v)
	}
}
