package domain

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"time"
)

// EventID is an event's UUID: its idempotency key.
type EventID [16]byte

var errEventID = errors.New("must be a UUID such as 0190b6a4-3f5e-7c1a-9d2b-4e5f6a7b8c9d")

// ParseEventID reads the canonical 8-4-4-4-12 hex form, in either case.
func ParseEventID(s string) (EventID, error) {
	var id EventID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, errEventID
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(hexDigits)); err != nil {
		return id, errEventID
	}
	return id, nil
}

// NewEventID makes a UUIDv7 (RFC 9562) from the time t and 10 random bytes read from rnd.
func NewEventID(t time.Time, rnd io.Reader) (EventID, error) {
	var id EventID
	if _, err := io.ReadFull(rnd, id[6:]); err != nil {
		return id, err
	}
	ms := uint64(t.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(id[0:6], ts[2:8])
	id[6] = id[6]&0x0f | 0x70
	id[8] = id[8]&0x3f | 0x80
	return id, nil
}

// IsZero reports whether the id is unset.
func (id EventID) IsZero() bool { return id == EventID{} }

// String gives the lower-case 8-4-4-4-12 form.
func (id EventID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// MarshalText writes the canonical form.
func (id EventID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText reads the canonical form.
func (id *EventID) UnmarshalText(b []byte) error {
	v, err := ParseEventID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
