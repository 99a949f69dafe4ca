package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
)

// cookieName is the session cookie. The __Host- prefix (behind TLS) pins it to this host and path /.
const (
	cookieName    = "ft_session"
	tlsCookieName = "__Host-ft_session"
)

// session is a signed-in visitor. The API key stays on the server, so that each request is authenticated
// again (a revoked key or a withdrawn grant takes effect at once); the cookie holds only a random token.
type session struct {
	token   string // the cookie's value
	csrf    string // carried by every form that changes state
	secret  string // the API key signed in with
	created time.Time
	seen    time.Time
	who     keys.Identity // set per request by signedIn
}

// sessions holds the live sessions in memory, by the hash of their token. A restart signs everyone out.
type sessions struct {
	mu         sync.Mutex
	byHash     map[[sha256.Size]byte]*session
	now        func() time.Time
	idle, life time.Duration
	// name and tlsName are the cookie's names without and with TLS; path is its path.
	name, tlsName, path string
}

func newSessions(now func() time.Time, idle, life time.Duration) *sessions {
	return &sessions{byHash: map[[sha256.Size]byte]*session{}, now: now, idle: idle, life: life,
		name: cookieName, tlsName: tlsCookieName, path: "/"}
}

// newLinkSessions holds the sessions of visitors who opened a worker's link: their secret is the link's, and
// their cookie is sent only to the worker pages.
func newLinkSessions(now func() time.Time, idle, life time.Duration) *sessions {
	return &sessions{byHash: map[[sha256.Size]byte]*session{}, now: now, idle: idle, life: life,
		name: "ft_link", tlsName: "__Secure-ft_link", path: workerlink.PathPrefix}
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail (it crashes the program if the OS cannot supply)
	return base64.RawURLEncoding.EncodeToString(b)
}

// start opens a session for the key and sets its cookie.
func (ss *sessions) start(w http.ResponseWriter, r *http.Request, secret string) *session {
	now := ss.now()
	s := &session{token: randomToken(), csrf: randomToken(), secret: secret, created: now, seen: now}
	ss.mu.Lock()
	ss.sweep(now)
	ss.byHash[sha256.Sum256([]byte(s.token))] = s
	ss.mu.Unlock()
	http.SetCookie(w, ss.cookie(r, s.token, int(ss.life/time.Second)))
	return s
}

// cookie is the session cookie with the value, lasting maxAge seconds (-1 clears it).
func (ss *sessions) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	name := ss.name
	if r.TLS != nil {
		name = ss.tlsName
	}
	return &http.Cookie{Name: name, Value: value, Path: ss.path, MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode}
}

// get finds the request's live session and marks it used; an expired one is ended.
func (ss *sessions) get(r *http.Request) (*session, bool) {
	name := ss.name
	if r.TLS != nil {
		name = ss.tlsName
	}
	ck, err := r.Cookie(name)
	if err != nil || ck.Value == "" {
		return nil, false
	}
	h := sha256.Sum256([]byte(ck.Value))
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byHash[h]
	if !ok {
		return nil, false
	}
	if ss.expired(s, now) {
		delete(ss.byHash, h)
		return nil, false
	}
	s.seen = now
	cp := *s
	return &cp, true
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) > ss.idle || now.Sub(s.created) > ss.life
}

// sweep drops expired sessions; the caller holds mu.
func (ss *sessions) sweep(now time.Time) {
	for h, s := range ss.byHash {
		if ss.expired(s, now) {
			delete(ss.byHash, h)
		}
	}
}

// end ends the session with the token, server-side: its cookie no longer signs anyone in.
func (ss *sessions) end(token string) {
	ss.mu.Lock()
	delete(ss.byHash, sha256.Sum256([]byte(token)))
	ss.mu.Unlock()
}

// len is the number of sessions held.
func (ss *sessions) len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.byHash)
}

// validCSRF reports whether the form's token is the session's.
func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
