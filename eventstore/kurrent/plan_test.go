package kurrent

import (
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
)

func TestChunks(t *testing.T) {
	ev := func(size int) eventstore.Planned {
		return eventstore.Planned{Proposed: eventstore.Proposed{Type: "T", Data: make([]byte, size)}}
	}
	cases := []struct {
		name  string
		sizes []int
		max   int
		want  []int // events per chunk
		err   string
	}{
		{"all in one", []int{10, 10, 10}, 2000, []int{3}, ""},
		{"split at the limit", []int{500, 500, 500}, 1600, []int{2, 1}, ""},
		{"one per chunk", []int{900, 900}, 1200, []int{1, 1}, ""},
		{"an event over the limit", []int{10, 5000}, 2000, nil, "over the 2000 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fresh []eventstore.Planned
			for _, n := range tc.sizes {
				fresh = append(fresh, ev(n))
			}
			got, err := chunks(fresh, tc.max)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("%d chunks (%v), want %v", len(got), err, tc.want)
			}
			for i, c := range got {
				if len(c) != tc.want[i] {
					t.Fatalf("chunk %d holds %d events, want %d", i, len(c), tc.want[i])
				}
			}
		})
	}
}
