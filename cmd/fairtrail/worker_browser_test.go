package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// workerLink makes a link for the worker through the API as admin and returns its URL.
func workerLink(t *testing.T, w *browserWorld, worker string) string {
	t.Helper()
	code, body := w.srv.request(t, "POST", "/v1/workers/"+worker+"/links", w.admin, "", nil)
	var got struct {
		URL string `json:"url"`
	}
	if code != http.StatusCreated || json.Unmarshal(body, &got) != nil || !strings.HasPrefix(got.URL, w.srv.base+"/w/") {
		t.Fatalf("POST /v1/workers/%s/links: %d %s", worker, code, body)
	}
	return got.URL
}

// plainGet fetches a page with no cookie, as a stranger would.
func plainGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// workerOwnPage drives the worker's side on a phone-sized screen: the worker opens their link, reads their
// contract difference and fees in Nepali and in English, reports a fee nobody recorded, and the brand's
// console (the buyer still signed in, in the same browser) shows fee.reported_unrecorded. Links that do not
// open (revoked, guessed, another worker's id) all get one page, and no page reachable from the link names
// another worker.
func workerOwnPage(ctx context.Context, t *testing.T, w *browserWorld, shots, axe string) {
	link := workerLink(t, w, w.worker)
	do(ctx, t, "phone-sized screen", chromedp.EmulateViewport(390, 844))
	t.Run("in Nepali", func(t *testing.T) {
		navigate(ctx, t, link+"?lang=ne")
		if lang := browse(ctx, t, "html lang", chromedp.Evaluate[string]("document.documentElement.lang")); lang != "ne" {
			t.Errorf("html lang %q, want ne", lang)
		}
		body := text(ctx, t, "main")
		for _, want := range []string{"तपाईंको मासिक तलब", "वाचा गरिएको थियो", "तपाईंले", "तिर्नुभयो", "रसिद"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Nepali page does not say %q:\n%s", want, body)
			}
		}
		shoot(ctx, t, shots, "worker-own-ne")
		do(ctx, t, "phone-sized screen again", chromedp.EmulateViewport(390, 844))
		checkAccessible(ctx, t, axe, "worker's own page in Nepali")
	})
	t.Run("in English through the switcher", func(t *testing.T) {
		do(ctx, t, "switch to English", chromedp.Click(chromedp.CSS(`.langs a[hreflang="en"]`)), arrived("lang=en"))
		body := text(ctx, t, "main")
		diff := regexp.MustCompile(`Your monthly wage is [0-9,.]+ [A-Z]{3}; you were promised [0-9,.]+ [A-Z]{3}\.`)
		if !diff.MatchString(body) || !strings.Contains(body, "You paid ") || !strings.Contains(body, "must be paid back to you") {
			t.Errorf("the English page lacks the wage difference or the fees:\n%s", body)
		}
		shoot(ctx, t, shots, "worker-own")
		do(ctx, t, "phone-sized screen again", chromedp.EmulateViewport(390, 844))
		checkAccessible(ctx, t, axe, "worker's own page")
	})
	t.Run("reports a fee", func(t *testing.T) {
		do(ctx, t, "open the form", chromedp.Click(chromedp.CSS(`a.button[href*="/report"]`)), chromedp.WaitVisible(chromedp.CSS("#amount")))
		shoot(ctx, t, shots, "worker-report")
		do(ctx, t, "phone-sized screen again", chromedp.EmulateViewport(390, 844))
		checkAccessible(ctx, t, axe, "worker's report form")
		do(ctx, t, "fill and send the report",
			chromedp.Click(chromedp.CSS("#kind-fee_not_recorded")),
			chromedp.SetValue(chromedp.CSS("#category"), "bribe"),
			chromedp.SendKeys(chromedp.CSS("#amount"), "45,000"),
			chromedp.SendKeys(chromedp.CSS("#currency"), "NPR"),
			chromedp.SendKeys(chromedp.CSS("#note"), "paid at the sub-agent's house, no receipt"),
			chromedp.Submit(chromedp.CSS("#amount")), arrived("reported=1"))
		if got := text(ctx, t, ".notice"); !strings.Contains(got, "Your report was recorded") {
			t.Errorf("after sending: %q", got)
		}
	})
	t.Run("the brand's console shows the reported fee", func(t *testing.T) {
		do(ctx, t, "desktop screen", chromedp.EmulateViewport(1280, 900))
		navigate(ctx, t, w.srv.base+"/workers/"+w.worker)
		if got := text(ctx, t, "#worker-flags"); !strings.Contains(got, "fee.reported_unrecorded") {
			t.Errorf("the buyer's worker page lists no fee.reported_unrecorded:\n%s", got)
		}
	})
	t.Run("links that do not open all get one page", func(t *testing.T) { closedLinks(ctx, t, w, link) })
	t.Run("no page reachable from the link names another worker", func(t *testing.T) { crawlLink(t, w, link) })
}

// closedLinks: a revoked link (made and revoked on the command line while the server runs), a guessed one and
// another worker's id in the URL answer the same status and page.
func closedLinks(ctx context.Context, t *testing.T, w *browserWorld, link string) {
	code, out, errOut := cli(t, "", "workers", "link", w.otherWorker, "--data", w.data, "--public-url", w.srv.base)
	if code != 0 {
		t.Fatalf("workers link: %d %s", code, errOut)
	}
	revoked := strings.TrimSpace(out)
	var listed struct {
		Links []struct{ ID string } `json:"links"`
	}
	code, out, errOut = cli(t, "", "workers", "links", w.otherWorker, "--data", w.data, "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed.Links) == 0 {
		t.Fatalf("workers links: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", "workers", "unlink", w.otherWorker, listed.Links[0].ID, "--data", w.data); code != 0 {
		t.Fatalf("workers unlink: %d %s", code, errOut)
	}
	wantCode, want := plainGet(t, revoked)
	if wantCode != http.StatusNotFound {
		t.Fatalf("a revoked link: %d, want 404", wantCode)
	}
	for _, u := range []string{
		w.srv.base + "/w/Zm9yZ2VkLWd1ZXNzLW9mLWEtbGlu", // guessed: well formed, unknown
		w.srv.base + "/w/" + w.otherWorker,
		link + "/workers/" + w.otherWorker,
		link + "/" + w.otherWorker,
	} {
		if code, body := plainGet(t, u); code != wantCode || body != want {
			t.Errorf("%s: %d, not the revoked link's page", u, code)
		}
	}
	navigate(ctx, t, revoked)
	inBrowser := text(ctx, t, "main")
	navigate(ctx, t, w.srv.base+"/w/"+w.otherWorker)
	if got := text(ctx, t, "main"); got != inBrowser || !strings.Contains(got, "This link does not work") {
		t.Errorf("in the browser, another worker's id shows %q; a revoked link %q", got, inBrowser)
	}
}

// crawlLink follows every same-origin link of the worker's pages, breadth first, and checks that no page names a
// worker id other than the link's own. The pages are server-rendered without script, so the crawl reads them over
// HTTP (with a cookie jar, as the browser would) rather than driving the browser through each.
func crawlLink(t *testing.T, w *browserWorld, link string) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	workerID := regexp.MustCompile(`\bw-[0-9]{4,}\b`)
	href := regexp.MustCompile(`(?:href|action)="([^"]+)"`)
	seen := map[string]bool{}
	queue := []string{link}
	for len(queue) > 0 && len(seen) < 60 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, id := range workerID.FindAllString(string(body), -1) {
			if id != w.worker {
				t.Errorf("%s names worker %s", u, id)
			}
		}
		for _, m := range href.FindAllStringSubmatch(string(body), -1) {
			next, _, _ := strings.Cut(html.UnescapeString(m[1]), "#")
			if strings.HasPrefix(next, "/w/") {
				next = w.srv.base + next
			}
			if strings.HasPrefix(next, w.srv.base+"/w/") && !seen[next] && !slices.Contains(queue, next) {
				queue = append(queue, next)
			}
		}
	}
	if len(seen) < 12 { // the record and the form in six languages, at least
		t.Errorf("the crawl reached only %d pages: %v", len(seen), seen)
	}
}
