package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// indentSeeds are JSON values of the shapes a listing indents: flags with nested details, empty objects and
// arrays, escapes, and whitespace json.Indent drops.
var indentSeeds = []string{
	`{"code":"fee.worker_paid","worker_id":"w-000001","job_order_id":"jo-1","buyer_ids":["buyer-1","b-2"],"event_ids":[],"raised_at":"2025-01-02T03:04:05.5Z","details":{"amount":{"value":"12.50","currency":"USD"},"rules":[{"policy":"p-1","cap":null}]}}`,
	`{"a":{},"b":[],"c":[{}],"d":[[]],"e":{"f":[1,2.5e-3,-0,true,false,null]}}`,
	`{"s":"a \"quoted\" , : { [ } ] \\ backslash","u":"\u2028 \u00e9 \n"}`,
	` { "spaced" : [ 1 , 2 ] , "t" : "x" } `,
	`[]`, `{}`, `"lone"`, `12`, `[[[["deep"]]]]`,
}

func TestAppendIndentedLaysOutAsJSONIndent(t *testing.T) {
	t.Parallel()
	for _, src := range indentSeeds {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			checkIndented(t, src)
		})
	}
}

func TestAppendIndentedRefusesUnbalancedValues(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"an object that does not close": `{"a":[1,2]`,
		"a string that does not close":  `{"a":"b}`,
		"a bracket closing nothing":     `{"a":1}}`,
		"an array left open":            `[`,
		"an escape at the very end":     `"ab\`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := appendIndented(nil, src, "  ", "  "); !errors.Is(err, errUnbalanced) {
				t.Errorf("appendIndented(%q) = %v, want errUnbalanced", src, err)
			}
		})
	}
}

func FuzzAppendIndented(f *testing.F) {
	for _, s := range indentSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if !json.Valid([]byte(src)) {
			appendIndented(nil, src, "  ", "  ") // must not panic
			return
		}
		checkIndented(t, src)
	})
}

// checkIndented fails unless appendIndented lays src (valid JSON) out as json.Indent does, after what dst held.
func checkIndented(t *testing.T, src string) {
	t.Helper()
	var want bytes.Buffer
	want.WriteString("head")
	if err := json.Indent(&want, []byte(src), "  ", "  "); err != nil {
		t.Fatalf("json.Indent(%q): %v", src, err)
	}
	got, err := appendIndented([]byte("head"), src, "  ", "  ")
	if err != nil {
		t.Fatalf("appendIndented(%q): %v", src, err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("appendIndented(%q) =\n%s\nwant\n%s", src, got, want.Bytes())
	}
}

// BenchmarkAppendIndented lays out a flag of a listing, against json.Indent.
func BenchmarkAppendIndented(b *testing.B) {
	src := indentSeeds[0]
	b.Run("appendIndented", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = appendIndented(buf[:0], src, "  ", "  ")
		}
	})
	b.Run("json.Indent", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			json.Indent(&buf, []byte(src), "  ", "  ")
		}
	})
}
