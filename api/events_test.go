package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fairtrail/fairtrail/api"
)

// appended is the answer to POST /v1/events.
type appended struct {
	Events []struct {
		EventID  string `json:"event_id"`
		Type     string `json:"type"`
		Stream   string `json:"stream"`
		Revision uint64 `json:"revision"`
		Position string `json:"position"`
	} `json:"events"`
	Streams []struct {
		Stream   string `json:"stream"`
		Revision uint64 `json:"revision"`
	} `json:"streams"`
}

// postCase is one POST /v1/events and what must come back.
type postCase struct {
	name   string
	key    string
	body   any // marshalled unless []byte
	status int
	code   string   // error code, for failures
	paths  []string // fields the error must name
	check  func(t *testing.T, w *httptest.ResponseRecorder)
}

func runPosts(t *testing.T, f *fixture, cases []postCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.post(tc.key, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.code != "" {
				errorCode(tc.code, tc.paths...)(t, w)
			}
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
}

func org(n int, id string) map[string]any {
	return ev(uuid(n), "OrganisationRegistered", "2024-01-01T00:00:00Z", map[string]any{"org_id": id, "name": "Org " + id,
		"role": "agency", "country": "NP"})
}

func TestPostEventsShapesAndValidation(t *testing.T) {
	f := newFixture(t, false)
	streams := func(want ...string) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, w *httptest.ResponseRecorder) {
			a := decode[appended](t, w)
			var got []string
			for _, e := range a.Events {
				got = append(got, e.Stream)
				if e.EventID == "" || e.Position == "" {
					t.Errorf("event without id or position: %+v", e)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("streams %v, want %v", got, want)
			}
		}
	}
	badCurrency := org(900, "x")
	badCurrency["type"], badCurrency["data"] = "FeePaid", map[string]any{"worker_id": "w-1", "fee_id": "f", "category": "visa",
		"amount": map[string]any{"amount": "1.00", "currency": "XXQ"}, "payer": "worker", "payee_id": "a", "method": "cash"}
	noTime := org(901, "y")
	delete(noTime, "occurred_at")
	cases := []postCase{
		{name: "one envelope", key: "admin", body: org(1, "o-1"), status: 201, check: streams("org-o-1")},
		{name: "an array", key: "admin", body: []any{org(2, "o-2"), org(3, "o-3")}, status: 201, check: streams("org-o-2", "org-o-3")},
		{name: "events with expected revisions", key: "admin", status: 201, check: streams("org-o-4", "org-o-1"),
			body: map[string]any{"events": []any{org(4, "o-4"), org(5, "o-1")},
				"expected_revision": map[string]any{"org-o-4": "no_stream", "org-o-1": 0}}},
		{name: "an event without an id gets one", key: "admin", body: ev("", "OrganisationRegistered", "2024-01-01T00:00:00Z",
			map[string]any{"org_id": "o-5", "name": "Five", "role": "buyer", "country": "US"}), status: 201, check: streams("org-o-5")},
		{name: "malformed JSON", key: "admin", body: []byte(`[{"type":`), status: 400, code: "invalid_input"},
		{name: "empty body", key: "admin", body: []byte(` `), status: 400, code: "invalid_input"},
		{name: "empty array", key: "admin", body: []any{}, status: 400, code: "invalid_input"},
		{name: "empty events", key: "admin", body: map[string]any{"events": []any{}}, status: 400, paths: []string{"events"}},
		{name: "a scalar", key: "admin", body: []byte(`42`), status: 400},
		{name: "every bad field of every event, by path", key: "admin", body: []any{badCurrency, org(6, "bad id!"), noTime,
			ev(uuid(7), "FeeRefunded", "2024-01-01T00:00:00Z", map[string]any{})}, status: 400, code: "invalid_input",
			paths: []string{"[0].data.amount.currency", "[1].data.org_id", "[2].occurred_at", "[3].type"}},
		{name: "paths inside the events form", key: "admin", body: map[string]any{"events": []any{org(8, "o-8"), noTime}},
			status: 400, paths: []string{"events[1].occurred_at"}},
		{name: "a key repeated in the events form", key: "admin", status: 400, paths: []string{"events"},
			body: []byte(`{"events": [], "events": [` + string(mustJSON(t, org(21, "o-21"))) + `]}`)},
		{name: "a stream repeated in expected_revision", key: "admin", status: 400, paths: []string{"expected_revision.org-o-22"},
			body: []byte(`{"events": [` + string(mustJSON(t, org(22, "o-22"))) + `], "expected_revision": {"org-o-22": 5, "org-o-22": "any"}}`)},
		{name: "unknown field in the events form", key: "admin", status: 400,
			body: map[string]any{"events": []any{org(9, "o-9")}, "expect": map[string]any{}}},
		{name: "a client cannot set recorded_by", key: "admin", status: 400, paths: []string{"recorded_by"},
			body: map[string]any{"event_id": uuid(10), "type": "OrganisationRegistered", "occurred_at": "2024-01-01T00:00:00Z",
				"recorded_by": "someone-else", "data": map[string]any{"org_id": "o-10", "name": "Ten", "role": "buyer", "country": "US"}}},
		{name: "expected revision of a stream not written", key: "admin", status: 400, paths: []string{"expected_revision.org-zzz"},
			body: map[string]any{"events": []any{org(11, "o-11")}, "expected_revision": map[string]any{"org-zzz": 0}}},
		{name: "expected revision not a revision", key: "admin", status: 400, paths: []string{"expected_revision.org-o-12"},
			body: map[string]any{"events": []any{org(12, "o-12")}, "expected_revision": map[string]any{"org-o-12": -1}}},
		{name: "one event id for two different events", key: "admin", status: 400, paths: []string{"[1].event_id"},
			body: []any{org(13, "o-13"), org(13, "o-14")}},
		{name: "the same event twice is stored once", key: "admin", status: 201, body: []any{org(14, "o-14"), org(14, "o-14")},
			check: func(t *testing.T, w *httptest.ResponseRecorder) {
				a := decode[appended](t, w)
				if a.Events[0].Position != a.Events[1].Position {
					t.Errorf("positions %s and %s", a.Events[0].Position, a.Events[1].Position)
				}
			}},
		{name: "a lone surrogate in a name", key: "admin", status: 400, code: "invalid_input", paths: []string{"[1].data.name"},
			body: []byte(`[` + string(mustJSON(t, org(23, "o-23"))) + `,` +
				strings.Replace(string(mustJSON(t, org(24, "o-24"))), `"Org o-24"`, `"Org \ud800"`, 1) + `]`)},
		{name: "invalid UTF-8 in a name", key: "admin", status: 400, code: "invalid_input", paths: []string{"data.name"},
			body: bytes.Replace(mustJSON(t, org(25, "o-25")), []byte("Org o-25"), []byte("Org \xff"), 1)},
		{name: "buyers do not record", key: "buyerA", body: org(15, "o-15"), status: 403, code: "forbidden"},
		{name: "auditors do not record", key: "auditorA", body: org(16, "o-16"), status: 403},
		{name: "metrics keys do not record", key: "metrics", body: org(17, "o-17"), status: 403},
		{name: "no key", key: "", body: org(18, "o-18"), status: 401, code: "unauthenticated"},
		{name: "unknown key", key: "raw:Bearer ft_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", body: org(19, "o-19"), status: 401},
		{name: "revoked key", key: "revoked", body: org(20, "o-20"), status: 401},
	}
	runPosts(t, f, cases)
	// Nothing from a refused request was stored.
	if w := f.get("/v1/flags", "admin"); w.Code != 200 {
		t.Fatal(w.Body)
	}
	for _, org := range []string{"o-8", "o-11", "o-13", "o-15", "o-18", "o-23", "o-24", "o-25"} {
		if n := f.streamLen("org-" + org); n != 0 {
			t.Errorf("refused request stored %d event(s) in org-%s", n, org)
		}
	}
	t.Run("wrong content type", func(t *testing.T) {
		w := f.do("POST", "/v1/events", "admin", []byte(`{}`), map[string]string{"Content-Type": "text/plain"})
		if w.Code != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}

// ratesTable is an ExchangeRatesPublished of the ECB for one day.
func ratesTable(n int, id string) map[string]any {
	return ev(uuid(n), "ExchangeRatesPublished", "2024-01-02T00:00:00Z", map[string]any{"rates_id": id, "source": "ECB",
		"base": "EUR", "date": "2024-01-02", "rates": map[string]any{"USD": "1.0956", "MYR": "5.0412"}})
}

// streamLen counts a stream's stored events.
func (f *fixture) streamLen(stream string) int {
	n := 0
	for _, err := range f.store.ReadStream(f.t.Context(), stream, 0) {
		if err != nil {
			return n
		}
		n++
	}
	return n
}

func TestPostEventsScope(t *testing.T) {
	f := newFixture(t, true)
	issueFor := func(n int, jo, emp string) map[string]any { return issue(n, jo, emp, "buyer-a") }
	cases := []postCase{
		{name: "an employer issues its own job order", key: "empA", body: issueFor(100, "jo-new", "emp-a"), status: 201},
		{name: "an employer issues for another employer", key: "empA", body: issueFor(101, "jo-x", "emp-b"), status: 403,
			code: "forbidden", paths: []string{"data.employer_id"}},
		{name: "an employer takes another's job order id", key: "empA", body: issueFor(102, "jo-b", "emp-a"), status: 404,
			code: "not_found", paths: []string{"data.job_order_id"}},
		{name: "an agency issues a job order", key: "agA", body: issueFor(103, "jo-y", "ag-a"), status: 403},
		{name: "an agency registers an organisation", key: "agA", body: org(104, "o-104"), status: 403, paths: []string{"type"}},
		{name: "an employer publishes exchange rates", key: "empA", body: ratesTable(140, "ecb-2024-01-02"), status: 403,
			code: "forbidden", paths: []string{"type"}},
		{name: "an agency publishes exchange rates", key: "agA", body: ratesTable(141, "ecb-2024-01-03"), status: 403,
			paths: []string{"type"}},
		{name: "an admin publishes exchange rates", key: "admin", body: ratesTable(142, "ecb-2024-01-04"), status: 201},
		{name: "an engaged agency engages a sub-agent", key: "agA", body: engage(105, "jo-a", "sub-z", "ag-a"), status: 201},
		{name: "an agency engages on a job order it is not on", key: "agA", body: engage(106, "jo-b", "ag-a", "ag-a"),
			status: 404, paths: []string{"data.job_order_id"}},
		{name: "an engaged agency may not amend the employer's terms", key: "agA", status: 403, paths: []string{"type"},
			body: ev(uuid(130), "JobOrderAmended", "2024-02-01T00:00:00Z", map[string]any{"job_order_id": "jo-a", "reason": "lower wage",
				"terms": terms("emp-a", "MY")})},
		{name: "its employer amends the terms", key: "empA", status: 201,
			body: ev(uuid(131), "JobOrderAmended", "2024-02-01T00:00:00Z", map[string]any{"job_order_id": "jo-a", "reason": "new season",
				"terms": terms("emp-a", "MY")})},
		{name: "another employer may not close it", key: "empB", status: 404, paths: []string{"data.job_order_id"},
			body: ev(uuid(132), "JobOrderClosed", "2024-12-01T00:00:00Z", map[string]any{"job_order_id": "jo-a", "reason": "filled"})},
		{name: "an agency recruits for its job order", key: "agA", body: recruit(107, "w-new", "jo-a", "ag-a"), status: 201},
		{name: "then records the worker's fee", key: "agA", body: fee(108, "w-new", "visa", "100.00"), status: 201},
		{name: "an agency recruits for another's job order", key: "agB", body: recruit(109, "w-x", "jo-a", "ag-b"), status: 404,
			paths: []string{"data.job_order_id"}},
		{name: "an agency records another tenant's worker's fee", key: "agA", body: fee(110, "w-b1", "visa", "1.00"), status: 404,
			paths: []string{"data.worker_id"}},
		{name: "an agency re-recruits another tenant's worker", key: "agA", body: recruit(111, "w-b1", "jo-a", "ag-a"),
			status: 404, paths: []string{"data.worker_id"}},
		{name: "a fee of an unknown worker", key: "agA", body: fee(112, "w-ghost", "visa", "1.00"), status: 404},
		{name: "a sub-agent not engaged records nothing, even for its recruit", key: "subA", body: fee(113, "w-a2", "visa", "1.00"),
			status: 404},
		{name: "a whole hire in one request", key: "empA", status: 201, body: []any{issueFor(114, "jo-e", "emp-a"),
			engage(115, "jo-e", "ag-e", "emp-a"), recruit(116, "w-e1", "jo-e", "ag-e"), fee(117, "w-e1", "visa", "5.00")}},
		{name: "one event out of scope refuses the request", key: "agA", status: 404, paths: []string{"[1].data.worker_id"},
			body: []any{recruit(118, "w-new2", "jo-a", "ag-a"), fee(119, "w-b1", "visa", "1.00")}},
		{name: "role refusals come first", key: "agA", status: 403, paths: []string{"[1].type"},
			body: []any{fee(120, "w-b1", "visa", "1.00"), org(121, "o-121")}},
	}
	runPosts(t, f, cases)
	if n := f.streamLen("worker-w-new2"); n != 0 {
		t.Errorf("a refused request stored %d event(s)", n)
	}
	// recorded_by is the key's organisation.
	h := decode[struct {
		Timeline []struct {
			EventID    string `json:"event_id"`
			RecordedBy string `json:"recorded_by"`
		} `json:"timeline"`
	}](t, f.get("/v1/workers/w-new/history", "agA"))
	for _, e := range h.Timeline {
		if e.RecordedBy != "ag-a" {
			t.Errorf("event %s recorded_by %q, want ag-a", e.EventID, e.RecordedBy)
		}
	}
	// What was written is readable at once by its recorder and by the buyer.
	for _, key := range []string{"agA", "buyerA", "empA"} {
		if w := f.get("/v1/workers/w-new", key); w.Code != 200 {
			t.Errorf("%s cannot read the worker just recorded: %d", key, w.Code)
		}
	}
}

func TestPostEventsConflictAndRetry(t *testing.T) {
	f := newFixture(t, true)
	t.Run("stale expected revision", func(t *testing.T) {
		w := f.post("admin", map[string]any{"events": []any{fee(200, "w-a1", "visa", "1.00")},
			"expected_revision": map[string]any{"worker-w-a1": 0}})
		if w.Code != http.StatusConflict {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		errorCode("conflict", "expected_revision.worker-w-a1")(t, w)
		if n := f.streamLen("worker-w-a1"); n != 2 {
			t.Errorf("stream has %d events after a refused append, want 2", n)
		}
	})
	t.Run("no_stream on an existing stream", func(t *testing.T) {
		w := f.post("admin", map[string]any{"events": []any{fee(201, "w-a1", "visa", "1.00")},
			"expected_revision": map[string]any{"worker-w-a1": "no_stream"}})
		if w.Code != http.StatusConflict {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
	var first *httptest.ResponseRecorder
	body := map[string]any{"events": []any{fee(202, "w-a1", "visa", "1.00"), fee(203, "w-a1", "medical", "2.00")},
		"expected_revision": map[string]any{"worker-w-a1": 1}}
	t.Run("right expected revision", func(t *testing.T) {
		first = f.post("agA", body)
		if first.Code != http.StatusCreated || first.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("status %d: %s", first.Code, first.Body)
		}
		a := decode[appended](t, first)
		if a.Events[0].Revision != 2 || a.Events[1].Revision != 3 || a.Streams[0].Revision != 3 {
			t.Errorf("revisions %+v", a)
		}
	})
	t.Run("a retry answers the original result", func(t *testing.T) {
		again := f.post("agA", body) // its expected revision is stale now: a retry succeeds anyway
		if again.Code != http.StatusCreated || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
			t.Fatalf("retry: %d %s\nfirst: %s", again.Code, again.Body, first.Body)
		}
		if again.Header().Get("Idempotent-Replayed") != "true" {
			t.Error("no Idempotent-Replayed header")
		}
		if n := f.streamLen("worker-w-a1"); n != 4 {
			t.Errorf("%d events after a retry, want 4", n)
		}
	})
	t.Run("an event id reused for a different event", func(t *testing.T) {
		w := f.post("admin", fee(202, "w-a1", "visa", "999.00"))
		if w.Code != http.StatusConflict {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		errorCode("event_id_reused")(t, w)
		if strings.Contains(w.Body.String(), "position") {
			t.Errorf("the store's internal message leaked: %s", w.Body)
		}
	})
	t.Run("an event id of another tenant's event is not revealed", func(t *testing.T) {
		elsewhere := f.post("agA", fee(24, "w-a1", "visa", "1.00")) // w-b1's deposit's id, on agA's own worker
		own := f.post("agA", fee(21, "w-a1", "visa", "1.00"))       // w-a1's recruitment fee's id
		for _, w := range []*httptest.ResponseRecorder{elsewhere, own} {
			if w.Code != http.StatusConflict {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		a, b := decode[apiError](t, elsewhere), decode[apiError](t, own)
		if a.Error.Code != "conflict" || a.Error.Code != b.Error.Code || a.Error.Message != b.Error.Message ||
			len(a.Error.Fields)+len(b.Error.Fields) != 0 {
			t.Errorf("another tenant's id answers %s\nits own id answers %s", elsewhere.Body, own.Body)
		}
	})
	t.Run("an event id of another tenant's event", func(t *testing.T) {
		w := f.post("agA", fee(24, "w-b1", "deposit", "5000.00")) // w-b1's deposit, as recorded
		if w.Code != http.StatusNotFound {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}

// TestConcurrentCreationAcrossTenants: two agencies of different buyers race to recruit the same new worker id
// onto their own job orders. Exactly one may succeed, or the loser would read, or write into, the winner's
// worker.
func TestConcurrentCreationAcrossTenants(t *testing.T) {
	f := newFixture(t, true)
	for i := range 20 {
		worker := fmt.Sprintf("w-race-%d", i)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for j, p := range []struct{ key, jo string }{{"agA", "jo-a"}, {"agB", "jo-b"}} {
			wg.Go(func() { codes[j] = f.post(p.key, recruit(1000+2*i+j, worker, p.jo, "ag-x")).Code })
		}
		wg.Wait()
		slices.Sort(codes)
		if codes[0] != http.StatusCreated || codes[1] == http.StatusCreated {
			t.Fatalf("%s: statuses %v, want one 201 and one refusal", worker, codes)
		}
	}
}

func TestPostEventsLimits(t *testing.T) {
	f := newFixture(t, false, withLimits(api.Limits{MaxBodyBytes: 2048, MaxEvents: 3}))
	big := org(300, "o-300")
	big["data"].(map[string]any)["name"] = strings.Repeat("n", 3000)
	runPosts(t, f, []postCase{
		{name: "oversized body", key: "admin", body: big, status: http.StatusRequestEntityTooLarge, code: "payload_too_large"},
		{name: "too many events", key: "admin", body: []any{org(301, "a"), org(302, "b"), org(303, "c"), org(304, "d")},
			status: 400, code: "invalid_input"},
		{name: "at the limits", key: "admin", body: []any{org(305, "a"), org(306, "b"), org(307, "c")}, status: 201},
	})
	w := f.do("POST", "/v1/events?dry_run=1", "admin", mustJSON(t, org(308, "e")), nil)
	if w.Code != 400 {
		t.Errorf("unknown query parameter: %d", w.Code)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
