package notes

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fairtrail/fairtrail/domain"
)

// MaxBytes is the longest note accepted, in bytes of UTF-8.
const MaxBytes = 16 << 10

// Validate checks a note's text: not blank, valid UTF-8, at most MaxBytes bytes, and no control characters but
// tab, line feed and carriage return. The problem never quotes the text, so it can be logged.
func Validate(text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return fmt.Errorf("%w: the note is empty", domain.ErrInvalid)
	case len(text) > MaxBytes:
		return fmt.Errorf("%w: the note is %d bytes; at most %d", domain.ErrInvalid, len(text), MaxBytes)
	case !utf8.ValidString(text):
		return fmt.Errorf("%w: the note is not valid UTF-8 (byte %d)", domain.ErrInvalid, invalidAt(text))
	}
	for i, r := range text {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return fmt.Errorf("%w: the note holds the control character U+%04X at byte %d", domain.ErrInvalid, r, i+1)
		}
	}
	return nil
}

// Problem is Validate's problem without the ErrInvalid prefix, to put under a field's name.
func Problem(err error) string {
	return strings.TrimPrefix(err.Error(), domain.ErrInvalid.Error()+": ")
}

// invalidAt is the 1-based byte offset of the first byte that is not valid UTF-8.
func invalidAt(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i + 1
		}
		i += n
	}
	return 0
}

// ValidHash reports whether h is a note hash as events carry it: 64 lower-case hex digits.
func ValidHash(h string) bool {
	return len(h) == 64 && strings.Trim(h, "0123456789abcdef") == ""
}

// checkWorker checks a worker id as the events' worker_id.
func checkWorker(worker string) error {
	if worker == "" {
		return fmt.Errorf("%w: worker_id: required", domain.ErrInvalid)
	}
	if len(worker) > 128 || strings.ContainsFunc(worker, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: worker_id: not a worker id", domain.ErrInvalid)
	}
	return nil
}
