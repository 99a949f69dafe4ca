package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
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
	sq, acc, empty, seek := scoped(who, fq)
	seek = seek && s.cfg.Model != nil && filter == (projections.Filter{}) && format != mimeCSV
	kind := "flags"
	if seek {
		kind = seekKind
	}
	l, err := s.startListing(q, kind, s.now())
	if err != nil {
		return err
	}
	var out []byte
	err = s.read(c.Request.Context(), filter, l.clock, func(v *projections.View) error {
		acc := newAccess(who, v)
		if err := checkNamed(v, acc, fq); err != nil {
			return err
		}
		if seek {
			return nil
		}
		all := v.Flags(fq)
		visible := all[:0:0]
		for _, f := range all {
			if acc.flag(f) {
				visible = append(visible, f)
			}
		}
		cur := q.Get("currency")
		if format == mimeCSV {
			out, err = flagsCSV(v, visible, cur)
			return err
		}
		flags, next := page(s, l, visible, compareFlags, flagKeyOf, flagFromKey)
		if cur != "" {
			out, err = encodeJSON(convertedFlagPage{Flags: v.Reporting(cur).Flags(flags), NextPageToken: next})
			return err
		}
		out, err = encodeJSON(flagPage{Flags: flags, NextPageToken: next})
		return err
	})
	if err != nil {
		return err
	}
	if seek {
		if out, err = s.seekFlags(c.Request.Context(), l, sq, acc, empty, q.Get("currency")); err != nil {
			return err
		}
	}
	c.Data(http.StatusOK, contentType(format), out)
	return nil
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

// checkNamed answers 404 for a worker, job order or buyer named in the query that the caller may not read.
func checkNamed(v *projections.View, acc *access, fq projections.FlagQuery) error {
	if fq.WorkerID != "" {
		if r, ok := v.Worker(fq.WorkerID); !ok || !acc.worker(r) {
			return fail(errNotFound, "worker %s not found", fq.WorkerID)
		}
	}
	if fq.JobOrderID != "" {
		if _, ok := v.JobOrder(fq.JobOrderID); !ok || !acc.jobOrder(fq.JobOrderID) {
			return fail(errNotFound, "job order %s not found", fq.JobOrderID)
		}
	}
	if fq.BuyerID != "" && !acc.buyer(fq.BuyerID) {
		return fail(errNotFound, "buyer %s not found", fq.BuyerID)
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

// flagsCSV lays flags out as CSV, with their money in the reporting currency cur when one is named.
func flagsCSV(v *projections.View, flags []domain.Flag, cur string) ([]byte, error) {
	var records [][]string
	var err error
	if cur != "" {
		records, err = export.ConvertedFlags(v.Reporting(cur).Flags(flags))
	} else {
		records, err = export.Flags(flags)
	}
	if err != nil {
		return nil, err
	}
	return writeCSV(records)
}
