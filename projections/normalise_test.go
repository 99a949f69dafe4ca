package projections

import (
	"strings"
	"testing"
)

// FuzzNormalise holds normalise, which returns a text already normalised as it is, to the lower-cased words
// joined by single spaces it stands for.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"", "welder", "Welder", "general worker", "general  worker", " welder", "welder ",
		"a\tb", "a\nb", "café", "a\u00a0b", "A B", "x\u0085y", "z\vz", "w\fw", "r\rr"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalise(s), strings.Join(strings.Fields(strings.ToLower(s)), " "); got != want {
			t.Fatalf("normalise(%q) = %q, want %q", s, got, want)
		}
	})
}
