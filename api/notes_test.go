package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// withNotes gives the API a note store in a directory of its own.
func withNotes(t *testing.T) fixtureOption {
	s, err := notes.Open(filepath.Join(t.TempDir(), "notes"), notes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return func(c *api.Config) { c.Notes = s }
}

const secretNote = "The agent in Pokhara took 40,000 rupees and my passport."

func report(n int, worker string, extra map[string]any) map[string]any {
	data := map[string]any{"worker_id": worker, "report_id": "r-" + worker, "kind": "document_held",
		"channel": "interview", "language": "ne"}
	e := ev(uuid(n), "WorkerReported", "2025-03-04T09:00:00Z", data)
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// TestNotesThroughTheAPI posts a report with its note beside the data: the event carries only the hash, the
// text is read in the worker's scope, and an admin's erasure makes it gone.
func TestNotesThroughTheAPI(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	f := newFixture(t, true, withNotes(t))
	h := notes.Hash(secretNote)
	f.mustPost("admin", report(100, "w-a1", map[string]any{"note": secretNote}))
	// conform checks an answer against the OpenAPI document.
	conform := func(method, route, path string, w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		t.Helper()
		if err := validateResponse(doc, method, route, path, w); err != nil {
			t.Errorf("%s %s: %d does not match the document: %v\n%s", method, path, w.Code, err, w.Body)
		}
		return w
	}
	for rec, err := range f.store.ReadStream(context.Background(), "worker-w-a1", 0) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == "WorkerReported" && (!strings.Contains(string(rec.Data), `"note_sha256":"`+h+`"`) ||
			strings.Contains(string(rec.Data), "Pokhara")) {
			t.Fatalf("stored data %s: want the note's hash and not its text", rec.Data)
		}
	}
	for key, want := range map[string]int{"admin": 200, "buyerA": 200, "auditorA": 200, "empA": 200,
		"buyerB": 404, "empB": 404, "auditorNone": 404} {
		if w := conform("GET", "/v1/notes/{sha256}", "/v1/notes/"+h, f.get("/v1/notes/"+h, key)); w.Code != want {
			t.Errorf("GET the note as %s: %d, want %d: %s", key, w.Code, want, w.Body)
		} else if want == 200 && decode[map[string]any](t, w)["text"] != secretNote {
			t.Errorf("GET the note as %s: %s", key, w.Body)
		}
	}
	if w := f.do("POST", "/v1/notes/erasures", "buyerA", []byte(`{"worker_id":"w-a1"}`), nil); w.Code != http.StatusForbidden {
		t.Fatalf("erasure by a buyer: %d %s", w.Code, w.Body)
	}
	w := conform("POST", "/v1/notes/erasures", "/v1/notes/erasures",
		f.do("POST", "/v1/notes/erasures", "admin", []byte(`{"worker_id":"w-a1","reason":"the worker asked"}`), nil))
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"erased_by":"ops (API key `) {
		t.Fatalf("erasure: %d %s", w.Code, w.Body)
	}
	if w := conform("GET", "/v1/notes/{sha256}", "/v1/notes/"+h, f.get("/v1/notes/"+h, "admin")); w.Code != http.StatusGone {
		t.Fatalf("GET an erased note as admin: %d %s", w.Code, w.Body)
	}
	if w := f.get("/v1/notes/"+h, "buyerA"); w.Code != http.StatusNotFound {
		t.Fatalf("GET an erased note as a buyer: %d %s", w.Code, w.Body)
	}
	j := decode[map[string][]map[string]any](t, conform("GET", "/v1/notes/erasures", "/v1/notes/erasures?worker_id=w-a1",
		f.get("/v1/notes/erasures?worker_id=w-a1", "admin")))
	if len(j["erasures"]) != 1 || j["erasures"][0]["reason"] != "the worker asked" {
		t.Fatalf("erasure journal: %v", j)
	}
	if w := f.post("admin", report(101, "w-a1", map[string]any{"event_id": uuid(101), "note": secretNote,
		"data": map[string]any{"worker_id": "w-a1", "report_id": "r-2", "kind": "other", "channel": "interview",
			"language": "ne"}})); w.Code != http.StatusGone {
		t.Fatalf("a new report with the erased note: %d %s", w.Code, w.Body)
	}
	if strings.Contains(f.logs.String(), "Pokhara") {
		t.Fatal("the note's text reached the API's logs")
	}
}

func TestNotesRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true, withNotes(t))
	cases := []struct {
		name       string
		body       any
		path, want string
	}{
		{"a note on a fee", func() map[string]any { e := fee(110, "w-a1", "medical", "10.00"); e["note"] = "text"; return e }(),
			"note", "only WorkerReported and WorkerReportResolved carry a note"},
		{"an empty note", report(111, "w-a1", map[string]any{"note": " "}), "note", "the note is empty"},
		{"a note with a control character", report(112, "w-a1", map[string]any{"note": "Pokhara\u0007"}),
			"note", "the note holds the control character U+0007 at byte 8"},
		{"a note that is not text", report(113, "w-a1", map[string]any{"note": 42}), "note", "must be a string"},
		{"a hash of another note", report(114, "w-a1", map[string]any{"note": secretNote, "data": map[string]any{
			"worker_id": "w-a1", "report_id": "r-x", "kind": "other", "channel": "interview", "language": "ne",
			"note_sha256": notes.Hash("other words")}}),
			"data.note_sha256", "is not the SHA-256 of the note given beside the data (give the note, or only its hash)"},
	}
	for _, tc := range cases {
		w := f.post("admin", tc.body)
		e := decode[apiError](t, w)
		if w.Code != http.StatusBadRequest || len(e.Error.Fields) != 1 || e.Error.Fields[0].Path != tc.path ||
			e.Error.Fields[0].Problem != tc.want || strings.Contains(w.Body.String(), "Pokhara") {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
		}
	}
	// An append refused (a stale expected revision) takes back the note it saved.
	body := map[string]any{"events": []any{report(120, "w-a1", map[string]any{"note": secretNote})},
		"expected_revision": map[string]any{"worker-w-a1": 0}}
	if w := f.post("admin", body); w.Code != http.StatusConflict {
		t.Fatalf("stale revision: %d %s", w.Code, w.Body)
	}
	if w := f.get("/v1/notes/"+notes.Hash(secretNote), "admin"); w.Code != http.StatusNotFound {
		t.Fatalf("the note of a refused append: %d %s", w.Code, w.Body)
	}
	b, _ := json.Marshal(map[string]any{"worker_id": "w-a1", "note_sha256": notes.Hash("x")})
	if w := f.do("POST", "/v1/notes/erasures", "admin", b, nil); w.Code != http.StatusBadRequest {
		t.Fatalf("an erasure naming both: %d %s", w.Code, w.Body)
	}
}
