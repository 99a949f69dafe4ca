package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/api/keys"
)

// signInTokenLife is how long a sign-in form's CSRF token is accepted.
const signInTokenLife = time.Hour

// signInPage is the data of the sign-in template.
type signInPage struct {
	CSRF  string
	Next  string
	Error string // a catalogue key
}

// signInForm shows the sign-in form with a fresh CSRF token, also set in a short-lived cookie.
func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) {
	c.showSignIn(w, r, http.StatusOK, "")
}

func (c *Console) showSignIn(w http.ResponseWriter, r *http.Request, status int, problem string) {
	tok := c.signInToken(c.cfg.Now().Add(signInTokenLife))
	c.render(w, r, status, "signin", nil, signInPage{CSRF: tok, Next: safeNext(r.FormValue("next")), Error: problem})
}

// signIn exchanges an API key for a session. Only roles that read (not metrics keys) may sign in.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		c.render(w, r, http.StatusBadRequest, "error", nil, errorPage{Message: "error.invalid", Detail: "the form could not be read"})
		return
	}
	if !c.validSignInToken(r.PostForm.Get("csrf")) {
		c.render(w, r, http.StatusForbidden, "error", nil, errorPage{Message: "error.csrf"})
		return
	}
	secret := strings.TrimSpace(r.PostForm.Get("key"))
	if secret == "" {
		c.showSignIn(w, r, http.StatusBadRequest, "signin.missing")
		return
	}
	id, err := c.cfg.Keys.Authenticate(secret)
	switch {
	case errors.Is(err, keys.ErrUnknownKey):
		c.showSignIn(w, r, http.StatusUnauthorized, "signin.unknown")
		return
	case err != nil:
		c.log.Error("console: sign-in failed", "err", err)
		c.render(w, r, http.StatusInternalServerError, "error", nil, errorPage{Message: "error.internal"})
		return
	case id.Role == keys.RoleMetrics:
		c.showSignIn(w, r, http.StatusForbidden, "signin.role")
		return
	}
	c.sessions.start(w, r, secret)
	c.log.Info("console: signed in", "key_id", id.KeyID, "org", id.Org, "role", id.Role)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// signInToken is the sign-in form's CSRF token: there is no session yet, so it is its expiry signed with the
// console's key (a cross-site post is refused before, by its Sec-Fetch-Site and Origin headers).
func (c *Console) signInToken(expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	mac := hmac.New(sha256.New, c.signKey)
	mac.Write([]byte("sign-in " + exp))
	return exp + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// validSignInToken reports whether tok is a sign-in token of this console that has not expired.
func (c *Console) validSignInToken(tok string) bool {
	exp, _, ok := strings.Cut(tok, ".")
	sec, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || c.cfg.Now().Unix() > sec {
		return false
	}
	return hmac.Equal([]byte(tok), []byte(c.signInToken(time.Unix(sec, 0))))
}

// safeNext keeps a redirect after sign-in on this site: a path, never another origin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || strings.HasPrefix(next, "/sign-") {
		return "/overview"
	}
	return next
}

// signOut ends the session server-side and clears its cookie.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if !validCSRF(r, s.csrf) {
		c.render(w, r, http.StatusForbidden, "error", s, errorPage{Message: "error.csrf"})
		return
	}
	c.sessions.end(s.token)
	http.SetCookie(w, c.sessions.cookie(r, "", -1))
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}
