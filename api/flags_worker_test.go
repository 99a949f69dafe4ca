package api_test

import (
	"testing"
)

// TestWorkerFlagsScopedAsWorker: GET /v1/flags?worker=W decides a 404 and the caller's access from the parties
// the persisted model records of W, where GET /v1/workers/W and a flags query under a time filter decide them
// on a view of W's events. For every key and worker, before and after the parties of a job order change (a
// job order issued after its workers were recruited, an agency engaged after the recruitment), the three
// answer with the same status.
func TestWorkerFlagsScopedAsWorker(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	workers := []string{"w-a1", "w-a2", "w-b1", "w-ab1", "w-l1", "w-l2", "w-none"}
	check := func(phase string) {
		t.Helper()
		for _, k := range scenarioKeys {
			for _, w := range workers {
				want := f.get("/v1/workers/"+w, k.name).Code
				for _, p := range []string{"/v1/flags?worker=" + w, "/v1/flags?known_at=2100-01-01T00:00:00Z&worker=" + w} {
					if got := f.get(p, k.name).Code; got != want {
						t.Errorf("%s: GET %s as %s: %d, where GET /v1/workers/%s answers %d", phase, p, k.name, got, w, want)
					}
				}
			}
		}
	}
	check("the scenario")
	// Workers recruited for a job order not issued yet: only their recruiter (and admin) reads them.
	f.mustPost("admin", []map[string]any{recruit(40, "w-l1", "jo-late", "ag-b"), recruit(41, "w-l2", "jo-late", "sub-a"),
		fee(42, "w-l1", "recruitment_fee", "1000.00")})
	check("recruited for a job order not issued")
	// The job order issued, and agencies engaged after the recruitments: their parties read the workers now.
	f.mustPost("admin", []map[string]any{issue(43, "jo-late", "emp-b", "buyer-a"), engage(44, "jo-late", "ag-a", "emp-b"),
		engage(45, "jo-b", "sub-a", "emp-b")})
	check("the job orders' parties changed")
	if got := f.get("/v1/flags?worker=w-l1", "buyerA").Code; got != 200 {
		t.Errorf("buyer-a reads jo-late's worker w-l1: %d, want 200", got)
	}
	if got := f.get("/v1/flags?worker=w-b1", "subA").Code; got != 200 {
		t.Errorf("sub-a, engaged on jo-b, reads its worker w-b1: %d, want 200", got)
	}
}
