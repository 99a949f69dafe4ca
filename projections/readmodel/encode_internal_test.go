package readmodel

import "testing"

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
