package main

import (
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

func TestTableFitsTheWidth(t *testing.T) {
	t.Parallel()
	tbl := func() *table {
		t := newTable("TIME", "CODE", "NOTE").priority(2, 0).priority(1, 1)
		t.add("2024-04-03 00:00", "contract.substitution", "a long note that is the first thing to go")
		t.add("2024-04-04 00:00", "fee.prohibited", "short")
		return t
	}
	cases := []struct {
		name    string
		width   int
		want    []string // in the output
		notWant []string
	}{
		{"no limit prints every cell whole", 0, []string{"a long note that is the first thing to go"}, []string{ellipsis}},
		{"a wide limit changes nothing", 200, []string{"a long note that is the first thing to go"}, []string{ellipsis}},
		{"the lowest priority is cut first", 50, []string{"contract.substitution", "a long n…"}, nil},
		{"then the next, the highest kept whole", 30, []string{"2024-04-03 00:00", "contra…", "a …"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := tbl().write(&b, tc.width); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if tc.width > 0 && uniseg.StringWidth(line) > tc.width {
					t.Errorf("line of %d columns, limit %d: %q", uniseg.StringWidth(line), tc.width, line)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		width    int
		want     string
	}{
		{"fits", "abc", 3, "abc"},
		{"cut with an ellipsis", "abcdef", 4, "abc…"},
		{"wide runes count double", "日本語テキスト", 5, "日本…"},
		{"combining marks stay with their letter", "cafe\u0301 noir", 5, "cafe\u0301…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cut(tc.in, tc.width); got != tc.want {
				t.Fatalf("cut(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	got := wrap("The worker paid 80000.00 NPR to agency-np by cash.", "  ", 20)
	want := []string{"  The worker paid", "  80000.00 NPR to", "  agency-np by cash."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("wrap: %q, want %q", got, want)
	}
	if got := wrap("one two", "", 0); len(got) != 1 {
		t.Fatalf("no limit: %q", got)
	}
}
