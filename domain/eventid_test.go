package domain_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

func TestParseEventIDRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"lower-case v7", "0194c5d6-1000-7219-832a-b4c5d6e7f809", "0194c5d6-1000-7219-832a-b4c5d6e7f809"},
		{"upper-case is lowered", "0194C5D6-1000-7219-832A-B4C5D6E7F809", "0194c5d6-1000-7219-832a-b4c5d6e7f809"},
		{"mixed case v4", "5B0C1D2e-3f40-4a5b-9c6d-7E8F90A1B2C3", "5b0c1d2e-3f40-4a5b-9c6d-7e8f90a1b2c3"},
		{"all ones", "ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := domain.ParseEventID(tc.in)
			if err != nil {
				t.Fatalf("ParseEventID(%q): %v", tc.in, err)
			}
			if got := id.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			again, err := domain.ParseEventID(id.String())
			if err != nil || again != id {
				t.Errorf("ParseEventID(String()) = %v, %v; want %v", again, err, id)
			}
			text, _ := id.MarshalText()
			var fromText domain.EventID
			if err := fromText.UnmarshalText(text); err != nil || fromText != id {
				t.Errorf("UnmarshalText(MarshalText()) = %v, %v; want %v", fromText, err, id)
			}
			if id.IsZero() {
				t.Error("IsZero() = true for a set id")
			}
		})
	}
}

func TestParseEventIDRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"short word", "abc"},
		{"no dashes", "0194c5d610007219832ab4c5d6e7f809"},
		{"dashes in the wrong places", "0194c5d61-000-7219-832a-b4c5d6e7f809"},
		{"one digit short", "0194c5d6-1000-7219-832a-b4c5d6e7f80"},
		{"one digit long", "0194c5d6-1000-7219-832a-b4c5d6e7f8090"},
		{"non-hex digit", "0194c5d6-1000-7219-832a-b4c5d6e7f80g"},
		{"braces", "{0194c5d6-1000-7219-832a-b4c5d6e7f809}"},
		{"urn form", "urn:uuid:0194c5d6-1000-7219-832a-b4c5d6e7f809"},
		{"spaces around", " 0194c5d6-1000-7219-832a-b4c5d6e7f809 "},
		{"plus sign instead of a digit", "+194c5d6-1000-7219-832a-b4c5d6e7f809"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if id, err := domain.ParseEventID(tc.in); err == nil {
				t.Errorf("ParseEventID(%q) = %s, want an error", tc.in, id)
			}
			var id domain.EventID
			if err := id.UnmarshalText([]byte(tc.in)); err == nil {
				t.Errorf("UnmarshalText(%q) succeeded", tc.in)
			}
		})
	}
}

func TestEventIDZero(t *testing.T) {
	var id domain.EventID
	if !id.IsZero() {
		t.Error("IsZero() = false for the zero id")
	}
	if got, want := id.String(), "00000000-0000-0000-0000-000000000000"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewEventID(t *testing.T) {
	at := time.Date(2025, 3, 4, 9, 0, 0, 123_000_000, time.UTC) // Unix ms 1741078800123 = 0x0195606226fb
	tests := []struct {
		name   string
		random []byte
		want   string
	}{
		{"zero random bytes", make([]byte, 10), "01956062-26fb-7000-8000-000000000000"},
		{"all-ones random bytes keep version and variant", bytes.Repeat([]byte{0xff}, 10), "01956062-26fb-7fff-bfff-ffffffffffff"},
		{"counting random bytes", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "01956062-26fb-7001-8203-040506070809"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := domain.NewEventID(at, bytes.NewReader(tc.random))
			if err != nil {
				t.Fatal(err)
			}
			if got := id.String(); got != tc.want {
				t.Errorf("NewEventID = %s, want %s", got, tc.want)
			}
			assertV7(t, id, at)
		})
	}
}

func TestNewEventIDFromRealRandomness(t *testing.T) {
	at := time.Date(2025, 3, 4, 9, 0, 0, 0, time.FixedZone("NPT", 5*3600+45*60))
	seen := map[domain.EventID]bool{}
	for range 100 {
		id, err := domain.NewEventID(at, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		assertV7(t, id, at)
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
}

func TestNewEventIDIsOrderedByTime(t *testing.T) {
	zero := func(ms int64) string {
		id, err := domain.NewEventID(time.UnixMilli(ms), bytes.NewReader(make([]byte, 10)))
		if err != nil {
			t.Fatal(err)
		}
		return id.String()
	}
	a, b := zero(1741078800123), zero(1741078800124)
	if !(a < b) {
		t.Errorf("id at a later millisecond %s does not sort after %s", b, a)
	}
}

func TestNewEventIDShortRandomness(t *testing.T) {
	_, err := domain.NewEventID(time.Now(), strings.NewReader("short"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewEventID with 5 random bytes: err = %v, want io.ErrUnexpectedEOF", err)
	}
}

// assertV7 checks the RFC 9562 layout: 48-bit big-endian Unix milliseconds, version 7, variant 10.
func assertV7(t *testing.T, id domain.EventID, at time.Time) {
	t.Helper()
	var ms [8]byte
	copy(ms[2:], id[:6])
	if got := int64(binary.BigEndian.Uint64(ms[:])); got != at.UnixMilli() {
		t.Errorf("%s: time prefix %d ms, want %d", id, got, at.UnixMilli())
	}
	if v := id[6] >> 4; v != 7 {
		t.Errorf("%s: version %d, want 7", id, v)
	}
	if v := id[8] >> 6; v != 0b10 {
		t.Errorf("%s: variant bits %02b, want 10", id, v)
	}
	s := id.String()
	if s[14] != '7' || !strings.ContainsRune("89ab", rune(s[19])) {
		t.Errorf("%s: text form lacks version 7 or variant 8-b", s)
	}
}
