package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
)

// LinkerRoles may create, list and revoke a worker's access links: admins, and in their scope the worker's
// employer and auditors (agencies and buyers may not: a link is handed to the worker by whoever holds the
// contract or interviews them).
var LinkerRoles = []string{keys.RoleAdmin, keys.RoleEmployer, keys.RoleAuditor}

// LinkView is a worker's access link as the API and the console show it: never its secret or hash.
type LinkView struct {
	ID        string     `json:"id"`
	WorkerID  string     `json:"worker_id"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Status is live, revoked or expired.
	Status string `json:"status"`
}

// NewLink is a link as it is shown once, when it is created: its URL and the URL's QR code as SVG.
type NewLink struct {
	Link  LinkView `json:"link"`
	URL   string   `json:"url"`
	QRSVG string   `json:"qr_svg"`
}

func viewLink(l keys.Link, now time.Time) LinkView {
	v := LinkView{ID: l.ID, WorkerID: l.WorkerID, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt,
		ExpiresAt: l.ExpiresAt, RevokedAt: l.RevokedAt, Status: "live"}
	switch {
	case l.RevokedAt != nil:
		v.Status = "revoked"
	case !now.Before(l.ExpiresAt):
		v.Status = "expired"
	}
	return v
}

// linkable checks that the caller may manage the worker's links: a linker role and the worker in its scope.
// A worker out of scope is not found, as everywhere; a reader of the worker in another role is forbidden.
func (r *Reader) linkable(ctx context.Context, who keys.Identity, workerID string) error {
	if r.s.cfg.Links == nil {
		return fail(errNotFound, "worker links are not kept by this server")
	}
	if _, err := r.Worker(ctx, who, workerID, nil); err != nil {
		return err
	}
	if !slices.Contains(LinkerRoles, who.Role) {
		return fail(errForbidden, "only an admin, the worker's employer or an auditor in scope may manage a worker's links")
	}
	return nil
}

// CreateLink makes an access link for a worker the caller may manage, lasting life (a year when zero), and
// returns it as it is shown once. base is the URL the link starts with (Config.PublicURL wins when set).
func (r *Reader) CreateLink(ctx context.Context, who keys.Identity, workerID, base string, life time.Duration) (NewLink, error) {
	if err := r.linkable(ctx, who, workerID); err != nil {
		return NewLink{}, err
	}
	if r.s.cfg.PublicURL != "" {
		base = r.s.cfg.PublicURL
	}
	secret, l, err := r.s.cfg.Links.Create(workerID, who.Org, life)
	if errors.Is(err, keys.ErrInvalid) {
		return NewLink{}, invalidField("expires", err.Error())
	}
	if err != nil {
		return NewLink{}, fmt.Errorf("create a link for worker %s: %w", workerID, err)
	}
	u, err := workerlink.URL(base, secret)
	if err != nil {
		return NewLink{}, fmt.Errorf("link URL: %w", err)
	}
	svg, err := workerlink.SVG(u)
	if err != nil {
		return NewLink{}, err
	}
	r.s.log.Info("worker link created", "link_id", l.ID, "worker_id", workerID, "by", who.Org, "key_id", who.KeyID)
	return NewLink{Link: viewLink(l, r.s.now()), URL: u, QRSVG: string(svg)}, nil
}

// Links lists a worker's links, revoked and expired ones too, for a caller who may manage them.
func (r *Reader) Links(ctx context.Context, who keys.Identity, workerID string) ([]LinkView, error) {
	if err := r.linkable(ctx, who, workerID); err != nil {
		return nil, err
	}
	ls, err := r.s.cfg.Links.List(workerID)
	if err != nil {
		return nil, fmt.Errorf("links of worker %s: %w", workerID, err)
	}
	out := make([]LinkView, len(ls))
	for i, l := range ls {
		out[i] = viewLink(l, r.s.now())
	}
	return out, nil
}

// RevokeLink ends one of the worker's links, for a caller who may manage them; the worker's page no longer
// opens through it.
func (r *Reader) RevokeLink(ctx context.Context, who keys.Identity, workerID, linkID string) (LinkView, error) {
	if err := r.linkable(ctx, who, workerID); err != nil {
		return LinkView{}, err
	}
	l, err := r.s.cfg.Links.Revoke(workerID, linkID)
	if errors.Is(err, keys.ErrNotFound) {
		return LinkView{}, fail(errNotFound, "link %s of worker %s not found", linkID, workerID)
	}
	if err != nil {
		return LinkView{}, fmt.Errorf("revoke link %s: %w", linkID, err)
	}
	r.s.log.Info("worker link revoked", "link_id", l.ID, "worker_id", workerID, "by", who.Org, "key_id", who.KeyID)
	return viewLink(l, r.s.now()), nil
}

// linkRequest is the body of POST /v1/workers/{id}/links; it may be empty.
type linkRequest struct {
	// Expires is how long the link lasts: days ("30d") or a duration ("720h"); a year when absent.
	Expires string `json:"expires"`
}

// postLink answers POST /v1/workers/{id}/links: 201 with the link, its URL and QR code, shown this once.
func (s *Server) postLink(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 4<<10))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	var req linkRequest
	if len(raw) > 0 {
		if err := requireContentType(c, "application/json"); err != nil {
			return err
		}
		if err := decodeJSON(raw, &req, true); err != nil {
			return err
		}
	}
	var life time.Duration
	if req.Expires != "" {
		if life, err = keys.ParseLife(req.Expires); err != nil {
			return invalidField("expires", err.Error())
		}
	}
	out, err := s.Reader().CreateLink(c.Request.Context(), identity(c), id, workerlink.RequestBase(c.Request), life)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return respond(c, http.StatusCreated, out)
}

// getLinks answers GET /v1/workers/{id}/links.
func (s *Server) getLinks(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	ls, err := s.Reader().Links(c.Request.Context(), identity(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, struct {
		Links []LinkView `json:"links"`
	}{ls})
}

// deleteLink answers DELETE /v1/workers/{id}/links/{link_id}: the link, revoked.
func (s *Server) deleteLink(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	linkID := c.Param("link_id")
	if f := checkID("link_id", linkID); f != nil {
		return invalidField("link_id", f.Problem)
	}
	l, err := s.Reader().RevokeLink(c.Request.Context(), identity(c), id, linkID)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, l)
}
