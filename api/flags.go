package api

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// flagPage answers GET /v1/flags: a page of the flags that `fairtrail flags --format json` lists for the same
// query, in the same order, with the same objects.
type flagPage struct {
	Flags         []domain.Flag `json:"flags"`
	NextPageToken string        `json:"next_page_token,omitempty"`
}

var flagParams = []string{"code", "buyer", "employer", "agency", "job_order", "worker", "as_of", "known_at", "currency",
	"page_size", "page_token"}

// convertedFlagPage is a flagPage with each flag's money in the reporting currency the query names.
type convertedFlagPage struct {
	Flags         []projections.ConvertedFlag `json:"flags"`
	NextPageToken string                      `json:"next_page_token,omitempty"`
}

// getFlags answers GET /v1/flags: JSON pages or, with Accept: text/csv, every flag as CSV (the command line's
// columns), as GET /v1/audit does. A worker or job order named in the query that the caller may not read
// answers 404, as does a buyer other than a buyer's or auditor's own; the other filters only narrow what the
// caller may read. With currency=CUR each flag with money also has it in that currency ("converted"), as
// `fairtrail flags --currency` prints it.
func (s *Server) getFlags(c *gin.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	q, err := query(c, flagParams...)
	if err != nil {
		return err
	}
	fq, filter, err := flagQuery(q)
	if err != nil {
		return err
	}
	who := identity(c)
	ctx := c.Request.Context()
	fr := flagRead{q: fq, filter: filter}
	var ok bool
	fr.sq, fr.acc, fr.empty, ok = scoped(who, fq)
	fr.empty = fr.empty || !ok
	fr.seek = filter == (projections.Filter{})
	kind := "flags"
	if fr.seek && format != mimeCSV {
		kind = seekKind
	}
	l, err := s.startListing(q, kind, s.now())
	if err != nil {
		return err
	}
	if err := s.checkNamed(ctx, who, fq, filter, l.clock); err != nil {
		return err
	}
	cur := q.Get("currency")
	if format == mimeCSV {
		rep, err := s.flagReporting(ctx, fr, l, cur)
		if err != nil {
			return err
		}
		return s.stream(c, contentType(format), func(w io.Writer) error {
			return s.flagsCSV(ctx, w, who, fr, l.clock, rep)
		})
	}
	var out []byte
	if fr.seek {
		out, err = s.seekFlags(ctx, l, fr.sq, fr.acc, fr.empty, cur)
	} else {
		out, err = s.flagList(ctx, who, fr, l, cur)
	}
	if err != nil {
		return err
	}
	writeWhole(c, http.StatusOK, contentType(format), out)
	if fr.seek {
		putSeekPage(out) // written: net/http keeps none of it
	}
	return nil
}

// flagReporting is what converts a flag listing's money into the reporting currency cur: nil for none.
func (s *Server) flagReporting(ctx context.Context, fr flagRead, l listing, cur string) (*projections.Reporting, error) {
	if cur == "" {
		return nil, nil
	}
	rep, err := s.query().Reporting(ctx, cur, fr.filter, l.clock)
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

// flagList answers a page of a flag listing under a time filter (not read from the flag index by seeking),
// with its money in the reporting currency cur when one is named. It reads the merged listing no further than
// the flag after the page.
func (s *Server) flagList(ctx context.Context, who keys.Identity, fr flagRead, l listing, cur string) ([]byte, error) {
	rep, err := s.flagReporting(ctx, fr, l, cur)
	if err != nil {
		return nil, err
	}
	listed, next, err := pageSeq(s, l, s.flagsUnder(ctx, who, fr, l.clock), compareListed, listedKeyOf, listedFromKey)
	if err != nil {
		return nil, err
	}
	var flags []domain.Flag // null for a listing the caller may read nothing of, as ever
	if !fr.empty {
		flags = make([]domain.Flag, 0, len(listed))
	}
	for _, lf := range listed {
		f, err := lf.Flag()
		if err != nil {
			return nil, err
		}
		flags = append(flags, f)
	}
	if rep != nil {
		return encodeJSON(convertedFlagPage{Flags: rep.Flags(flags), NextPageToken: next})
	}
	return encodeJSON(flagPage{Flags: flags, NextPageToken: next})
}

// eachFlag calls fn with each flag of the listing the caller may read, in listing order, as it is read:
// without a time filter from the persisted flag index within the caller's scope, else from flagsUnder. fn's
// error stops the listing and is returned. The model must be caught up (checkNamed does it).
func (s *Server) eachFlag(ctx context.Context, who keys.Identity, fr flagRead, clock time.Time, fn func(domain.Flag) error) error {
	if fr.empty {
		return nil
	}
	if fr.seek {
		return s.cfg.Model.ListFlags(ctx, fr.sq, clock, readmodel.FlagSeek{Access: fr.acc}, func(l *readmodel.IndexedFlag) error {
			f, err := l.Flag()
			if err != nil {
				return err
			}
			return fn(f)
		})
	}
	for lf, err := range s.flagsUnder(ctx, who, fr, clock) {
		if err != nil {
			return err
		}
		f, err := lf.Flag()
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// flagsUnder yields the flags of a listing under a time filter that the caller may read, in listing order:
// replayed shard by shard in a replay slot (held until the loop ends) and merged (see
// readmodel.Model.ListFlagsUnder), each flag's access decided on the view it was judged in, so that an as-of
// listing is scoped by who was party to the job order then. The model must be caught up.
func (s *Server) flagsUnder(ctx context.Context, who keys.Identity, fr flagRead, clock time.Time) iter.Seq2[readmodel.ListedFlag, error] {
	return func(yield func(readmodel.ListedFlag, error) bool) {
		if fr.empty {
			return
		}
		keep := func(v *projections.View, f domain.Flag) bool { return newAccess(who, v).flag(f) }
		stopped := false
		err := s.replay(ctx, func() error {
			for f, err := range s.cfg.Model.ListFlagsUnder(ctx, s.cfg.Store, fr.q, fr.filter, fr.filter.Clock(clock), keep) {
				if !yield(f, err) || err != nil {
					stopped = true
					break
				}
			}
			return nil
		})
		if err != nil && !stopped {
			yield(readmodel.ListedFlag{}, err)
		}
	}
}

// flagQuery reads the filters of GET /v1/flags.
func flagQuery(q url.Values) (projections.FlagQuery, projections.Filter, error) {
	fq := projections.FlagQuery{WorkerID: q.Get("worker"), JobOrderID: q.Get("job_order"), BuyerID: q.Get("buyer"),
		EmployerID: q.Get("employer"), AgencyID: q.Get("agency"), Code: q.Get("code")}
	filter, fields := timeFilter(q)
	if cur := q.Get("currency"); cur != "" {
		if f := currencyField(cur); f != nil {
			fields = append(fields, *f)
		}
	}
	for _, p := range []struct{ name, v string }{{"worker", fq.WorkerID}, {"job_order", fq.JobOrderID},
		{"buyer", fq.BuyerID}, {"employer", fq.EmployerID}, {"agency", fq.AgencyID}} {
		if p.v == "" {
			continue
		}
		if f := checkID(p.name, p.v); f != nil {
			fields = append(fields, *f)
		}
	}
	if !validCodePrefix(fq.Code) {
		fields = append(fields, domain.FieldError{Path: "code", Problem: "a flag code or its prefix, such as fee. or contract.substitution"})
	}
	if len(fields) > 0 {
		return fq, filter, invalidQuery(fields)
	}
	return fq, filter, nil
}

func validCodePrefix(code string) bool {
	if len(code) > 64 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if b := code[i]; !(b >= 'a' && b <= 'z' || b == '.' || b == '_') {
			return false
		}
	}
	return true
}

// checkNamed answers 404 for a worker, job order or buyer named in the query that the caller may not read (the
// model caught up first): without a time filter a worker is decided on the parties the persisted model records
// of it, one indexed read; under one, and a job order always, on a view of what the query names under the
// filter.
func (s *Server) checkNamed(ctx context.Context, who keys.Identity, fq projections.FlagQuery, filter projections.Filter,
	clock time.Time) error {
	if err := s.fresh(ctx); err != nil {
		return err
	}
	if fq.WorkerID != "" && filter == (projections.Filter{}) {
		p, ok, err := s.cfg.Model.WorkerParties(ctx, fq.WorkerID)
		if err != nil {
			return err
		}
		if !ok || !newAccess(who, nil).recorded(p) {
			return fail(errNotFound, "worker %s not found", fq.WorkerID)
		}
		fq.WorkerID = "" // decided
	}
	if fq.WorkerID != "" || fq.JobOrderID != "" {
		if err := s.checkViewed(ctx, who, fq, filter, clock); err != nil {
			return err
		}
	}
	if fq.BuyerID != "" && !newAccess(who, nil).buyer(fq.BuyerID) {
		return fail(errNotFound, "buyer %s not found", fq.BuyerID)
	}
	return nil
}

// checkViewed answers 404 for a worker or job order named in the query that the caller may not read, judged on
// a view of what it names under the filter. The model must be caught up.
func (s *Server) checkViewed(ctx context.Context, who keys.Identity, fq projections.FlagQuery, filter projections.Filter,
	clock time.Time) error {
	scope := readmodel.Scope{}
	if fq.WorkerID != "" {
		scope.Workers = []string{fq.WorkerID}
	}
	if fq.JobOrderID != "" {
		scope.Context = []string{fq.JobOrderID}
	}
	v, err := s.query().View(ctx, scope, filter, clock)
	if err != nil {
		return err
	}
	acc := newAccess(who, v)
	if fq.WorkerID != "" {
		if r, ok := v.Worker(fq.WorkerID); !ok || !acc.worker(r) {
			return fail(errNotFound, "worker %s not found", fq.WorkerID)
		}
	}
	if fq.JobOrderID == "" {
		return nil
	}
	_, ok := v.JobOrder(fq.JobOrderID)
	if !ok && acc.all() {
		return s.knownJobOrder(ctx, fq.JobOrderID, filter, clock)
	}
	if !ok || !acc.jobOrder(fq.JobOrderID) {
		return fail(errNotFound, "job order %s not found", fq.JobOrderID)
	}
	return nil
}

// knownJobOrder answers 404 for a job order that no event names under the filter: one without events of its
// own may still be known from the workers recruited for it.
func (s *Server) knownJobOrder(ctx context.Context, id string, filter projections.Filter, clock time.Time) error {
	v, err := s.query().View(ctx, readmodel.Scope{JobOrders: []string{id}}, filter, clock)
	if err != nil {
		return err
	}
	if _, ok := v.JobOrder(id); !ok {
		return fail(errNotFound, "job order %s not found", id)
	}
	return nil
}

// compareFlags is the order of a flag listing.
var compareFlags = projections.CompareFlags

// flagKey is a flag's sort key, as page tokens carry it.
type flagKey struct {
	RaisedAt   time.Time `json:"t"`
	Code       string    `json:"c"`
	WorkerID   string    `json:"w"`
	JobOrderID string    `json:"j"`
	EventIDs   []string  `json:"e"`
}

// listedKeyOf is a listed flag's sort key, as page tokens carry it.
func listedKeyOf(f readmodel.ListedFlag) any { return flagKeyOf(f.Key) }

// listedFromKey is a listed flag carrying a page token's key, for comparison.
func listedFromKey(raw json.RawMessage) (readmodel.ListedFlag, bool) {
	f, ok := flagFromKey(raw)
	return readmodel.ListedFlag{Key: f}, ok
}

// compareListed is the order of a flag listing, of listed flags.
func compareListed(a, b readmodel.ListedFlag) int { return compareFlags(a.Key, b.Key) }

func flagKeyOf(f domain.Flag) any {
	return flagKey{RaisedAt: f.RaisedAt, Code: f.Code, WorkerID: f.WorkerID, JobOrderID: f.JobOrderID, EventIDs: f.EventIDs}
}

func flagFromKey(raw json.RawMessage) (domain.Flag, bool) {
	var k flagKey
	if json.Unmarshal(raw, &k) != nil {
		return domain.Flag{}, false
	}
	return domain.Flag{RaisedAt: k.RaisedAt, Code: k.Code, WorkerID: k.WorkerID, JobOrderID: k.JobOrderID, EventIDs: k.EventIDs}, true
}

// flagsCSV writes the listing's flags to w as CSV as they are read (export.FlagWriter), with their money in
// rep's reporting currency when rep is not nil.
func (s *Server) flagsCSV(ctx context.Context, w io.Writer, who keys.Identity, fr flagRead, clock time.Time,
	rep *projections.Reporting) error {
	fw := export.NewFlagWriter(w, rep)
	if err := s.eachFlag(ctx, who, fr, clock, fw.Write); err != nil {
		return err
	}
	return fw.Close()
}
