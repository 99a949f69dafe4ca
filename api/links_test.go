package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestWorkerLinks: who may make, list and revoke a worker's links, and what the answers hold.
func TestWorkerLinks(t *testing.T) {
	f := newFixture(t, true)
	for _, tc := range []struct {
		name, key, worker string
		want              int
	}{
		{"an admin", "admin", "w-a1", http.StatusCreated},
		{"the worker's employer", "empA", "w-a1", http.StatusCreated},
		{"an auditor granted the worker's buyer", "auditorA", "w-a1", http.StatusCreated},
		{"another employer", "empB", "w-a1", http.StatusNotFound},
		{"an auditor without a grant", "auditorNone", "w-a1", http.StatusNotFound},
		{"the worker's buyer", "buyerA", "w-a1", http.StatusForbidden},
		{"the worker's agency", "agA", "w-a1", http.StatusForbidden},
		{"a worker that does not exist", "admin", "w-nope", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("POST", "/v1/workers/"+tc.worker+"/links", tc.key, nil, nil)
			if w.Code != tc.want {
				t.Fatalf("%d, want %d: %s", w.Code, tc.want, w.Body)
			}
			if w.Code != http.StatusCreated {
				return
			}
			var got struct {
				Link  struct{ ID, Status, CreatedBy string } `json:"link"`
				URL   string                                 `json:"url"`
				QRSVG string                                 `json:"qr_svg"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.URL, "http://example.com/w/") || !strings.HasPrefix(got.QRSVG, "<svg") ||
				got.Link.Status != "live" || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("answer %+v, Cache-Control %q", got, w.Header().Get("Cache-Control"))
			}
		})
	}
	w := f.do("GET", "/v1/workers/w-a1/links", "empA", nil, nil)
	var list struct {
		Links []struct{ ID, Status string } `json:"links"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Links) != 3 {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "sha256") {
		t.Error("the list shows the links' hashes")
	}
	id := list.Links[0].ID
	if w := f.do("DELETE", "/v1/workers/w-b1/links/"+id, "admin", nil, nil); w.Code != http.StatusNotFound {
		t.Errorf("revoking through another worker: %d, want 404", w.Code)
	}
	w = f.do("DELETE", "/v1/workers/w-a1/links/"+id, "auditorA", nil, nil)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"status":"revoked"`) {
		t.Errorf("revoke: %d %s", w.Code, w.Body)
	}
	if w := f.do("POST", "/v1/workers/w-a1/links", "admin", []byte(`{"expires":"forever"}`), nil); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), `"path":"expires"`) {
		t.Errorf("a bad expiry: %d %s", w.Code, w.Body)
	}
}
