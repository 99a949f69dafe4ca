package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Envelope is an event as submitted, to the API or as one line of an NDJSON import:
// {"event_id": "...", "type": "FeePaid", "occurred_at": "2025-03-04T09:00:00Z", "data": {...}}.
type Envelope struct {
	// EventID is the idempotency key; zero when the submitter gave none (the caller then assigns one).
	EventID EventID
	// Type is the catalogue type name.
	Type string
	// OccurredAt is business time: when it happened in the world.
	OccurredAt time.Time
	// Event is the decoded, validated data.
	Event Event
}

// Stream is the stream the event belongs to.
func (e Envelope) Stream() string { return e.Event.Stream() }

type rawEnvelope struct {
	EventID    *string         `json:"event_id"`
	Type       *string         `json:"type"`
	OccurredAt *string         `json:"occurred_at"`
	Data       json.RawMessage `json:"data"`
}

// Decode reads and validates one event envelope. Every problem found is returned in one *ValidationError whose
// paths name the fields ("occurred_at", "data.amount.currency").
func Decode(raw []byte) (Envelope, error) {
	var r rawEnvelope
	if err := decodeStrict(raw, &r, ""); err != nil {
		return Envelope{}, err
	}
	return r.envelope(func(typ string, data []byte) (Event, error) { return decodeData(typ, data, false) })
}

// EnvelopeFrom checks an envelope's members, read by a decoder of the caller's (eventstore's fast path of valid
// events), and decodes its data with decode, as Decode does with its own: every problem collected.
func EnvelopeFrom(eventID, typ, occurredAt *string, data json.RawMessage,
	decode func(typ string, data []byte) (Event, error)) (Envelope, error) {
	return rawEnvelope{eventID, typ, occurredAt, data}.envelope(decode)
}

// envelope checks the envelope's members and decodes its data with decode, collecting every problem.
func (r rawEnvelope) envelope(decode func(typ string, data []byte) (Event, error)) (Envelope, error) {
	var env Envelope
	c := newChecker("")
	if r.EventID != nil {
		id, err := ParseEventID(*r.EventID)
		switch {
		case err != nil:
			c.fail("event_id", err.Error())
		case id.IsZero():
			c.fail("event_id", "must not be the nil UUID")
		}
		env.EventID = id
	}
	switch {
	case r.OccurredAt == nil || *r.OccurredAt == "":
		c.fail("occurred_at", "required (RFC 3339 date-time, e.g. 2025-03-04T09:00:00Z)")
	default:
		t, err := ParseInstant(*r.OccurredAt)
		if err != nil {
			c.fail("occurred_at", "not an RFC 3339 date-time: "+strconv.Quote(*r.OccurredAt))
		} else if t.Year() < 1900 || t.Year() > 2199 {
			c.fail("occurred_at", "year outside 1900-2199")
		}
		env.OccurredAt = t.UTC()
	}
	if r.Type == nil || *r.Type == "" {
		c.fail("type", "required (one of the catalogue's event types, e.g. FeePaid)")
	} else {
		env.Type = *r.Type
	}
	if len(r.Data) == 0 || bytes.Equal(r.Data, []byte("null")) {
		c.fail("data", "required (a JSON object)")
	}
	if env.Type != "" && len(r.Data) > 0 {
		ev, err := decode(env.Type, r.Data)
		var ve *ValidationError
		if errors.As(err, &ve) {
			*c.errs = append(*c.errs, ve.Fields...)
		} else if err != nil {
			return Envelope{}, err
		}
		env.Event = ev
	}
	if err := c.err(); err != nil {
		return Envelope{}, err
	}
	return env, nil
}

// decodeStrict decodes JSON into v refusing unknown fields, trailing data, upper-case and repeated keys, and
// reports problems by their JSON path under prefix.
func decodeStrict(raw []byte, v any, prefix string) *ValidationError {
	if err := strictUnmarshal(raw, v); err != nil {
		return jsonProblem(raw, v, prefix, err)
	}
	return checkKeys(raw, prefix)
}

// strictUnmarshal decodes exactly one JSON value into v, refusing unknown fields and trailing data.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("unexpected data after the JSON value")

// jsonProblem turns an encoding/json error about raw decoded into v into a *ValidationError with a JSON path
// under prefix.
func jsonProblem(raw []byte, v any, prefix string, err error) *ValidationError {
	join := func(field string) string { return joinPath(prefix, field) }
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalid(join(""), "malformed JSON at byte "+strconv.FormatInt(syn.Offset, 10)+": "+syn.Error())
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ")
		return invalid(typeErrorPath(raw, typ.Field, kind, prefix), "must be "+jsonKind(typ.Type.Kind().String())+", not "+typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalid(join(""), "malformed JSON: unexpected end of input")
	case errors.Is(err, errTrailing):
		return invalid(join(""), err.Error())
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if path, found := unknownFieldPath(raw, reflect.TypeOf(v), prefix); found {
			return invalid(path, "unknown field")
		}
		name, _ := strconv.Unquote(field)
		return invalid(join(name), "unknown field")
	}
	return invalid(join(""), strings.TrimPrefix(msg, "json: "))
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64":
		return "a whole number"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a " + kind
}
