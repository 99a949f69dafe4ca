package domain

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// stringProblem checks the body of one JSON string token (the bytes between its quotes, escapes as written).
// encoding/json would replace invalid UTF-8 and lone UTF-16 surrogates with U+FFFD, so the bytes stored and
// hashed would differ from those the client sent: such strings are refused. It describes the first invalid UTF-8 byte or unpaired
// surrogate escape, or returns "".
func stringProblem(body []byte) string {
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body) && body[i+1] == 'u':
			n, ok := surrogateEscape(body, i)
			if !ok {
				return fmt.Sprintf("contains a lone UTF-16 surrogate (\\u%s), which is not a character", body[i+2:i+6])
			}
			i += n
		case c == '\\':
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size <= 1 {
				return fmt.Sprintf("is not valid UTF-8 (byte %d of the string)", i+1)
			}
			i += size
		}
	}
	return ""
}

// surrogateEscape reads the \uXXXX escape at body[i:] and, when it is a high surrogate, the low surrogate escape
// that must follow it. It returns the bytes consumed and false for a surrogate without its pair. (The JSON is
// already known to be valid, so the four hex digits are there.)
func surrogateEscape(body []byte, i int) (int, bool) {
	first, ok := hex4(body, i)
	if !ok {
		return 6, true
	}
	switch {
	case first >= 0xDC00 && first <= 0xDFFF:
		return 6, false
	case first < 0xD800 || first > 0xDBFF:
		return 6, true
	}
	if i+7 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
		if second, ok := hex4(body, i+6); ok && second >= 0xDC00 && second <= 0xDFFF {
			return 12, true
		}
	}
	return 6, false
}

// hex4 parses the four hex digits of the \uXXXX escape at body[i:].
func hex4(body []byte, i int) (rune, bool) {
	if i+6 > len(body) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
	return rune(v), err == nil
}
