package console

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Reader is what the console reads through: *api.Reader, the API's own queries and caller scope.
type Reader interface {
	FlagPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) (api.FlagPage, error)
	EachFlag(ctx context.Context, who keys.Identity, q url.Values, fn func(domain.Flag) error) error
	Worker(ctx context.Context, who keys.Identity, id string, q url.Values) (*projections.WorkerReport, error)
	JobOrder(ctx context.Context, who keys.Identity, id string) (*projections.JobOrder, []api.Recruit, error)
	Audit(ctx context.Context, who keys.Identity, q url.Values) ([]projections.AuditRow, string, error)
	Overview(ctx context.Context, who keys.Identity, q url.Values) (api.Overview, error)
	Receipts(ctx context.Context, who keys.Identity, workerID string) (map[string]api.Receipt, error)
}

// Authenticator finds who an API key speaks for; *keys.File implements it.
type Authenticator interface {
	Authenticate(secret string) (keys.Identity, error)
}

// Config is what the console needs. Reader, Keys and Logger are required.
type Config struct {
	Reader Reader
	Keys   Authenticator
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// IdleTimeout ends a session unused that long (default 30 min); MaxAge ends any session that old
	// (default 12 h).
	IdleTimeout, MaxAge time.Duration
	// PageSize is the number of flags on a page of the flag listing (default 50).
	PageSize int
}

// ErrConfig is returned by New for a Config that lacks a required field.
var ErrConfig = errors.New("console: incomplete config")

// Console serves the web console. It is an http.Handler.
type Console struct {
	cfg      Config
	log      *slog.Logger
	sessions *sessions
	pages    *pages
	mux      *http.ServeMux
	cop      *http.CrossOriginProtection
	handler  http.Handler // mux behind cop
	signKey  []byte       // signs sign-in forms' CSRF tokens
}

// New builds the console from cfg.
func New(cfg Config) (*Console, error) {
	if cfg.Reader == nil || cfg.Keys == nil || cfg.Logger == nil {
		return nil, ErrConfig
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.IdleTimeout = cmpDur(cfg.IdleTimeout, 30*time.Minute)
	cfg.MaxAge = cmpDur(cfg.MaxAge, 12*time.Hour)
	if cfg.PageSize <= 0 {
		cfg.PageSize = 50
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, log: cfg.Logger, pages: pg, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection(),
		sessions: newSessions(cfg.Now, cfg.IdleTimeout, cfg.MaxAge), signKey: []byte(randomToken())}
	c.cop.SetDenyHandler(http.HandlerFunc(c.crossSite))
	c.routes()
	c.handler = c.cop.Handler(c.mux)
	return c, nil
}

func cmpDur(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (c *Console) routes() {
	static, _ := fs.Sub(assets, "static") // the directory is embedded: it cannot fail
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET /{$}", c.home)
	c.mux.HandleFunc("GET /sign-in", c.signInForm)
	c.mux.HandleFunc("POST /sign-in", c.signIn)
	c.mux.HandleFunc("POST /sign-out", c.signedIn(c.signOut))
	c.mux.HandleFunc("GET /overview", c.signedIn(c.overview))
	c.mux.HandleFunc("GET /flags", c.signedIn(c.flags))
	c.mux.HandleFunc("GET /flags.csv", c.signedIn(c.flagsCSV))
	c.mux.HandleFunc("GET /flags.json", c.signedIn(c.flagsJSON))
	c.mux.HandleFunc("GET /workers/{id}", c.signedIn(c.worker))
	c.mux.HandleFunc("GET /job-orders/{id}", c.signedIn(c.jobOrder))
	c.mux.HandleFunc("GET /audit", c.signedIn(c.audit))
	c.mux.HandleFunc("GET /audit.csv", c.signedIn(c.auditCSV))
	c.mux.HandleFunc("/", c.signedIn(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.notFound(w, r, s)
	}))
}

// ServeHTTP implements http.Handler: security headers on every answer, cross-site posts refused.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.handler.ServeHTTP(w, r)
}

// crossSite answers a cross-site post.
func (c *Console) crossSite(w http.ResponseWriter, r *http.Request) {
	c.log.Warn("console: cross-site request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"))
	c.render(w, r, http.StatusForbidden, "error", nil, errorPage{Message: "error.crosssite"})
}

// signedIn runs h with the request's session, or sends the visitor to sign in.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.sessions.get(r)
		if ok {
			id, err := c.cfg.Keys.Authenticate(s.secret)
			if err != nil { // revoked since sign-in
				c.sessions.end(s.token)
				ok = false
			} else {
				s.who = id
			}
		}
		if !ok {
			if r.Method != http.MethodGet {
				c.render(w, r, http.StatusForbidden, "error", nil, errorPage{Message: "error.session"})
				return
			}
			http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, s)
	}
}

// home sends the visitor to the overview, or to sign in.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.sessions.get(r); ok {
		http.Redirect(w, r, "/overview", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// fail renders a read's error: the not-found page for what is missing or out of scope, the refusal of an
// invalid query with its message, and a generic page for the rest (logged).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	switch {
	case errors.Is(err, api.ErrNotFound):
		c.notFound(w, r, s)
	case errors.Is(err, domain.ErrInvalid):
		c.render(w, r, http.StatusBadRequest, "error", s, errorPage{Message: "error.invalid", Detail: api.PublicMessage(err)})
	case errors.Is(err, api.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		c.render(w, r, http.StatusServiceUnavailable, "error", s, errorPage{Message: "error.unavailable"})
	default:
		c.log.Error("console: page failed", "path", r.URL.Path, "err", err)
		c.render(w, r, http.StatusInternalServerError, "error", s, errorPage{Message: "error.internal"})
	}
}

// notFound is the one page for what does not exist and for what the caller may not read.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusNotFound, "error", s, errorPage{Message: "error.notfound"})
}

// errorPage is the data of the error template; Message is a catalogue key.
type errorPage struct {
	Message string
	Detail  string
}
