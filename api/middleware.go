package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
)

// Keys of values kept on a request's gin.Context.
const (
	ctxRequestID = "fairtrail.request_id"
	ctxIdentity  = "fairtrail.identity"
	ctxErrorCode = "fairtrail.error_code"
)

// requestID takes the client's X-Request-Id when it is a sensible token, else makes one, and echoes it, with
// the headers every answer carries.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !validRequestID(id) {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail (Go 1.24+)
		id = hex.EncodeToString(b[:])
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	// Answers are tenant data: no shared cache may keep them, and no browser may read them as another type.
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return false
		}
	}
	return true
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// identity is the authenticated caller; authorize has run on every route that asks.
func identity(c *gin.Context) keys.Identity {
	id, _ := c.Get(ctxIdentity)
	v, _ := id.(keys.Identity)
	return v
}

// headerLimit answers 431 when the request line and headers are larger than Limits.MaxHeaderBytes (counted as
// net/http counts them): a long page token or header gets the JSON error shape, not net/http's plain text.
func (s *Server) headerLimit(c *gin.Context) {
	r := c.Request
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	if n > s.lim.MaxHeaderBytes {
		s.respondError(c, fail(errHeaderTooLarge, "request line and headers are %d bytes; at most %d", n, s.lim.MaxHeaderBytes))
		return
	}
	c.Next()
}

// observe counts and times the request by route template and status, and writes the access log line.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	took := time.Since(start)
	route, method, st := routeLabel(c), methodLabel(c.Request.Method), c.Writer.Status()
	s.metrics.request(route, method, strconv.Itoa(st), took)
	attrs := []slog.Attr{
		slog.String("request_id", requestID(c)), slog.String("method", c.Request.Method),
		slog.String("route", route), slog.String("path", c.Request.URL.Path), slog.Int("status", st),
		slog.Int("bytes", max(c.Writer.Size(), 0)), slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.String("remote", c.ClientIP()),
	}
	if id := identity(c); id.KeyID != "" {
		attrs = append(attrs, slog.String("key_id", id.KeyID), slog.String("org", id.Org), slog.String("role", id.Role))
	}
	if code := c.GetString(ctxErrorCode); code != "" {
		attrs = append(attrs, slog.String("error_code", code))
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request", attrs...)
}

// routeLabel is the route template ("/v1/workers/:id"), never the path: no ids in metric labels.
func routeLabel(c *gin.Context) string {
	if p := c.FullPath(); p != "" {
		return p
	}
	return "unmatched"
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// recoverPanics answers a panicking handler with a 500 and logs it once, with its stack.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler { //nolint:errorlint // net/http's own sentinel, compared as it does
			panic(v)
		}
		err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		if c.Writer.Written() {
			s.log.Error("panic after the response started", "request_id", requestID(c), "err", err.Error())
			c.Abort()
			return
		}
		s.respondError(c, err)
	}()
	c.Next()
}

// deadline bounds a request's work by Limits.RequestTimeout.
func (s *Server) deadline(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.lim.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// authorize authenticates the bearer key and lets through the roles given; another role answers 403.
func (s *Server) authorize(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := s.authenticate(c.GetHeader("Authorization"))
		if err != nil {
			s.respondError(c, err)
			return
		}
		c.Set(ctxIdentity, id)
		if !slices.Contains(roles, id.Role) {
			s.respondError(c, fail(errForbidden, "a key with role %s may not use %s %s", id.Role, c.Request.Method, routeLabel(c)))
			return
		}
		c.Next()
	}
}

func (s *Server) authenticate(header string) (keys.Identity, error) {
	if header == "" {
		return keys.Identity{}, fail(errUnauthenticated, "missing Authorization header: send Authorization: Bearer <key>")
	}
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return keys.Identity{}, fail(errUnauthenticated, "the Authorization header must be Bearer <key>")
	}
	id, err := s.cfg.Keys.Authenticate(token)
	switch {
	case errors.Is(err, keys.ErrUnknownKey):
		return keys.Identity{}, fail(errUnauthenticated, "unknown or revoked API key")
	case err != nil:
		return keys.Identity{}, fmt.Errorf("authenticate: %w", err)
	}
	return id, nil
}
