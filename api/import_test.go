package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fairtrail/fairtrail/api"
)

func ndjson(t *testing.T, events ...map[string]any) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func TestImportRoute(t *testing.T) {
	f := newFixture(t, false, withLimits(api.Limits{MaxImportBytes: 4096}))
	good := ndjson(t, org(1, "o-1"), org(2, "o-2"), org(3, "o-3"))
	bad := ndjson(t, org(4, "o-4"), org(5, "bad id!"), org(6, "o-6"))
	big := bytes.Repeat(ndjson(t, org(7, "o-7")), 40)
	nd := map[string]string{"Content-Type": "application/x-ndjson"}
	report := func(appended, duplicates int) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, w *httptest.ResponseRecorder) {
			t.Helper()
			r := decode[struct{ Lines, Appended, Duplicates, Rejected int }](t, w)
			if r.Appended != appended || r.Duplicates != duplicates || r.Rejected != 0 {
				t.Errorf("report %+v, want %d appended and %d duplicates", r, appended, duplicates)
			}
		}
	}
	cases := []struct {
		name   string
		key    string
		body   []byte
		header map[string]string
		status int
		check  func(*testing.T, *httptest.ResponseRecorder)
	}{
		{"an NDJSON body", "admin", good, nd, 200, report(3, 0)},
		{"the same body again adds nothing", "admin", good, nd, 200, report(0, 3)},
		{"a bad line stores nothing and is named", "admin", bad, nd, 400, func(t *testing.T, w *httptest.ResponseRecorder) {
			e := decode[apiError](t, w)
			if e.Error.Code != "invalid_input" || len(e.Error.Lines) != 1 || e.Error.Lines[0].Line != 2 {
				t.Errorf("error %s, want line 2 named", w.Body)
			}
		}},
		{"a lone surrogate is named by line and path", "admin",
			bytes.Replace(bad, []byte(`"Org o-4"`), []byte(`"Org \udfff"`), 1), nd, 400, func(t *testing.T, w *httptest.ResponseRecorder) {
				if !bytes.Contains(w.Body.Bytes(), []byte(`lone UTF-16 surrogate`)) {
					t.Errorf("error %s does not name the surrogate", w.Body)
				}
			}},
		{"an event id reused for a different event", "admin", ndjson(t, org(1, "o-1-renamed")), nd, http.StatusConflict,
			errorCode("event_id_reused")},
		{"oversized body", "admin", big, nd, http.StatusRequestEntityTooLarge, errorCode("payload_too_large")},
		{"wrong content type", "admin", good, map[string]string{"Content-Type": "application/json"}, 415, nil},
		{"employers post events instead", "empA", good, nd, 403, errorCode("forbidden")},
		{"agencies post events instead", "agA", good, nd, 403, nil},
		{"buyers do not write", "buyerA", good, nd, 403, nil},
		{"no key", "", good, nd, 401, nil},
		{"revoked key", "revoked", good, nd, 401, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("POST", "/v1/import", tc.key, tc.body, tc.header)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
	for _, stream := range []string{"org-o-4", "org-o-6", "org-o-7", "org-o-1-renamed"} {
		if n := f.streamLen(stream); n != 0 {
			t.Errorf("%s: %d events stored by a refused import", stream, n)
		}
	}
	if w := f.get("/v1/flags", "admin"); w.Code != 200 {
		t.Errorf("flags after imports: %d", w.Code)
	}
}
