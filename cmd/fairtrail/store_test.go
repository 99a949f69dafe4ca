package main

import "testing"

func TestRedactURL(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"password hidden", "esdb://admin:changeit@a:2113,b:2113?tls=true", "esdb://admin:***@a:2113,b:2113?tls=true"},
		{"discover form", "esdb+discover://u:p@cluster.example.org:2113", "esdb+discover://u:***@cluster.example.org:2113"},
		{"no credentials kept as is", "esdb://127.0.0.1:2113?tls=false", "esdb://127.0.0.1:2113?tls=false"},
		{"user without password kept as is", "esdb://admin@a:2113", "esdb://admin@a:2113"},
		{"a directory kept as is", "./fairtrail-data", "./fairtrail-data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := redactURL(tc.in); got != tc.want {
				t.Fatalf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
