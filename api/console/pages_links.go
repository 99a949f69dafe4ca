package console

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
)

// Linker makes, lists and revokes a worker's access links for a caller who may; *api.Reader implements it.
// Errors: api.ErrNotFound for a worker (or link) out of the caller's scope, and a forbidden error for a role
// that may not.
type Linker interface {
	// CreateLink makes the link, lasting life (a year when zero), with URLs starting at base.
	CreateLink(ctx context.Context, who keys.Identity, workerID, base string, life time.Duration) (api.NewLink, error)
	// Links lists the worker's links, revoked and expired ones too.
	Links(ctx context.Context, who keys.Identity, workerID string) ([]api.LinkView, error)
	// RevokeLink ends one of the worker's links.
	RevokeLink(ctx context.Context, who keys.Identity, workerID, linkID string) (api.LinkView, error)
}

// canLink reports whether the worker page shows the button that makes a link: to the roles the API lets make
// one (CreateLink checks the worker's scope too).
func (c *Console) canLink(who keys.Identity) bool {
	return c.cfg.Linker != nil && slices.Contains(api.LinkerRoles, who.Role)
}

// linkMadePage is the data of the page that shows a new link, once.
type linkMadePage struct {
	WorkerID string
	Link     api.NewLink
	QR       template.URL // the QR code's SVG as a data: URI
}

// makeLink answers POST /workers/{id}/links: it makes a link for the worker and shows it, this once.
func (c *Console) makeLink(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if !validCSRF(r, s.csrf) {
		c.render(w, r, http.StatusForbidden, "error", s, errorPage{Message: "error.csrf"})
		return
	}
	if !c.canLink(s.who) {
		c.notFound(w, r, s)
		return
	}
	base := c.cfg.PublicURL
	if base == "" {
		base = workerlink.RequestBase(r)
	}
	id := r.PathValue("id")
	link, err := c.cfg.Linker.CreateLink(r.Context(), s.who, id, base, 0)
	if err != nil {
		if !errors.Is(err, api.ErrNotFound) {
			c.log.Error("console: make a worker link", "worker_id", id, "err", err)
		}
		c.fail(w, r, s, err)
		return
	}
	qr, err := workerlink.DataURI(link.URL)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusCreated, "linkmade", s, linkMadePage{WorkerID: id, Link: link,
		QR: template.URL(qr)}) // #nosec: a data: URI this server made from its own SVG
}

// linksOf lists the worker's links for the worker page, for a visitor who may manage them; nil otherwise or when
// they cannot be read (the page is still worth showing: the failure is logged).
func (c *Console) linksOf(r *http.Request, s *session, workerID string) []api.LinkView {
	if !c.canLink(s.who) {
		return nil
	}
	ls, err := c.cfg.Linker.Links(r.Context(), s.who, workerID)
	if err != nil {
		c.log.Warn("console: list a worker's links", "worker_id", workerID, "err", err)
		return nil
	}
	return ls
}

// revokeLink answers POST /workers/{id}/links/{link}/revoke: the link is ended and the visitor sent back to the
// worker page.
func (c *Console) revokeLink(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if !validCSRF(r, s.csrf) {
		c.render(w, r, http.StatusForbidden, "error", s, errorPage{Message: "error.csrf"})
		return
	}
	if !c.canLink(s.who) {
		c.notFound(w, r, s)
		return
	}
	id := r.PathValue("id")
	if _, err := c.cfg.Linker.RevokeLink(r.Context(), s.who, id, r.PathValue("link")); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/workers/"+url.PathEscape(id)+"#w-links", http.StatusSeeOther)
}
