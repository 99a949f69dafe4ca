package console_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/console"
	"github.com/fairtrail/fairtrail/api/keys"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // gin's route listing on stdout
	os.Exit(m.Run())
}

// BenchmarkPages renders each page of the console, as a buyer, through the real API reader over an embedded
// store and its persisted read model, and reports the server-side time per page, in all and in CPU (the
// process's, so on a busy machine the second is the steadier figure). The store is a dataset of
// 2,000 workers generated and imported here (FAIRTRAIL_BENCH_WORKERS=N for another size), or a prepared data
// directory, FAIRTRAIL_BENCH_DATA=DIR (made by `fairtrail import`, its read model caught up), which is opened
// read-only: the target (<= 200 ms a page) is at 600,000 workers, more than is worth importing per run.
func BenchmarkPages(b *testing.B) {
	con, cookie, ids, api := benchConsole(b)
	for _, p := range []struct{ name, path string }{
		{"overview", "/overview"},
		{"flags", "/flags"},
		{"flags-code-buyer", "/flags?code=contract.&buyer=" + url.QueryEscape(ids.buyer)},
		{"worker", "/workers/" + ids.worker},
		{"job-order", "/job-orders/" + ids.jobOrder},
		{"audit", "/audit?by=agency"},
		{"agencies", "/agencies"},
		// As of a date the pages judge the store replayed under the filter (the first request replays, the
		// rest reuse the replay while it is cached).
		{"overview-as-of", "/overview?as_of=2025-06-30"},
		{"flags-as-of", "/flags?as_of=2025-06-30"},
	} {
		b.Run(p.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest("GET", p.path, nil)
				req.AddCookie(cookie)
				w := httptest.NewRecorder()
				con.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, w.Code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
			if cpu := cpuTime() - cpu; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/page")
			}
		})
	}
	benchAPI(b, api, ids)
}

// benchAPI measures, as the same buyer, the API's flag listing in pages of 1,000 walked from the first to
// the last and again (each request a page further on), one worker's flags, and a /metrics scrape, reporting
// the 99th percentile.
func benchAPI(b *testing.B, a benchServer, ids benchIDs) {
	token := ""
	for _, p := range []struct {
		name, key string
		path      func() string
		next      func(body []byte)
	}{
		{"api-flags-1000", a.buyer, func() string { return "/v1/flags?page_size=1000" + tokenParam(token) },
			func(body []byte) { token = nextToken(b, body) }},
		{"api-flags-worker", a.buyer, func() string { return "/v1/flags?worker=" + url.QueryEscape(ids.worker) }, nil},
		{"metrics", a.admin, func() string { return "/metrics" }, nil},
	} {
		b.Run(p.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				req := httptest.NewRequest("GET", p.path(), nil)
				req.Header.Set("Authorization", "Bearer "+p.key)
				w := httptest.NewRecorder()
				start := time.Now()
				a.srv.ServeHTTP(w, req)
				took = append(took, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", p.path(), w.Code, w.Body)
				}
				if p.next != nil {
					p.next(w.Body.Bytes())
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "ms-p99")
		})
	}
}

func tokenParam(t string) string {
	if t == "" {
		return ""
	}
	return "&page_token=" + url.QueryEscape(t)
}

// nextToken reads a flag page's next page token ("" on the last page, which starts the walk again).
func nextToken(b *testing.B, body []byte) string {
	var page struct {
		Next string `json:"next_page_token"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		b.Fatal(err)
	}
	return page.Next
}

// benchServer is the API under the console, with a buyer's and an admin's key.
type benchServer struct {
	srv          *api.Server
	buyer, admin string
}

type benchIDs struct{ buyer, worker, jobOrder string }

// benchConsole opens the store and its read model, signs a buyer in, and picks a
// worker and job order of that buyer.
func benchConsole(b *testing.B) (*console.Console, *http.Cookie, benchIDs, benchServer) {
	dir := b.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	store, model := benchStore(b, dir, quiet)
	kf := keys.Open(filepath.Join(dir, "keys.json"), keys.Options{})
	srv, err := api.New(api.Config{Store: store, Model: model, Keys: kf, Registry: prometheus.NewRegistry(),
		Logger: quiet, Limits: api.Limits{MetricsRefresh: time.Nanosecond}}) // every scrape reads the model
	if err != nil {
		b.Fatal(err)
	}
	ids, admin := pickIDs(b, srv.Reader(), kf)
	secret, _, err := kf.Create(ids.buyer, keys.RoleBuyer)
	if err != nil {
		b.Fatal(err)
	}
	con, err := console.New(console.Config{Reader: srv.Reader(), Keys: kf, Logger: quiet, IdleTimeout: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	return con, signIn(b, con, secret), ids, benchServer{srv: srv, buyer: secret, admin: admin}
}

// pickIDs picks, as admin, the buyer of the first contract substitution and its worker and job order (one
// flag, read as a page of one); it returns the admin key too.
func pickIDs(b *testing.B, r *api.Reader, kf *keys.File) (benchIDs, string) {
	admin, _, err := kf.Create("ops", keys.RoleAdmin)
	if err != nil {
		b.Fatal(err)
	}
	id, err := kf.Authenticate(admin)
	if err != nil {
		b.Fatal(err)
	}
	page, err := r.FlagPage(context.Background(), id, url.Values{"code": {"contract.substitution"}}, "", 1)
	if err != nil || len(page.Flags) == 0 || len(page.Flags[0].BuyerIDs) == 0 {
		b.Fatalf("no substitution with a buyer to open (%v)", err)
	}
	f := page.Flags[0]
	b.Logf("buyer %s, worker %s, job order %s", f.BuyerIDs[0], f.WorkerID, f.JobOrderID)
	return benchIDs{buyer: f.BuyerIDs[0], worker: f.WorkerID, jobOrder: f.JobOrderID}, admin
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signIn(b *testing.B, con *console.Console, secret string) *http.Cookie {
	w := httptest.NewRecorder()
	con.ServeHTTP(w, httptest.NewRequest("GET", "/sign-in", nil))
	m := csrfField.FindStringSubmatch(w.Body.String())
	if m == nil {
		b.Fatal("no CSRF token on the sign-in form")
	}
	req := httptest.NewRequest("POST", "/sign-in", strings.NewReader(url.Values{"csrf": {m[1]}, "key": {secret}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	con.ServeHTTP(w, req)
	for _, ck := range w.Result().Cookies() {
		if ck.Name == "ft_session" {
			return ck
		}
	}
	b.Fatalf("sign-in refused: %d", w.Code)
	return nil
}
