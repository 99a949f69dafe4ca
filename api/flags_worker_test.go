package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
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

// TestAnswersCarryTheirLength: an answer held whole in memory is sent with its Content-Length, not in chunks
// (which cost a second write to the connection after the handler returned), from the first byte past net/http's
// own buffer (2 KB, under which it counts the length itself): a worker's flags, a flags page, the OpenAPI
// document.
func TestAnswersCarryTheirLength(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	var fees []map[string]any // a fee flag each: w-a1's flags past 2 KB
	for n := range 8 {
		fees = append(fees, fee(60+n, "w-a1", "recruitment_fee", "1000.00"))
	}
	f.mustPost("admin", fees)
	srv := httptest.NewServer(f.srv)
	defer srv.Close()
	for _, p := range []string{"/v1/flags?worker=w-a1", "/v1/flags?page_size=1000", "/openapi.yaml"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.key["admin"])
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(body) <= 2048 || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) > 0 {
			t.Errorf("GET %s: %d, Content-Length %d, transfer encoding %v, %d bytes of body; want more than 2 KB, "+
				"its length and no chunks", p, resp.StatusCode, resp.ContentLength, resp.TransferEncoding, len(body))
		}
	}
}
