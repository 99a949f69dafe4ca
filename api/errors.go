package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// Kinds of failure that handlers report. This file alone turns them, and the errors of the store, the domain
// and net/http, into HTTP statuses.
var (
	errUnauthenticated  = errors.New("unauthenticated")
	errForbidden        = errors.New("forbidden")
	errNotFound         = errors.New("not found")
	errMethodNotAllowed = errors.New("method not allowed")
	errNotAcceptable    = errors.New("not acceptable")
	errTooLarge         = errors.New("payload too large")
	errHeaderTooLarge   = errors.New("request header fields too large")
	errUnsupportedMedia = errors.New("unsupported media type")
	errUnavailable      = errors.New("unavailable")
)

// problem is a failure with what the client may be told: a message and the fields or lines at fault. Its
// kind is one of the errors above or a sentinel of the store or the domain.
type problem struct {
	kind    error
	message string
	fields  []domain.FieldError
	lines   []eventstore.LineError
}

// Error is the message the client may see.
func (p *problem) Error() string { return p.message }

// Unwrap gives the kind, for errors.Is.
func (p *problem) Unwrap() error { return p.kind }

func fail(kind error, format string, args ...any) *problem {
	return &problem{kind: kind, message: fmt.Sprintf(format, args...)}
}

// invalidFields is a 400 naming every bad field.
func invalidFields(message string, fields []domain.FieldError) *problem {
	return &problem{kind: domain.ErrInvalid, message: message, fields: fields}
}

// invalidQuery is a 400 for a query's bad parameters (at least one), its message naming the first.
func invalidQuery(fields []domain.FieldError) *problem {
	return invalidFields("invalid query: "+fields[0].Path+": "+fields[0].Problem, fields)
}

// invalidField is a 400 naming one bad field.
func invalidField(path, issue string) *problem {
	return invalidFields("invalid input: "+path+": "+issue, []domain.FieldError{{Path: path, Problem: issue}})
}

// errorBody is every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	// Code is stable and meant for programs: invalid_input, unauthenticated, forbidden, not_found, conflict,
	// event_id_reused, report_id_reused, fee_id_reused, reimbursement_id_reused, loan_id_reused, gone (an erased
	// note), payload_too_large, header_too_large, unsupported_media_type, not_acceptable, method_not_allowed, unavailable, timeout, internal.
	Code      string                 `json:"code"`
	Message   string                 `json:"message"`
	Fields    []domain.FieldError    `json:"fields,omitempty"`
	Lines     []eventstore.LineError `json:"lines,omitempty"`
	RequestID string                 `json:"request_id"`
}

// statuses maps each kind of failure to its status and code, in the order they are tried.
var statuses = []struct {
	kind   error
	status int
	code   string
}{
	{errTooLarge, http.StatusRequestEntityTooLarge, "payload_too_large"},
	{errHeaderTooLarge, http.StatusRequestHeaderFieldsTooLarge, "header_too_large"},
	{domain.ErrInvalid, http.StatusBadRequest, "invalid_input"},
	{errUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{keys.ErrUnknownKey, http.StatusUnauthorized, "unauthenticated"},
	{errForbidden, http.StatusForbidden, "forbidden"},
	{errNotFound, http.StatusNotFound, "not_found"},
	{errMethodNotAllowed, http.StatusMethodNotAllowed, "method_not_allowed"},
	{errNotAcceptable, http.StatusNotAcceptable, "not_acceptable"},
	{errUnsupportedMedia, http.StatusUnsupportedMediaType, "unsupported_media_type"},
	{notes.ErrErased, http.StatusGone, "gone"},
	{eventstore.ErrEventIDReused, http.StatusConflict, "event_id_reused"},
	{eventstore.ErrReportIDReused, http.StatusConflict, "report_id_reused"},
	{eventstore.ErrFeeIDReused, http.StatusConflict, "fee_id_reused"},
	{eventstore.ErrReimbursementIDReused, http.StatusConflict, "reimbursement_id_reused"},
	{eventstore.ErrLoanIDReused, http.StatusConflict, "loan_id_reused"},
	{eventstore.ErrConflict, http.StatusConflict, "conflict"},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "timeout"},
	{errUnavailable, http.StatusServiceUnavailable, "unavailable"},
	{eventstore.ErrClosed, http.StatusServiceUnavailable, "unavailable"},
	{context.Canceled, http.StatusServiceUnavailable, "unavailable"},
}

// status maps an error to its status, code and the message a client may see. Errors it does not know are
// internal: the client sees only "internal error" and the request id.
func status(err error) (int, errorDetail) {
	d := errorDetail{Code: "internal"}
	st := http.StatusInternalServerError
	var p *problem
	if errors.As(err, &p) {
		d.Message, d.Fields, d.Lines = p.message, p.fields, p.lines
	}
	var tooLarge *http.MaxBytesError
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &tooLarge):
		st, d.Code = http.StatusRequestEntityTooLarge, "payload_too_large"
		d.Message = fmt.Sprintf("request body larger than %d bytes", tooLarge.Limit)
	case errors.As(err, &ve) && p == nil:
		st, d.Code, d.Message, d.Fields = http.StatusBadRequest, "invalid_input", "invalid input", ve.Fields
	default:
		for _, s := range statuses {
			if errors.Is(err, s.kind) {
				st, d.Code = s.status, s.code
				break
			}
		}
	}
	if p == nil && d.Message == "" || st == http.StatusInternalServerError {
		d.Message, d.Fields, d.Lines = publicMessage(st), nil, nil
	}
	return st, d
}

func publicMessage(st int) string {
	switch st {
	case http.StatusUnauthorized:
		return "a valid API key is required: Authorization: Bearer <key>"
	case http.StatusServiceUnavailable:
		return "the service cannot answer now; retry later"
	case http.StatusGatewayTimeout:
		return "the request ran out of time; retry later, or narrow the query"
	case http.StatusConflict:
		return "conflict with the stored events"
	}
	return "internal error; quote the request id when reporting it"
}

// respondError writes the error response, logging the internal error once when the fault is the server's.
func (s *Server) respondError(c *gin.Context, err error) {
	st, d := status(err)
	d.RequestID = requestID(c)
	c.Set(ctxErrorCode, d.Code)
	if st >= http.StatusInternalServerError {
		level := slog.LevelError
		if st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout {
			level = slog.LevelWarn
		}
		s.log.LogAttrs(c.Request.Context(), level, "request failed", slog.String("request_id", d.RequestID),
			slog.String("route", routeLabel(c)), slog.String("code", d.Code), slog.String("err", err.Error()))
	}
	if st == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="fairtrail"`)
	}
	if st == http.StatusServiceUnavailable {
		c.Header("Retry-After", "1")
	}
	body, err := encodeJSON(errorBody{Error: d}) // strings only: it cannot fail
	if err != nil {
		body = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	writeWhole(c, st, "application/json", body)
	c.Abort()
}
