package api

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Server is the HTTP API. It is an http.Handler; its owner runs the http.Server and keeps Config.Model following the store.
type Server struct {
	cfg     Config
	lim     Limits
	log     *slog.Logger
	now     func() time.Time
	store   *countingStore
	engine  *gin.Engine
	metrics *metrics
	pages   pageSigner
	slots   chan struct{} // a slot per replay under a time filter allowed at once (Limits.MaxReplays)
	// caughtUp is set once the read model has caught up with the store since the server started.
	caughtUp atomic.Bool
	// answered is the last position of the writes this server has answered (see settle).
	answered watermark
}

// Route is a registered route: a method and a path template such as /v1/workers/{id}.
type Route struct {
	Method string
	Path   string
}

// Roles allowed on each kind of route.
var (
	writers = []string{keys.RoleAdmin, keys.RoleEmployer, keys.RoleAgency, keys.RoleAuditor, keys.RoleWorkerOrganisation}
	readers = []string{keys.RoleAdmin, keys.RoleEmployer, keys.RoleAgency, keys.RoleBuyer, keys.RoleAuditor,
		keys.RoleWorkerOrganisation}
	brands  = []string{keys.RoleAdmin, keys.RoleBuyer, keys.RoleAuditor}
	scrapes = []string{keys.RoleAdmin, keys.RoleMetrics}
)

// New builds the API from cfg and registers its metrics on cfg.Registry. The errors are about cfg (a missing
// dependency) or a registry that already holds the API's metrics.
func New(cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key := cfg.PageKey
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	lim := cfg.Limits.withDefaults()
	s := &Server{cfg: cfg, lim: lim, log: cfg.Logger, now: cfg.Now, pages: pageSigner{key: key, layout: readmodel.SchemaVersion},
		slots: make(chan struct{}, lim.MaxReplays)}
	m, err := newMetrics(cfg.Registry, s)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.store = &countingStore{Store: cfg.Store, appended: m.appended}
	s.engine = s.routes()
	return s, nil
}

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	_ = r.SetTrustedProxies(nil) // the client address is the peer's; fairtrail does not sit behind a named proxy
	r.Use(s.requestID, s.observe, s.recoverPanics, s.headerLimit)
	r.NoRoute(func(c *gin.Context) {
		s.respondError(c, fail(errNotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		s.respondError(c, fail(errMethodNotAllowed, "method %s not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})

	r.GET("/healthz", s.handle(s.healthz))
	r.GET("/readyz", s.handle(s.readyz))
	r.GET("/openapi.yaml", s.handle(serveOpenAPI))
	r.GET("/metrics", s.authorize(scrapes...), s.metrics.handler())

	v1 := r.Group("/v1", s.deadline)
	v1.POST("/events", s.authorize(writers...), s.handle(s.postEvents))
	v1.GET("/workers/:id", s.authorize(readers...), s.handle(s.getWorker))
	v1.GET("/workers/:id/history", s.authorize(readers...), s.handle(s.getHistory))
	v1.GET("/workers/:id/contracts", s.authorize(readers...), s.handle(s.getContracts))
	v1.GET("/workers/:id/evidence", s.authorize(readers...), s.handle(s.getEvidence))
	v1.POST("/workers/:id/links", s.authorize(LinkerRoles...), s.handle(s.postLink))
	v1.GET("/workers/:id/links", s.authorize(LinkerRoles...), s.handle(s.getLinks))
	v1.DELETE("/workers/:id/links/:link_id", s.authorize(LinkerRoles...), s.handle(s.deleteLink))
	v1.GET("/job-orders/:id", s.authorize(readers...), s.handle(s.getJobOrder))
	v1.GET("/flags", s.authorize(readers...), s.handle(s.getFlags))
	v1.GET("/audit", s.authorize(brands...), s.handle(s.getAudit))
	v1.GET("/agencies", s.authorize(readers...), s.handle(s.getAgencies))
	v1.GET("/log/checkpoint", s.authorize(readers...), s.handle(s.getCheckpoint))
	v1.GET("/log/checkpoints", s.authorize(readers...), s.handle(s.getCheckpoints))
	v1.GET("/log/inclusion", s.authorize(readers...), s.handle(s.getInclusion))
	v1.GET("/log/consistency", s.authorize(readers...), s.handle(s.getConsistency))
	v1.POST("/log/cosignatures", s.authorize(brands...), s.handle(s.postCosignature))
	v1.GET("/notes/erasures", s.authorize(keys.RoleAdmin), s.handle(s.getErasures))
	v1.POST("/notes/erasures", s.authorize(keys.RoleAdmin), s.handle(s.postErasure))
	v1.GET("/notes/:sha256", s.authorize(readers...), s.handle(s.getNote))
	// An import has its own, longer deadline.
	r.POST("/v1/import", s.authorize(keys.RoleAdmin), s.handle(s.postImport))
	return r
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the registered routes with OpenAPI-style path templates ({id} for gin's :id).
func (s *Server) Routes() []Route {
	var out []Route
	for _, ri := range s.engine.Routes() {
		segs := strings.Split(ri.Path, "/")
		for i, seg := range segs {
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				segs[i] = "{" + name + "}"
			}
		}
		out = append(out, Route{Method: ri.Method, Path: strings.Join(segs, "/")})
	}
	return out
}

// handle adapts a handler that returns an error: the error is answered by respondError, the one place where
// errors become statuses.
func (s *Server) handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.respondError(c, err)
		}
	}
}

// encodeJSON encodes v as the command line does (no HTML escaping), with a final newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeWhole writes an answer held whole in memory, with its Content-Length: without it net/http sends an answer
// of more than 2 KB in chunks, and writes the last chunk to the connection after the handler has returned, a
// second write (and a second wake-up of the client) for every such answer. On a TCP connection (ConnContext) the
// answer is written corked and flushed, so that it leaves at once (cork.go); with its Content-Length declared,
// the flush changes no byte of it.
func writeWhole(c *gin.Context, status int, contentType string, body []byte) {
	c.Header("Content-Length", strconv.Itoa(len(body)))
	tc := requestConn(c.Request.Context())
	corked := setCork(tc, true)
	c.Data(status, contentType, body)
	if corked {
		c.Writer.Flush()
		setCork(tc, false)
	}
}

// respond answers with v as JSON. An encoding failure is returned for respondError to report.
func respond(c *gin.Context, status int, v any) error {
	b, err := encodeJSON(v)
	if err != nil {
		return err
	}
	writeWhole(c, status, "application/json", b)
	return nil
}
