package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// maxCosignatureBody bounds a POST /v1/log/cosignatures body: a checkpoint with a few dozen signatures.
const maxCosignatureBody = 16 << 10

// logOf is the store's Merkle log; both backends have one.
func (s *Server) logOf() (eventstore.Log, error) {
	l, ok := s.cfg.Store.(eventstore.Log)
	if !ok {
		return nil, fail(errNotFound, "this store keeps no log")
	}
	return l, nil
}

// getCheckpoint answers GET /v1/log/checkpoint: the latest signed checkpoint with its cosignatures, as a
// C2SP signed note.
func (s *Server) getCheckpoint(c *gin.Context) error {
	if err := noQuery(c); err != nil {
		return err
	}
	if s.cfg.Checkpoints == nil {
		return fail(errNotFound, "no checkpoint has been signed (serve signs them with --log-key)")
	}
	e, ok, err := s.cfg.Checkpoints.Latest()
	if err != nil {
		return err
	}
	if !ok {
		return fail(errNotFound, "no checkpoint has been signed yet")
	}
	writeWhole(c, http.StatusOK, "text/plain; charset=utf-8", e.Signed())
	return nil
}

// checkpointList answers GET /v1/log/checkpoints.
type checkpointList struct {
	Checkpoints []checkpointEntry `json:"checkpoints"`
}

type checkpointEntry struct {
	Size     int64     `json:"size"`
	Root     tlog.Hash `json:"root"`
	SignedAt time.Time `json:"signed_at"`
	Note     string    `json:"note"`
}

// getCheckpoints answers GET /v1/log/checkpoints?since=N: the checkpoints of trees larger than N, oldest
// first, a page at most.
func (s *Server) getCheckpoints(c *gin.Context) error {
	q, err := query(c, "since")
	if err != nil {
		return err
	}
	since := int64(0)
	if v := q.Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			return invalidField("since", "must be a tree size: a whole number >= 0")
		}
	}
	out := checkpointList{Checkpoints: []checkpointEntry{}}
	if s.cfg.Checkpoints != nil {
		es, err := s.cfg.Checkpoints.Since(since, s.lim.MaxPageSize)
		if err != nil {
			return err
		}
		for _, e := range es {
			out.Checkpoints = append(out.Checkpoints, checkpointEntry{Size: e.Size, Root: e.Root, SignedAt: e.SignedAt,
				Note: string(e.Signed())})
		}
	}
	return respond(c, http.StatusOK, out)
}

// sizes reads whole-number query parameters that name leaves or tree sizes.
func sizes(c *gin.Context, names ...string) ([]int64, error) {
	q, err := query(c, names...)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(names))
	var fields []domain.FieldError
	for i, name := range names {
		v, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil || v < 0 {
			fields = append(fields, domain.FieldError{Path: name, Problem: "required: a whole number >= 0"})
		}
		out[i] = v
	}
	if len(fields) > 0 {
		return nil, invalidQuery(fields)
	}
	return out, nil
}

// inclusionProof answers GET /v1/log/inclusion.
type inclusionProof struct {
	LeafIndex int64       `json:"leaf_index"`
	TreeSize  int64       `json:"tree_size"`
	EventID   string      `json:"event_id"`
	Stream    string      `json:"stream"`
	Leaf      string      `json:"leaf"`
	LeafHash  string      `json:"leaf_hash"`
	Hashes    []tlog.Hash `json:"hashes"`
}

// getInclusion answers GET /v1/log/inclusion?leaf=I&size=N: an RFC 6962 proof that leaf I is in the tree of
// size N, for an event the caller may read (any other leaf is not found, as for every read).
func (s *Server) getInclusion(c *gin.Context) error {
	v, err := sizes(c, "leaf", "size")
	if err != nil {
		return err
	}
	l, err := s.logOf()
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	rec, err := l.LeafEvent(ctx, v[0])
	if errors.Is(err, eventstore.ErrNotInLog) {
		return fail(errNotFound, "leaf %d not found", v[0])
	}
	if err != nil {
		return err
	}
	ok, err := s.mayRead(c, rec.Stream)
	if err != nil {
		return err
	}
	if !ok {
		return fail(errNotFound, "leaf %d not found", v[0])
	}
	p, err := l.ProveLeaf(ctx, v[0], v[1])
	if errors.Is(err, eventstore.ErrNotInLog) {
		return invalidField("size", fmt.Sprintf("must be a tree size above leaf %d and at most the log's size", v[0]))
	}
	if err != nil {
		return err
	}
	leaf := eventstore.Leaf(rec)
	lh := eventstore.LeafHash(leaf)
	return respond(c, http.StatusOK, inclusionProof{LeafIndex: v[0], TreeSize: v[1], EventID: rec.ID.String(),
		Stream: rec.Stream, Leaf: string(leaf), LeafHash: fmt.Sprintf("%x", lh[:]), Hashes: p})
}

// mayRead reports whether the caller may read a stream's events: a worker's or a job order's by the API's
// scope rules; organisations' and policies' by admins.
func (s *Server) mayRead(c *gin.Context, stream string) (bool, error) {
	who := identity(c)
	var scope readmodel.Scope
	worker, isWorker := strings.CutPrefix(stream, "worker-")
	jobOrder, isJobOrder := strings.CutPrefix(stream, "joborder-")
	switch {
	case who.Role == keys.RoleAdmin:
		return true, s.fresh(c.Request.Context())
	case isWorker:
		scope.Workers = []string{worker}
	case isJobOrder:
		scope.Context = []string{jobOrder}
	default:
		return false, nil
	}
	ok := false
	err := s.read(c.Request.Context(), scope, projections.Filter{}, s.now(), func(v *projections.View) error {
		acc := newAccess(who, v)
		if isWorker {
			r, found := v.Worker(worker)
			ok = found && acc.worker(r)
		} else {
			ok = acc.jobOrder(jobOrder)
		}
		return nil
	})
	return ok, err
}

// consistencyProof answers GET /v1/log/consistency.
type consistencyProof struct {
	From   int64       `json:"from"`
	To     int64       `json:"to"`
	Hashes []tlog.Hash `json:"hashes"`
}

// getConsistency answers GET /v1/log/consistency?from=N&to=M: an RFC 6962 proof that the tree of size N is a
// prefix of the tree of size M.
func (s *Server) getConsistency(c *gin.Context) error {
	v, err := sizes(c, "from", "to")
	if err != nil {
		return err
	}
	l, err := s.logOf()
	if err != nil {
		return err
	}
	p, err := l.ProveTree(c.Request.Context(), v[0], v[1])
	if errors.Is(err, eventstore.ErrNotInLog) {
		return invalidField("from", "sizes must be 1 <= from <= to <= the log's size")
	}
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, consistencyProof{From: v[0], To: v[1], Hashes: p})
}

// cosignatureResult answers POST /v1/log/cosignatures.
type cosignatureResult struct {
	Size int64 `json:"size"`
	Kept int   `json:"kept"`
}

// postCosignature answers POST /v1/log/cosignatures: a checkpoint this log signed, with a witness's
// cosignature lines (C2SP tlog-cosignature) after the log's signature. The lines are kept and served with the
// checkpoint; whoever trusts the witness checks them with its key. With the log's witnesses configured
// (Config.Witnesses), a line none of them signed is refused, and with it the whole post: a reader's key cannot
// fill a checkpoint's slots with lines nobody can check.
func (s *Server) postCosignature(c *gin.Context) error {
	if err := requireContentType(c, "text/plain"); err != nil {
		return err
	}
	if err := noQuery(c); err != nil {
		return err
	}
	if s.cfg.Checkpoints == nil || s.cfg.LogVerifier == nil {
		return fail(errNotFound, "no checkpoint has been signed (serve signs them with --log-key)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxCosignatureBody))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	cp, n, err := checkpoint.Open(body, s.cfg.LogVerifier)
	if err != nil {
		return invalidField("body", "not a checkpoint signed by this log: "+err.Error())
	}
	lines := checkpoint.OtherSignatures(body, n, s.cfg.LogVerifier)
	if len(lines) == 0 {
		return invalidField("body", "no cosignature besides the log's own signature")
	}
	if len(s.cfg.Witnesses) > 0 {
		if _, n, err = checkpoint.Open(body, s.cfg.LogVerifier, s.cfg.Witnesses...); err != nil {
			return invalidField("body", "a cosignature of a witness this log knows does not verify: "+err.Error())
		}
		for _, line := range lines {
			if !checkpoint.SignedByOneOf(n, line, s.cfg.Witnesses) {
				name, _, _ := strings.Cut(strings.TrimPrefix(line, "— "), " ")
				return invalidField("body", "the cosignature of "+strconv.Quote(name)+" is not signed by a witness "+
					"this log knows (serve --witness-key): nothing was kept")
			}
		}
	}
	for _, line := range lines {
		if err := s.cfg.Checkpoints.AddCosignature(cp, line); err != nil {
			return invalidField("body", err.Error())
		}
	}
	return respond(c, http.StatusCreated, cosignatureResult{Size: cp.Size, Kept: len(lines)})
}
