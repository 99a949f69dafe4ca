package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/message"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

//go:embed templates/*.html templates/worker/*.html static/*
var assets embed.FS

// Reader is what the console reads through: *api.Reader, the API's own queries and caller scope.
type Reader interface {
	FlagPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) (api.FlagPage, error)
	EachFlag(ctx context.Context, who keys.Identity, q url.Values, fn func(domain.Flag) error) error
	ConvertFlags(ctx context.Context, q url.Values, flags []domain.Flag) ([]projections.ConvertedFlag, error)
	Worker(ctx context.Context, who keys.Identity, id string, q url.Values) (*projections.WorkerReport, error)
	JobOrder(ctx context.Context, who keys.Identity, id string) (*projections.JobOrder, []api.Recruit, error)
	Audit(ctx context.Context, who keys.Identity, q url.Values) ([]projections.AuditRow, string, error)
	Agencies(ctx context.Context, who keys.Identity, q url.Values) (projections.AgencyReport, error)
	AuditPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) ([]projections.AuditRow, string, api.TablePage, error)
	AgencyPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) (projections.AgencyReport, api.TablePage, error)
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
	// PageSize is the number of rows on a page of the flag listing, the audit and the agencies (default 50).
	PageSize int
	// Workers opens workers' access links: the worker's own pages under /w/. Without it every link gets the
	// closed-link page.
	Workers WorkerReader
	// Reports records the reports workers make on their pages; without it the form says reports cannot be
	// sent yet.
	Reports ReportRecorder
	// Linker makes a worker's access link from the console's worker page; without it the page has no button.
	Linker Linker
	// PublicURL is the base of the links the console shows (see api.Config.PublicURL).
	PublicURL string
	// LinkBurst and LinkInterval bound each client's attempts at worker links: LinkBurst at once, then one
	// more every LinkInterval (defaults 60 and 1 s: a worker reading and reporting never meets it; a guesser
	// gets 86,400 guesses a day at a 160-bit secret).
	LinkBurst    int
	LinkInterval time.Duration
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
	// workerPages are the worker's pages' templates; linkSessions their visitors' sessions; attempts bounds
	// each client's attempts at links.
	workerPages  map[string]*template.Template
	linkSessions *sessions
	attempts     *limiter
	// printerFor prints the worker's pages in a language (workerPrinter; a test swaps in a pseudo-language).
	printerFor func(workerLang) *message.Printer
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
	if cfg.LinkBurst <= 0 {
		cfg.LinkBurst = 60
	}
	cfg.LinkInterval = cmpDur(cfg.LinkInterval, time.Second)
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	wp, err := parseWorkerPages()
	if err != nil {
		return nil, fmt.Errorf("console: parse the worker's pages: %w", err)
	}
	c := &Console{cfg: cfg, log: cfg.Logger, pages: pg, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection(),
		sessions: newSessions(cfg.Now, cfg.IdleTimeout, cfg.MaxAge), signKey: []byte(randomToken()), workerPages: wp,
		linkSessions: newLinkSessions(cfg.Now, time.Hour, 12*time.Hour), attempts: newLimiter(cfg.Now, cfg.LinkBurst, cfg.LinkInterval),
		printerFor: workerPrinter}
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
	c.mux.HandleFunc("GET /agencies", c.signedIn(c.agencies))
	c.mux.HandleFunc("GET /agencies.csv", c.signedIn(c.agenciesCSV))
	c.mux.HandleFunc("GET /agencies.json", c.signedIn(c.agenciesJSON))
	c.mux.HandleFunc("POST /workers/{id}/links", c.signedIn(c.makeLink))
	c.mux.HandleFunc("POST /workers/{id}/links/{link}/revoke", c.signedIn(c.revokeLink))
	c.mux.HandleFunc("GET /w/{secret}", c.linkRoute(c.record))
	c.mux.HandleFunc("GET /w/{secret}/report", c.linkRoute(c.reportForm))
	c.mux.HandleFunc("POST /w/{secret}/report", c.linkRoute(c.report))
	c.mux.HandleFunc("/w/", c.linkRoute(func(w http.ResponseWriter, r *http.Request, _ string, _ *api.OwnRecord) {
		c.closed(w, r)
	}))
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
	c.log.Warn("console: cross-site request refused", "method", r.Method, "path", loggedPath(r),
		"origin", r.Header.Get("Origin"))
	c.render(w, r, http.StatusForbidden, "error", nil, errorPage{Message: "error.crosssite"})
}

// loggedPath is the request's path as logs may show it: a worker link's secret is left out.
func loggedPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, workerlink.PathPrefix) {
		return workerlink.PathPrefix + "…"
	}
	return r.URL.Path
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
