package api_test

import (
	"net/http"
	"testing"

	"github.com/fairtrail/fairtrail/api"
)

// BenchmarkWorkerFlags is GET /v1/flags?worker= through the whole handler chain (authentication, the access
// log line, the catch-up check, the worker's parties and its flags read from the persisted model), as serve
// runs it over the embedded store (the sole writer): its time and allocations per request.
func BenchmarkWorkerFlags(b *testing.B) {
	f := newFixture(b, true, func(c *api.Config) { c.SoleWriter = true })
	const path = "/v1/flags?worker=w-a1"
	if w := f.get(path, "admin"); w.Code != http.StatusOK || w.Body.Len() < 100 {
		b.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if w := f.get(path, "admin"); w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
	}
}
