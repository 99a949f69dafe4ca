package readmodel

import (
	"encoding/json"
	"testing"
)

// TestSameList: encodeFlags reuses a buyers list's JSON only for the very same list, and never between nil
// (null) and an empty list ([]).
func TestSameList(t *testing.T) {
	t.Parallel()
	shared := []string{"b-1", "b-2"}
	tests := []struct {
		name string
		a, b []string
		want bool
	}{
		{"the same list", shared, shared, true},
		{"equal elements of another array", shared, []string{"b-1", "b-2"}, false},
		{"a shorter view of the same array", shared, shared[:1], false},
		{"both nil", nil, nil, true},
		{"both empty", []string{}, []string{}, true},
		{"nil and empty", nil, []string{}, false},
		{"empty and nil", []string{}, nil, false},
	}
	for _, tc := range tests {
		if got := sameList(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: sameList = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestJSONList: a list's JSON is what encoding/json writes of it, "[]" for nil, escaping HTML, quotes and
// what is not printable ASCII.
func TestJSONList(t *testing.T) {
	t.Parallel()
	for _, list := range [][]string{nil, {}, {"a-1"}, {"b-1", "b-2", ""}, {"a<b"}, {"x&y", "z"}, {`q"uote`},
		{`back\\slash`}, {"tab\t"}, {"café"}, {"line\u2028sep"}, {"ok", "a>b"}} {
		want, err := json.Marshal(orEmpty(list))
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonList(list); got != string(want) {
			t.Errorf("jsonList(%q) = %s, want %s", list, got, want)
		}
	}
}
