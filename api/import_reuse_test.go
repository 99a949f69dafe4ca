package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestImportRouteRefusesAStoredIDReusedWhole checks that a body with an event_id stored for a different event
// stores nothing, not the durable batches before that line: 409 event_id_reused naming the line and event_id
// when that is its only fault, 400 listing it with the other bad lines otherwise; the same event under its
// stored id is a duplicate.
func TestImportRouteRefusesAStoredIDReusedWhole(t *testing.T) {
	const n, at = 2100, 2050 // past the import's first durable batch of 2000
	f := newFixture(t, false)
	nd := map[string]string{"Content-Type": "application/x-ndjson"}
	if w := f.do("POST", "/v1/import", "admin", ndjson(t, org(at, "o-stored")), nd); w.Code != 200 {
		t.Fatalf("import of the stored event: %d %s", w.Code, w.Body)
	}
	body := func(reused string, badAt int) []byte {
		events := make([]map[string]any, n)
		for i := range events {
			events[i] = org(i+1, fmt.Sprintf("o-%d", i+1))
		}
		events[at-1] = org(at, reused)
		if badAt > 0 {
			events[badAt-1] = org(badAt, "bad id!")
		}
		return ndjson(t, events...)
	}
	type lineError struct {
		Line   int `json:"line"`
		Fields []struct {
			Path    string `json:"path"`
			Problem string `json:"problem"`
		} `json:"fields"`
	}
	type answer struct {
		Error struct {
			Code  string      `json:"code"`
			Lines []lineError `json:"lines"`
		} `json:"error"`
	}
	cases := []struct {
		name     string
		body     []byte
		status   int
		code     string
		lines    []int
		appended int
	}{
		{"only the reused id", body("o-stored-renamed", 0), http.StatusConflict, "event_id_reused", []int{at}, 0},
		{"with another bad line", body("o-stored-renamed", 7), http.StatusBadRequest, "invalid_input", []int{7, at}, 0},
		{"the same event is a duplicate", body("o-stored", 0), http.StatusOK, "", nil, n - 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("POST", "/v1/import", "admin", tc.body, nd)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %.500s", w.Code, tc.status, w.Body)
			}
			if got := f.streamLen("org-o-1"); got != min(tc.appended, 1) {
				t.Fatalf("org-o-1 holds %d events, want %d", got, min(tc.appended, 1))
			}
			if tc.status == http.StatusOK {
				if r := decode[struct{ Appended, Duplicates int }](t, w); r.Appended != tc.appended || r.Duplicates != 1 {
					t.Errorf("report %+v, want %d appended and 1 duplicate", r, tc.appended)
				}
				return
			}
			e := decode[answer](t, w).Error
			if e.Code != tc.code || len(e.Lines) != len(tc.lines) {
				t.Fatalf("error %+v, want %s naming lines %v", e, tc.code, tc.lines)
			}
			for i, l := range e.Lines {
				if l.Line != tc.lines[i] {
					t.Errorf("line %d named, want %d", l.Line, tc.lines[i])
				}
			}
			last := e.Lines[len(e.Lines)-1]
			if want := "already used by a different event (stored at position 1 in org-o-stored)"; last.Fields[0].Path != "event_id" ||
				last.Fields[0].Problem != want {
				t.Errorf("line %d: %+v, want event_id: %s", last.Line, last.Fields, want)
			}
		})
	}
}
