package domain

import (
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

// ParseInstant reads an RFC 3339 date-time, as occurred_at must be.
func ParseInstant(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

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
	if _, err := ParseDate(v); err != nil {
		c.fail(field, "not a date (2006-01-02) or RFC 3339 date-time: "+v)
	}
}
