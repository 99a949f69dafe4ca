package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fairtrail/fairtrail/domain/synth"
)

var updateScreenshots = flag.Bool("screenshots", false,
	"write the console's screenshots beside its code (api/console/screenshots) rather than to a temporary directory")

// browserWorld is the dataset the browser tests share: a `fairtrail serve` over a small generated store, its
// keys, and the ids the tests open.
type browserWorld struct {
	srv                 *serving
	data                string
	admin, buyer        string // keys
	buyerID, otherBuyer string
	worker, jobOrder    string // of buyerID, with a contract substitution
	otherWorker         string // of another buyer only
	otherJobOrder       string
}

// chromium finds the browser: absent, the test is skipped, except under CI=true where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium)")
	return ""
}

// axeSource is axe-core's script, from $FAIRTRAIL_AXE (.ci/run fetches it with npm); without it the
// accessibility checks are skipped, except under CI=true where the test fails.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("FAIRTRAIL_AXE")
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FAIRTRAIL_AXE is not set: .ci/run fetches axe-core with npm")
		}
		t.Log("FAIRTRAIL_AXE not set: accessibility checks skipped")
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	return string(b)
}

func newBrowserWorld(t *testing.T) *browserWorld {
	t.Helper()
	dir := t.TempDir()
	w := &browserWorld{data: filepath.Join(dir, "data")}
	file := filepath.Join(dir, "events.ndjson")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(f, synth.Options{Workers: 120, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, _, errOut := cli(t, "", "import", "--data", w.data, file); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	w.admin = w.key(t, "ops", "admin")
	w.srv = startServing(t, "--data", w.data, "--log-format", "json")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if code, _ := w.srv.request(t, "GET", "/readyz", "", "", nil); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve not ready after 30 s")
		}
	}
	w.pick(t)
	w.buyer = w.key(t, w.buyerID, "buyer")
	return w
}

func (w *browserWorld) key(t *testing.T, org, role string) string {
	t.Helper()
	code, out, errOut := cli(t, "", "keys", "create", "--org", org, "--role", role, "--data", w.data)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	return strings.TrimSpace(out)
}

// termChange is a term a contract flag reports as changed.
type termChange struct {
	Term string `json:"term"`
}

// pick chooses, through the API as admin, a worker with a contract substitution that lowered the wage (the
// worker's own page shows the wage difference), its buyer and job order, and a worker and job order of another
// buyer only.
func (w *browserWorld) pick(t *testing.T) {
	t.Helper()
	var page struct {
		Flags []struct {
			Code       string   `json:"code"`
			WorkerID   string   `json:"worker_id"`
			JobOrderID string   `json:"job_order_id"`
			BuyerIDs   []string `json:"buyer_ids"`
			Details    struct {
				Changes []termChange `json:"changes"`
			} `json:"details"`
		} `json:"flags"`
	}
	code, body := w.srv.request(t, "GET", "/v1/flags?page_size=1000", w.admin, "", nil)
	if code != http.StatusOK || json.Unmarshal(body, &page) != nil {
		t.Fatalf("GET /v1/flags: %d %s", code, body)
	}
	for _, f := range page.Flags {
		lowerWage := slices.ContainsFunc(f.Details.Changes, func(c termChange) bool { return c.Term == "wage" })
		if f.Code != "contract.substitution" || !lowerWage || f.WorkerID == "" || w.worker != "" {
			continue
		}
		for _, b := range f.BuyerIDs {
			for _, o := range page.Flags {
				if o.WorkerID != "" && len(o.BuyerIDs) > 0 && !slices.Contains(o.BuyerIDs, b) && w.worker == "" {
					w.worker, w.jobOrder, w.buyerID = f.WorkerID, f.JobOrderID, b
					w.otherWorker, w.otherJobOrder, w.otherBuyer = o.WorkerID, o.JobOrderID, o.BuyerIDs[0]
				}
			}
		}
	}
	if w.worker == "" || w.otherWorker == "" {
		t.Fatalf("the dataset has no substitution of the wage and a worker of another buyer (%d flags)", len(page.Flags))
	}
}

// newBrowser starts one headless Chromium for every subtest.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshotDir is where the screenshots go: beside the console's code with -screenshots, else a temporary
// directory.
func screenshotDir(t *testing.T) string {
	if *updateScreenshots {
		dir := filepath.Join("..", "..", "api", "console", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// shoot writes the page at desktop and phone widths, full length.
func shoot(ctx context.Context, t *testing.T, dir, name string) {
	t.Helper()
	for _, size := range []struct {
		label         string
		width, height int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		do(ctx, t, "viewport "+size.label, chromedp.EmulateViewport(size.width, size.height))
		buf := browse(ctx, t, "screenshot "+name, chromedp.FullScreenshot(70))
		if err := os.WriteFile(filepath.Join(dir, name+"-"+size.label+".jpg"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// axeViolation is one of axe-core's findings.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessible runs axe-core on the page and fails on serious or critical violations.
func checkAccessible(ctx context.Context, t *testing.T, axe, page string) {
	t.Helper()
	if axe == "" {
		return
	}
	browse(ctx, t, "load axe-core on "+page, chromedp.Evaluate[chromedp.Void](axe+";undefined"))
	found := browse(ctx, t, "axe-core on "+page, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	var minor []string
	for _, v := range found {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: %s (%s) on %v", page, v.ID, v.Help, v.Nodes[0].Target)
		} else {
			minor = append(minor, v.ID+" ("+v.Impact+")")
		}
	}
	t.Logf("axe-core on %s: %d violations, none serious or critical required; minor: %v", page, len(found), minor)
}

// browse runs an action that returns a value within 20 s.
func browse[T any](ctx context.Context, t *testing.T, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	return browse(ctx, t, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

func count(ctx context.Context, t *testing.T, sel string) int {
	t.Helper()
	return browse(ctx, t, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
}

func navigate(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	do(ctx, t, "open "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main")))
}

// do runs the steps within 20 s; on failure it reports where the browser is and what it shows.
func do(ctx context.Context, t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		main, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		t.Fatalf("%s: %v (at %s)\n%s", what, err, loc, main)
	}
}

// sessionCookie is the browser's session cookie, read through the DevTools protocol (script cannot).
func sessionCookie(ctx context.Context, t *testing.T) *http.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == "ft_session" {
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
				t.Errorf("session cookie %+v: want HttpOnly and SameSite=Strict", c)
			}
			return &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	t.Fatal("no session cookie in the browser")
	return nil
}

// statusWith is the status of a GET with the cookie, redirects not followed.
func statusWith(t *testing.T, url string, ck *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(ck)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// download clicks a link and waits for the browser to save the file in dir; it returns the file's content.
func download(ctx context.Context, t *testing.T, dir, sel string) string {
	t.Helper()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	events := chromedp.BrowserEvents(wctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	for ev, err := range events {
		if err != nil {
			t.Fatalf("download %s: %v", sel, err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("download %s did not complete", sel)
	return ""
}
