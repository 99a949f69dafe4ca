package console

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
)

// employerKeys knows "good" (a buyer, as fakeKeys) and "emp" (the employer of w-1).
type employerKeys struct{ fakeKeys }

func (k *employerKeys) Authenticate(secret string) (keys.Identity, error) {
	if secret == "emp" {
		return keys.Identity{KeyID: "key_3", Org: "emp-1", Role: keys.RoleEmployer}, nil
	}
	return k.fakeKeys.Authenticate(secret)
}

// fakeLinker makes links for w-1 only.
type fakeLinker struct{ made, revoked []string }

func (l *fakeLinker) Links(_ context.Context, _ keys.Identity, workerID string) ([]api.LinkView, error) {
	if workerID != "w-1" {
		return nil, api.ErrNotFound
	}
	return []api.LinkView{{ID: "link_1", WorkerID: "w-1", CreatedBy: "emp-1", Status: "live"},
		{ID: "link_0", WorkerID: "w-1", CreatedBy: "ops", Status: "revoked"}}, nil
}

func (l *fakeLinker) RevokeLink(_ context.Context, _ keys.Identity, workerID, linkID string) (api.LinkView, error) {
	if workerID != "w-1" || linkID != "link_1" {
		return api.LinkView{}, api.ErrNotFound
	}
	l.revoked = append(l.revoked, linkID)
	return api.LinkView{ID: linkID, Status: "revoked"}, nil
}

func (l *fakeLinker) CreateLink(_ context.Context, who keys.Identity, workerID, base string, _ time.Duration) (api.NewLink, error) {
	if workerID != "w-1" {
		return api.NewLink{}, api.ErrNotFound
	}
	l.made = append(l.made, who.Org)
	return api.NewLink{URL: base + "/w/" + goodSecret, Link: api.LinkView{ID: "link_1", WorkerID: workerID,
		ExpiresAt: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}}, nil
}

func TestMakeALinkFromTheWorkerPage(t *testing.T) {
	t.Parallel()
	l := &fakeLinker{}
	con, err := New(Config{Reader: fakeReader{}, Keys: &employerKeys{}, Logger: slog.New(slog.DiscardHandler), Linker: l})
	if err != nil {
		t.Fatal(err)
	}
	post := func(ck *http.Cookie, csrf string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/workers/w-1/links", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(ck)
		w := httptest.NewRecorder()
		con.ServeHTTP(w, req)
		return w
	}
	buyer, _ := signIn(t, con, "good")
	if page := get(con, "/workers/w-1", buyer).Body.String(); strings.Contains(page, "/workers/w-1/links") {
		t.Error("a buyer is shown the button that makes a link")
	}
	buyerCSRF := csrfField.FindStringSubmatch(get(con, "/workers/w-1", buyer).Body.String())[1]
	if w := post(buyer, buyerCSRF); w.Code != http.StatusNotFound {
		t.Errorf("a buyer's post: %d, want 404", w.Code)
	}
	emp, _ := signIn(t, con, "emp")
	page := get(con, "/workers/w-1", emp).Body.String()
	if !strings.Contains(page, `action="/workers/w-1/links"`) {
		t.Fatal("the employer is not shown the button that makes a link")
	}
	if w := post(emp, "forged"); w.Code != http.StatusForbidden || len(l.made) != 0 {
		t.Errorf("a forged token: %d, %d links made", w.Code, len(l.made))
	}
	if n := strings.Count(page, "/revoke\""); n != 1 {
		t.Errorf("%d revoke buttons, want one for the one live link", n)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"another worker's link", "/workers/w-1/links/link_9/revoke", http.StatusNotFound},
		{"the live link", "/workers/w-1/links/link_1/revoke", http.StatusSeeOther},
	} {
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(emp)
		rec := httptest.NewRecorder()
		con.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("revoke %s: %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
	if len(l.revoked) != 1 {
		t.Errorf("revoked %v", l.revoked)
	}
	w := post(emp, csrf)
	body := w.Body.String()
	if w.Code != http.StatusCreated || !strings.Contains(body, "http://example.com/w/"+goodSecret) ||
		!strings.Contains(body, `src="data:image/svg`) || len(l.made) != 1 || l.made[0] != "emp-1" {
		t.Errorf("made: %d %v\n%s", w.Code, l.made, body)
	}
}
