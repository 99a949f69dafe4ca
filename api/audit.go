package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/export"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// auditPage answers GET /v1/audit as JSON: a page of the rows of `fairtrail audit --format json`.
type auditPage struct {
	Rows          []projections.AuditRow `json:"rows"`
	NextPageToken string                 `json:"next_page_token,omitempty"`
}

var auditParams = []string{"buyer", "by", "as_of", "known_at", "currency", "page_size", "page_token"}

// getAudit answers GET /v1/audit: the audit rolled up by buyer, employer, agency or job order, as JSON pages
// or, with Accept: text/csv, the whole table as CSV (the command line's columns); with currency=CUR each row
// also has its money in that currency and its months of wages, as `fairtrail audit --currency` prints them.
//
// Buyers and auditors see the audit of one buyer's supply chain: buyer defaults to a buyer key's own
// organisation, or to an auditor's only granting buyer; a buyer they may not read answers 404. Admin keys may
// leave buyer out for the audit of every supply chain.
func (s *Server) getAudit(c *gin.Context) error {
	format, err := negotiate(c)
	if err != nil {
		return err
	}
	q, err := query(c, auditParams...)
	if err != nil {
		return err
	}
	aq, filter, err := auditQuery(q, identity(c))
	if err != nil {
		return err
	}
	l, err := s.startListing(q, "audit", s.now())
	if err != nil {
		return err
	}
	rows, err := s.audit(c.Request.Context(), aq, filter, l.clock)
	if err != nil {
		return err
	}
	if format == mimeCSV {
		return s.stream(c, contentType(format), func(w io.Writer) error { return writeCSV(w, export.Audit(rows)) })
	}
	page, next := page(s, l, rows, compareRows, func(r projections.AuditRow) any { return r.Key }, rowFromKey)
	out, err := encodeJSON(auditPage{Rows: page, NextPageToken: next})
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, contentType(format), out)
	return nil
}

// audit answers an audit from the persisted model, caught up first: from its maintained rollups without a
// time filter (judged at clock), else replayed worker by worker under the filter (judged at its clock) in a
// replay slot.
func (s *Server) audit(ctx context.Context, aq projections.AuditQuery, filter projections.Filter,
	clock time.Time) ([]projections.AuditRow, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	var rows []projections.AuditRow
	read := func() error {
		var err error
		rows, err = s.query().Audit(ctx, aq, filter, clock)
		if errors.Is(err, readmodel.ErrGrouping) {
			return invalidField("by", err.Error())
		}
		return err
	}
	var err error
	if filter == (projections.Filter{}) {
		err = read()
	} else {
		err = s.replay(ctx, read)
	}
	return rows, err // rows read after read ran: in `return rows, read()` the order is unspecified
}

// auditQuery reads the query and scopes it to the caller's buyers.
func auditQuery(q url.Values, who keys.Identity) (aq projections.AuditQuery, filter projections.Filter, err error) {
	aq = projections.AuditQuery{BuyerID: q.Get("buyer"), By: q.Get("by"), Currency: q.Get("currency")}
	filter, fields := timeFilter(q)
	if aq.Currency != "" {
		if f := currencyField(aq.Currency); f != nil {
			fields = append(fields, *f)
		}
	}
	if aq.By != "" && !slices.Contains(projections.Groupings, aq.By) {
		fields = append(fields, domain.FieldError{Path: "by", Problem: "one of " + strings.Join(projections.Groupings, ", ")})
	}
	if aq.BuyerID != "" {
		if f := checkID("buyer", aq.BuyerID); f != nil {
			fields = append(fields, *f)
		}
	}
	if len(fields) > 0 {
		return aq, filter, invalidQuery(fields)
	}
	if who.Role == keys.RoleAdmin {
		return aq, filter, nil
	}
	aq.BuyerID, err = scopedBuyer(aq.BuyerID, who, "name the buyer whose audit you want (one that granted you access)")
	return aq, filter, err
}

func compareRows(a, b projections.AuditRow) int { return strings.Compare(a.Key, b.Key) }

func rowFromKey(raw json.RawMessage) (projections.AuditRow, bool) {
	var k string
	if json.Unmarshal(raw, &k) != nil {
		return projections.AuditRow{}, false
	}
	return projections.AuditRow{Key: k}, true
}

// mimeCSV is the media type of the list routes' CSV answers.
const mimeCSV = "text/csv"

// negotiate picks the answer's media type of a list route from Accept: JSON (also for no Accept header) or
// CSV; another type answers 406.
func negotiate(c *gin.Context) (string, error) {
	format := c.NegotiateFormat(gin.MIMEJSON, mimeCSV)
	if format == "" {
		return "", fail(errNotAcceptable, "this route answers application/json or text/csv")
	}
	return format, nil
}

// contentType is the Content-Type header of an answer in format.
func contentType(format string) string {
	if format == mimeCSV {
		return "text/csv; charset=utf-8"
	}
	return format
}

// writeCSV writes CSV records to w.
func writeCSV(w io.Writer, records [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}
