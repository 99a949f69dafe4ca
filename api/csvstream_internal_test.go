package api

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

// lockedBuffer is a log the server writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAStreamedAnswerFailsAsItMust: a CSV answer is sent as it is written; an error before its first bytes are
// sent is answered as any error (a status and an error body, nothing of the listing), one after them closes the
// connection without ending the body, so that the client's read fails rather than end on a short table, and
// is logged once.
func TestAStreamedAnswerFailsAsItMust(t *testing.T) {
	t.Parallel()
	errListing := errors.New("listing failed")
	long := strings.Repeat("a,b,c\n", 3*streamBuffer/6)
	cases := []struct {
		name       string
		write      func(io.Writer) error
		wantStatus int
		wantBody   string // "" with wantBroken
		wantBroken bool
		wantLogged bool
	}{
		{name: "a short answer", write: func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err },
			wantStatus: http.StatusOK, wantBody: "a,b\n"},
		{name: "an empty answer", write: func(io.Writer) error { return nil }, wantStatus: http.StatusOK},
		{name: "a long answer", write: func(w io.Writer) error { _, err := io.WriteString(w, long); return err },
			wantStatus: http.StatusOK, wantBody: long},
		{name: "an error before the first byte is sent", write: func(w io.Writer) error {
			io.WriteString(w, "a,b\n")
			return errListing
		}, wantStatus: http.StatusInternalServerError, wantBody: `"code":"internal"`},
		{name: "an error after the first bytes are sent", write: func(w io.Writer) error {
			io.WriteString(w, long)
			return errListing
		}, wantStatus: http.StatusOK, wantBroken: true, wantLogged: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log lockedBuffer
			s := &Server{log: slog.New(slog.NewTextHandler(&log, nil))}
			r := gin.New()
			r.Use(s.recoverPanics)
			r.GET("/", s.handle(func(c *gin.Context) error { return s.stream(c, "text/csv; charset=utf-8", tc.write) }))
			srv := httptest.NewServer(r)
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if broken := err != nil; broken != tc.wantBroken {
				t.Errorf("reading the body: %v; want it broken: %v", err, tc.wantBroken)
			}
			if !tc.wantBroken && !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("body %.200q, want it to hold %.200q", body, tc.wantBody)
			}
			if tc.wantBroken && len(body) >= len(long) {
				t.Errorf("a failed answer read whole: %d bytes", len(body))
			}
			if logged := strings.Count(log.String(), "answer failed after it started"); logged != map[bool]int{true: 1}[tc.wantLogged] {
				t.Errorf("logged %d times, want logged %v:\n%s", logged, tc.wantLogged, log.String())
			}
		})
	}
}
