package console

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
)

// Linker makes a worker's access link for a caller who may; *api.Reader implements it.
type Linker interface {
	// CreateLink makes the link, lasting life (a year when zero), with URLs starting at base. Errors:
	// api.ErrNotFound for a worker out of the caller's scope, and a forbidden error for a role that may not.
	CreateLink(ctx context.Context, who keys.Identity, workerID, base string, life time.Duration) (api.NewLink, error)
}

// linkRoles may make a worker's link from the console (the API's rule, which CreateLink enforces; the button
// is shown to them only).
var linkRoles = []string{keys.RoleAdmin, keys.RoleEmployer, keys.RoleAuditor}

// canLink reports whether the worker page shows the button that makes a link.
func (c *Console) canLink(who keys.Identity) bool {
	return c.cfg.Linker != nil && slices.Contains(linkRoles, who.Role)
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
		base = "http://" + r.Host
		if r.TLS != nil {
			base = "https://" + r.Host
		}
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
