package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConsoleInTheBrowser drives the web console of a `fairtrail serve` on loopback with Chromium: one
// browser, one server and one small dataset shared by every step, which run in order as a visitor would. It
// runs beside the package's other parallel tests: most of its time is the browser's and the server's latency.
func TestConsoleInTheBrowser(t *testing.T) {
	t.Parallel()
	path := chromium(t)
	axe := axeSource(t)
	w := newBrowserWorld(t)
	ctx := newBrowser(t, path)
	shots := screenshotDir(t)
	base := w.srv.base

	t.Run("sign in", func(t *testing.T) {
		navigate(ctx, t, base+"/")
		shoot(ctx, t, shots, "sign-in")
		checkAccessible(ctx, t, axe, "sign-in")
		do(ctx, t, "sign in", chromedp.SendKeys(chromedp.CSS("#key"), w.buyer), chromedp.Submit(chromedp.CSS("#key")),
			arrived("/overview"))
	})
	t.Run("overview", func(t *testing.T) {
		if n, err := strconv.Atoi(text(ctx, t, "#open-flags")); err != nil || n == 0 {
			t.Errorf("open flags %q: want a positive count", text(ctx, t, "#open-flags"))
		}
		if count(ctx, t, "svg rect") == 0 {
			t.Error("no chart bars on the overview")
		}
		shoot(ctx, t, shots, "overview")
		checkAccessible(ctx, t, axe, "overview")
	})
	t.Run("as-of date changes the answer", func(t *testing.T) {
		now := text(ctx, t, "#open-flags")
		navigate(ctx, t, base+"/overview")
		do(ctx, t, "set as of", chromedp.SetValue(chromedp.CSS("#as_of"), "2023-03-31"),
			chromedp.Submit(chromedp.CSS("#as_of")), arrived("as_of=2023-03-31"))
		if then := text(ctx, t, "#open-flags"); then == now {
			t.Errorf("open flags as of 2023-03-31 = %s, the same as now", then)
		}
	})
	t.Run("filter flags by code and buyer", func(t *testing.T) { filterFlags(ctx, t, w, shots, axe) })
	t.Run("download CSV", func(t *testing.T) {
		csv := download(ctx, t, t.TempDir(), `a[href^="/flags.csv"]`)
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		if !strings.HasPrefix(lines[0], "code,worker_id,job_order_id") || len(lines) < 2 {
			t.Fatalf("CSV:\n%s", csv)
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "contract.") || !strings.Contains(l, w.buyerID) {
				t.Fatalf("CSV row outside the filter code=contract. buyer=%s: %.200s", w.buyerID, l)
			}
		}
	})
	t.Run("worker: contract diff and a flag's evidence", func(t *testing.T) { workerPage(ctx, t, w, shots, axe) })
	t.Run("job order and audit", func(t *testing.T) {
		navigate(ctx, t, base+"/job-orders/"+w.jobOrder)
		if count(ctx, t, "#chain li") == 0 {
			t.Error("no recruitment chain on the job order page")
		}
		shoot(ctx, t, shots, "job-order")
		checkAccessible(ctx, t, axe, "job order")
		navigate(ctx, t, base+"/audit?by=agency&sort=flagged")
		if count(ctx, t, "#audit tr") < 2 {
			t.Error("no audit rows")
		}
		shoot(ctx, t, shots, "audit")
		checkAccessible(ctx, t, axe, "audit")
	})
	t.Run("agencies: sortable, downloads", func(t *testing.T) { agenciesPage(ctx, t, w, shots, axe) })
	t.Run("isolation", func(t *testing.T) { isolation(ctx, t, w) })
	t.Run("cookie unreadable from script", func(t *testing.T) {
		if got := browse(ctx, t, "read document.cookie", chromedp.Evaluate[string]("document.cookie")); strings.Contains(got, "ft_session") {
			t.Errorf("document.cookie = %q: the session cookie is readable from script", got)
		}
	})
	t.Run("cross-site post refused", func(t *testing.T) { crossSite(ctx, t, w) })
	t.Run("the worker's own page through an access link", func(t *testing.T) { workerOwnPage(ctx, t, w, shots, axe) })
	t.Run("sign out", func(t *testing.T) {
		ck := sessionCookie(ctx, t)
		navigate(ctx, t, base+"/overview")
		do(ctx, t, "sign out", chromedp.Click(chromedp.CSS(".signout button")), chromedp.WaitVisible(chromedp.CSS("#key")))
		if st := statusWith(t, base+"/overview", ck); st != http.StatusSeeOther {
			t.Errorf("the old cookie after sign-out: %d, want 303 to sign in", st)
		}
	})
}

func filterFlags(ctx context.Context, t *testing.T, w *browserWorld, shots, axe string) {
	navigate(ctx, t, w.srv.base+"/flags")
	all := text(ctx, t, "#flag-count")
	do(ctx, t, "filter flags", chromedp.SendKeys(chromedp.CSS("#code"), "contract."),
		chromedp.SendKeys(chromedp.CSS("#buyer"), w.buyerID), chromedp.Submit(chromedp.CSS("#code")),
		arrived("code=contract."))
	if got := text(ctx, t, "#flag-count"); got == all {
		t.Errorf("the filter left the count at %q", got)
	}
	codes := browse(ctx, t, "flag codes", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#flags td:first-child")].map(e => e.textContent)`))
	if len(codes) == 0 {
		t.Fatal("no flag rows under the filter")
	}
	for _, c := range codes {
		if !strings.HasPrefix(c, "contract.") {
			t.Errorf("row with code %q under the filter code=contract.", c)
		}
	}
	shoot(ctx, t, shots, "flags")
	checkAccessible(ctx, t, axe, "flags")
}

func workerPage(ctx context.Context, t *testing.T, w *browserWorld, shots, axe string) {
	navigate(ctx, t, w.srv.base+"/workers/"+w.worker)
	if count(ctx, t, "#contracts td.changed") == 0 {
		t.Error("no changed term highlighted in the contract versions")
	}
	if n, events := count(ctx, t, "#timeline .receipt"), count(ctx, t, "#timeline > li"); n == 0 || n != events {
		t.Errorf("%d receipts for %d timeline events", n, events)
	}
	do(ctx, t, "follow evidence", chromedp.Click(chromedp.CSS(`#worker-flags a[href^="#ev-"]`)))
	target := browse(ctx, t, "the link's target", chromedp.Evaluate[string](`(document.querySelector(":target") || {}).className || ""`))
	if !strings.Contains(target, "evidence") {
		t.Errorf("the evidence link leads to %q, want a timeline event marked evidence", target)
	}
	shoot(ctx, t, shots, "worker")
	checkAccessible(ctx, t, axe, "worker")
}

// agenciesPage opens the agencies page from the navigation, orders it by workers through its column header,
// and downloads it as CSV and JSON: the same agencies, in the page's order.
func agenciesPage(ctx context.Context, t *testing.T, w *browserWorld, shots, axe string) {
	navigate(ctx, t, w.srv.base+"/overview")
	do(ctx, t, "open agencies from the navigation", chromedp.Click(chromedp.CSS(`nav a[href="/agencies"]`)),
		arrived("/agencies"))
	if count(ctx, t, "#agencies tr") < 2 {
		t.Fatal("no agency rows")
	}
	do(ctx, t, "sort by workers", chromedp.Click(chromedp.CSS(`#agencies th a[href*="sort=workers"]`)),
		arrived("sort=workers"))
	if got := count(ctx, t, `#agencies th[aria-sort="descending"] a[href*="sort=workers"]`); got != 1 {
		t.Error("the workers column is not marked as the sort order")
	}
	workers := browse(ctx, t, "worker counts", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#agencies tr td:nth-child(3)")].map(e => e.textContent)`))
	for i := 1; i < len(workers); i++ {
		a, _ := strconv.Atoi(workers[i-1])
		b, _ := strconv.Atoi(workers[i])
		if a < b {
			t.Errorf("sorted by workers, %v is not in descending order", workers)
			break
		}
	}
	csv := download(ctx, t, t.TempDir(), `a[href^="/agencies.csv"]`)
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); !strings.HasPrefix(lines[0], "agency_id,name,role,licence_status") || len(lines) < 2 {
		t.Errorf("agencies CSV:\n%.400s", csv)
	}
	js := download(ctx, t, t.TempDir(), `a[href^="/agencies.json"]`)
	if !strings.Contains(js, `"clean_agencies"`) || !strings.Contains(js, `"sort":"workers"`) {
		t.Errorf("agencies JSON:\n%.400s", js)
	}
	shoot(ctx, t, shots, "agencies")
	checkAccessible(ctx, t, axe, "agencies")
}

// arrived waits until the browser has loaded a page whose address contains part.
func arrived(part string) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool](fmt.Sprintf("location.href.includes(%q) && document.readyState === 'complete'", part))
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for {
			if ok, err := check(ctx, tg); err == nil && ok { // an error: the page is being replaced
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// isolation opens another buyer's records with the buyer's session: each page must be the not-found page of
// a missing id.
func isolation(ctx context.Context, t *testing.T, w *browserWorld) {
	page := func(path string) string {
		navigate(ctx, t, w.srv.base+path)
		return text(ctx, t, "main")
	}
	missing := page("/workers/no-such-worker")
	if !strings.Contains(missing, "Not found") {
		t.Fatalf("a missing worker shows %q", missing)
	}
	for _, path := range []string{
		"/workers/" + w.otherWorker,
		"/workers/" + w.otherWorker + "?as_of=2030-01-01",
		"/job-orders/" + w.otherJobOrder,
		"/job-orders/no-such-job-order",
		"/audit?buyer=" + url.QueryEscape(w.otherBuyer),
		"/audit.csv?buyer=" + url.QueryEscape(w.otherBuyer),
		"/flags?buyer=" + url.QueryEscape(w.otherBuyer),
		"/flags?job_order=" + url.QueryEscape(w.otherJobOrder),
		"/flags.csv?job_order=" + url.QueryEscape(w.otherJobOrder),
		"/overview?buyer=" + url.QueryEscape(w.otherBuyer),
		"/agencies?buyer=" + url.QueryEscape(w.otherBuyer),
		"/agencies.csv?buyer=" + url.QueryEscape(w.otherBuyer),
	} {
		if got := page(path); got != missing {
			t.Errorf("%s shows %q, not the not-found page", path, got)
		}
	}
}

// crossSite submits a form to the console from a page of another site, with the visitor's session: it is
// refused and the session survives.
func crossSite(ctx context.Context, t *testing.T, w *browserWorld) {
	evil := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		_, _ = rw.Write([]byte(`<!doctype html><main><form method="post" action="` + w.srv.base +
			`/sign-out"><input name="csrf" value="guess"><button id="go">go</button></form></main>`))
	}))
	defer evil.Close()
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) // another site than the console's
	navigate(ctx, t, evilURL)
	do(ctx, t, "post from another site", chromedp.Click(chromedp.CSS("#go")), arrived("/sign-out"))
	if got := text(ctx, t, "main"); !strings.Contains(got, "Cross-site request refused") {
		t.Errorf("the cross-site post answered %q", got)
	}
	navigate(ctx, t, w.srv.base+"/overview")
	if count(ctx, t, "#open-flags") == 0 {
		t.Error("the session did not survive a cross-site post")
	}
}
