package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// errUnbalanced reports a JSON value whose brackets or strings do not close.
var errUnbalanced = errors.New("unbalanced JSON value")

// indenter lays JSON values out as json.Indent does with its prefix and indent, byte for byte, in one pass over
// each value. json.Indent runs its validating scanner's state machine on every byte, which made it half the
// CPU of a listing of every flag (`flags --format json`); the values a listing indents are the read model's
// own JSON, written by encoding/json, so here only the structure is followed: a value whose brackets or
// strings do not close is refused (errUnbalanced), and other malformed input is laid out as it comes rather
// than reported. Its newlines, with their prefix and indents, are cut from one slice, grown as depth needs.
type indenter struct {
	head  int    // len("\n") + len(prefix)
	step  int    // len(indent)
	lines []byte // "\n", prefix, then indent again and again: depth d's newline is its first head+d*step bytes
}

// newIndenter returns an indenter with json.Indent's prefix and indent.
func newIndenter(prefix, indent string) *indenter {
	lines := "\n" + prefix + strings.Repeat(indent, 16)
	return &indenter{head: 1 + len(prefix), step: len(indent), lines: []byte(lines)}
}

// appendIndented appends src laid out as json.Indent(dst, src, prefix, indent) lays it out (see indenter).
func appendIndented(dst []byte, src, prefix, indent string) ([]byte, error) {
	return newIndenter(prefix, indent).append(dst, []byte(src))
}

// append appends src, a JSON value, laid out (whitespace before the value dropped, after it kept, as
// json.Indent does).
func (in *indenter) append(dst, src []byte) ([]byte, error) {
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
			dst = in.newline(dst, depth)
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
			dst = in.newline(append(dst, c), depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false // an empty object or array stays as it is
			} else {
				if depth--; depth < 0 {
					return dst, fmt.Errorf("%w: %q closes what did not open", errUnbalanced, c)
				}
				dst = in.newline(dst, depth)
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

// newline appends a newline, the prefix and depth times the indent, as json.Indent does.
func (in *indenter) newline(dst []byte, depth int) []byte {
	n := in.head + depth*in.step
	for len(in.lines) < n {
		in.lines = append(in.lines, in.lines[in.head:in.head+in.step]...)
	}
	return append(dst, in.lines[:n]...)
}

// stringEnd is the index just past the JSON string that opens at src[i] (a '"'), or -1 when it does not close:
// the first '"' after i that an even number of backslashes precedes.
func stringEnd(src []byte, i int) int {
	for j := i + 1; ; {
		q := bytes.IndexByte(src[j:], '"')
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
