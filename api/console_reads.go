package api

import (
	"context"
	"net/url"
	"slices"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Errors the console's reads return, for the console to branch on (wrapped in a message the caller may see).
var (
	// ErrNotFound: the worker, job order or buyer does not exist or is out of the caller's scope; the two are
	// not told apart.
	ErrNotFound = errNotFound
	// ErrUnavailable: the read model is not ready, or the request ran out of time.
	ErrUnavailable = errUnavailable
)

// PublicMessage is what a client may be told about err: the message of a refused query (which names the
// field and the problem), or a generic sentence for anything internal.
func PublicMessage(err error) string {
	_, d := status(err)
	return d.Message
}

// Reader answers the web console's reads with the API's own parsing, caller scope and queries, so that a page
// shows exactly what the same key reads through the API. Its query values carry the API's parameter names
// (code, buyer, employer, agency, job_order, worker, by, as_of, known_at, currency). A worker, job order or buyer the
// caller may not read is ErrNotFound, the same as one that does not exist.
type Reader struct{ s *Server }

// Reader returns the console's reader over this server's read model.
func (s *Server) Reader() *Reader { return &Reader{s: s} }

// Worker returns the worker's report with its timeline, as GET /v1/workers/{id}/history answers it, with its
// recruitment cost in months of wages (and with currency, its money in that currency).
func (r *Reader) Worker(ctx context.Context, who keys.Identity, id string, q url.Values) (*projections.WorkerReport, error) {
	if f := checkID("id", id); f != nil {
		return nil, fail(errNotFound, "worker %s not found", id)
	}
	filter, fields := timeFilter(q)
	cur := q.Get("currency")
	if cur != "" {
		if f := currencyField(cur); f != nil {
			fields = append(fields, *f)
		}
	}
	if len(fields) > 0 {
		return nil, invalidQuery(fields)
	}
	var out *projections.WorkerReport
	err := r.s.read(ctx, readmodel.Scope{Workers: []string{id}}, filter, r.s.now(), func(v *projections.View) error {
		w, ok := v.Worker(id)
		if !ok || !newAccess(who, v).worker(w) {
			return fail(errNotFound, "worker %s not found", id)
		}
		out, _ = v.History(id)
		if cur != "" {
			var err error
			out, err = v.InCurrency(out, cur)
			return err
		}
		m, _ := v.MonthsOfWages(id) // the console shows it in any case: its pages are not pinned answers
		out.MonthsOfWages = &m
		return nil
	})
	return out, err
}

// ConvertFlags returns flags with their money in the reporting currency the query names (currency), under
// its time filter, as GET /v1/flags?currency= gives them; without a currency, each with no converted money.
func (r *Reader) ConvertFlags(ctx context.Context, q url.Values, flags []domain.Flag) ([]projections.ConvertedFlag, error) {
	cur := q.Get("currency")
	if cur == "" {
		out := make([]projections.ConvertedFlag, len(flags))
		for i, f := range flags {
			out[i].Flag = f
		}
		return out, nil
	}
	filter, fields := timeFilter(q)
	if f := currencyField(cur); f != nil {
		fields = append(fields, *f)
	}
	if len(fields) > 0 {
		return nil, invalidQuery(fields)
	}
	if err := r.s.fresh(ctx); err != nil {
		return nil, err
	}
	rep, err := r.s.query().Reporting(ctx, cur, filter, r.s.now())
	if err != nil {
		return nil, err
	}
	return rep.Flags(flags), nil
}

// Recruit is a worker of a job order and the agency that recruited them.
type Recruit struct {
	WorkerID    string
	RecruitedBy string
	Flagged     bool
}

// JobOrder returns the job order as GET /v1/job-orders/{id} answers it, with the workers recruited for it
// that the caller may read.
func (r *Reader) JobOrder(ctx context.Context, who keys.Identity, id string) (*projections.JobOrder, []Recruit, error) {
	if f := checkID("id", id); f != nil {
		return nil, nil, fail(errNotFound, "job order %s not found", id)
	}
	var jo *projections.JobOrder
	var recruits []Recruit
	err := r.s.read(ctx, readmodel.Scope{JobOrders: []string{id}}, projections.Filter{}, r.s.now(), func(v *projections.View) error {
		var ok bool
		jo, ok = v.JobOrder(id)
		acc := newAccess(who, v)
		if !ok || !acc.jobOrder(id) {
			return fail(errNotFound, "job order %s not found", id)
		}
		for _, wid := range jo.Workers {
			if w, ok := v.Worker(wid); ok && acc.worker(w) {
				recruits = append(recruits, Recruit{WorkerID: wid, RecruitedBy: w.RecruitedBy, Flagged: len(w.Flags) > 0})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return jo, recruits, nil
}

// Audit returns the rows of GET /v1/audit for the query, scoped to the caller's buyers as the API scopes
// them, and the buyer they were scoped to ("" for an admin's audit of every supply chain): from the persisted
// model's rollups without a time filter, else replayed worker by worker, as the API answers.
func (r *Reader) Audit(ctx context.Context, who keys.Identity, q url.Values) ([]projections.AuditRow, string, error) {
	if !slices.Contains(brands, who.Role) {
		return nil, "", fail(errNotFound, "no audit for the %s role", who.Role)
	}
	aq, filter, err := auditQuery(q, who)
	if err != nil {
		return nil, "", err
	}
	rows, err := r.s.audit(ctx, aq, filter, r.s.now())
	return rows, aq.BuyerID, err
}

// Receipt is an event's hash (spec section 5) and its leaf in the log: what `fairtrail log` and an evidence
// bundle prove it by.
type Receipt struct {
	Hash string
	Leaf int64
}

// Receipts returns the receipts of the worker's events by event id, for a worker the caller may read; none
// when the store keeps no log.
func (r *Reader) Receipts(ctx context.Context, who keys.Identity, id string) (map[string]Receipt, error) {
	if _, err := r.Worker(ctx, who, id, nil); err != nil {
		return nil, err
	}
	return r.receipts(ctx, id)
}
