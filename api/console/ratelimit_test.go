package console

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiterBoundsEachClient(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(c.now, 3, 10*time.Second)
	from := func(addr string) bool {
		r := httptest.NewRequest("GET", "/w/x", nil)
		r.RemoteAddr = addr
		return l.allow(r)
	}
	for i := range 3 {
		if !from("192.0.2.1:1000") {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	if from("192.0.2.1:2000") {
		t.Error("a fourth attempt from the same address (another port) was allowed")
	}
	if !from("192.0.2.2:1000") {
		t.Error("another client was refused")
	}
	c.t = c.t.Add(10 * time.Second)
	if !from("192.0.2.1:1000") || from("192.0.2.1:1000") {
		t.Error("after one interval, want exactly one more attempt")
	}
}
