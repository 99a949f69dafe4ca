package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/eventstore"
)

// stalledAppends is a store whose appends wait until their context ends, as a store that cannot answer does.
type stalledAppends struct{ eventstore.Store }

func (stalledAppends) AppendBatch(ctx context.Context, _ []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestHeaderAndTimeLimits: a request line or header over Limits.MaxHeaderBytes answers 431 and a request that
// runs out of time 504, both in the JSON error shape the OpenAPI document gives.
func TestHeaderAndTimeLimits(t *testing.T) {
	doc := loadOpenAPI(t)
	f := newFixture(t, false, withLimits(api.Limits{MaxHeaderBytes: 4096}))
	long := strings.Repeat("A", 5000)
	cases := []struct {
		name, path string
		header     map[string]string
		status     int
		code       string
	}{
		{"a long page token", "/v1/flags?page_token=" + long, nil, http.StatusRequestHeaderFieldsTooLarge, "header_too_large"},
		{"a long header", "/v1/flags", map[string]string{"X-Trace": long}, http.StatusRequestHeaderFieldsTooLarge, "header_too_large"},
		{"headers within the limit", "/v1/flags", map[string]string{"X-Trace": long[:3000]}, http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("GET", tc.path, "admin", nil, tc.header)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.code != "" {
				errorCode(tc.code)(t, w)
			}
			if err := validateResponse(doc, "GET", "/v1/flags", "/v1/flags", w); err != nil {
				t.Errorf("answer does not match the document: %v", err)
			}
		})
	}
	t.Run("a request out of time", func(t *testing.T) {
		slow := newFixture(t, false, withLimits(api.Limits{RequestTimeout: 20 * time.Millisecond}), func(c *api.Config) {
			c.Store = stalledAppends{c.Store}
		})
		w := slow.post("admin", org(600, "o-600"))
		if w.Code != http.StatusGatewayTimeout {
			t.Fatalf("status %d, want 504: %s", w.Code, w.Body)
		}
		errorCode("timeout")(t, w)
		if err := validateResponse(doc, "POST", "/v1/events", "/v1/events", w); err != nil {
			t.Errorf("answer does not match the document: %v", err)
		}
	})
}

// TestMethodNotAllowed: a path that exists answers another method with 405 in the JSON error shape, naming the
// methods it takes.
func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t, false)
	w := f.do("DELETE", "/v1/flags", "admin", nil, nil)
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	errorCode("method_not_allowed")(t, w)
	if allow := w.Header().Get("Allow"); allow != "GET" {
		t.Errorf("Allow %q, want GET", allow)
	}
}
