package main

import (
	"errors"
	"fmt"
	"strings"
)

// errUnbalanced reports a JSON value whose brackets or strings do not close.
var errUnbalanced = errors.New("unbalanced JSON value")

// appendIndented appends src, a valid JSON value, to dst laid out as json.Indent(dst, src, prefix, indent) lays
// it out, byte for byte (whitespace before the value dropped, after it kept), in one pass over src. json.Indent runs its validating scanner's state machine on every
// byte, which made it half the CPU of a listing of every flag (`flags --format json`, 9 us of a flag's 27 us at
// 10,000 workers); the flags a listing indents are the read model's own JSON, written by encoding/json, so
// here only the structure is followed: a src whose brackets or strings do not close is refused
// (errUnbalanced), and other malformed input is laid out as it comes rather than reported.
func appendIndented(dst []byte, src, prefix, indent string) ([]byte, error) {
	depth, start := 0, len(dst)
	needIndent := false // after '{' or '[': a newline is due unless the bracket closes at once
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			if depth == 0 && !needIndent && len(dst) > start {
				dst = append(dst, c) // after the value: kept, as json.Indent keeps it
			}
			continue
		}
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			dst = appendNewline(dst, prefix, indent, depth)
		}
		switch c {
		case '"':
			end := stringEnd(src, i)
			if end < 0 {
				return dst, fmt.Errorf("%w: a string does not close", errUnbalanced)
			}
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = appendNewline(append(dst, c), prefix, indent, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false // an empty object or array stays as it is
			} else {
				if depth--; depth < 0 {
					return dst, fmt.Errorf("%w: %q closes what did not open", errUnbalanced, c)
				}
				dst = appendNewline(dst, prefix, indent, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	if depth != 0 || needIndent {
		return dst, fmt.Errorf("%w: a bracket does not close", errUnbalanced)
	}
	return dst, nil
}

// stringEnd is the index just past the JSON string that opens at src[i] (a '"'), or -1 when it does not close:
// the first '"' after i that an even number of backslashes precedes.
func stringEnd(src string, i int) int {
	for j := i + 1; ; {
		q := strings.IndexByte(src[j:], '"')
		if q < 0 {
			return -1
		}
		q += j
		escaped := false
		for k := q - 1; k > i && src[k] == '\\'; k-- {
			escaped = !escaped
		}
		if !escaped {
			return q + 1
		}
		j = q + 1
	}
}

// appendNewline appends a newline, prefix and depth times indent, as json.Indent does.
func appendNewline(dst []byte, prefix, indent string, depth int) []byte {
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	for range depth {
		dst = append(dst, indent...)
	}
	return dst
}
