package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// A POST /v1/events body is one envelope, an array of envelopes, or
//
//	{"events": [...], "expected_revision": {"worker-w-1": 3, "joborder-jo-1": "no_stream"}}
//
// where an expected revision is a stream's last revision (revisions count from 0), "no_stream",
// "stream_exists" or "any" (the default).
type eventsRequest struct {
	Events           []json.RawMessage          `json:"events"`
	ExpectedRevision map[string]json.RawMessage `json:"expected_revision"`
}

// submission is a validated POST /v1/events body: its events admitted by the ingest (eventstore.Admit), ids
// settled (eventstore.IDs), recorded_by set.
type submission struct {
	events []eventstore.Admitted
	paths  []string // JSON path of each envelope in the body: "", "[3]" or "events[3]"
	notes  []string // the note given beside each envelope's data, "" for none (see takeNote)
	expect map[string]eventstore.ExpectedRevision
}

// parseSubmission validates a whole body and reports every bad field by its JSON path. Events without an
// event_id get one from newID; recordedBy gives each event's recorded_by.
func parseSubmission(body []byte, maxEvents int, recordedBy func(domain.Envelope) string, newID func() (domain.EventID, error)) (submission, error) {
	b, err := splitBody(body)
	if err != nil {
		return submission{}, err
	}
	raws, paths := b.raws, b.paths
	switch {
	case len(raws) == 0:
		return submission{}, invalidField(b.listPath, "at least one event is required")
	case len(raws) > maxEvents:
		return submission{}, invalidField("", fmt.Sprintf("%d events in one request; at most %d (use POST /v1/import for bulk loads)", len(raws), maxEvents))
	}
	sub, fields, err := decodeEnvelopes(raws, paths, recordedBy, newID)
	if err != nil {
		return submission{}, err
	}
	expect, expectFields := parseExpected(b.expect, sub.events, fields)
	fields = append(fields, expectFields...)
	if len(fields) > 0 {
		return submission{}, invalidFields(fmt.Sprintf("invalid input: %d problem(s); nothing was stored", len(fields)), fields)
	}
	sub.expect = expect
	return sub, nil
}

// decodeEnvelopes admits every envelope through the ingest, collecting the bad fields of all of them under
// their paths, and settles their ids (those without one get one from newID).
func decodeEnvelopes(raws []json.RawMessage, paths []string, recordedBy func(domain.Envelope) string, newID func() (domain.EventID, error)) (submission, []domain.FieldError, error) {
	sub := submission{events: make([]eventstore.Admitted, len(raws)), paths: paths, notes: make([]string, len(raws))}
	var fields []domain.FieldError
	ids := eventstore.NewIDs(newID, func(at int) string { return paths[at] })
	for i, raw := range raws {
		raw, text, noteFields := takeNote(raw, paths[i])
		fields = append(fields, noteFields...)
		sub.notes[i] = text
		a, err := eventstore.Admit(raw)
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				fields = append(fields, domain.FieldError{Path: joinPath(paths[i], f.Path), Problem: f.Problem})
			}
			continue
		}
		if err != nil {
			return sub, nil, err
		}
		if err := ids.Note(&a, i); errors.As(err, &ve) {
			fields = append(fields, domain.FieldError{Path: joinPath(paths[i], ve.Fields[0].Path), Problem: ve.Fields[0].Problem})
		} else if err != nil {
			return sub, nil, err
		}
		a.Event.RecordedBy = recordedBy(a.Envelope)
		if err := domain.CheckRecordedBy(a.Event.RecordedBy); err != nil {
			return sub, nil, fmt.Errorf("recorded_by of %s: %w", a.Envelope.Type, err)
		}
		sub.events[i] = a
	}
	return sub, fields, nil
}

// body is a POST /v1/events body taken apart: the envelopes with their JSON paths, the path of the array that
// holds them, and the expected revisions.
type body struct {
	raws     []json.RawMessage
	paths    []string
	listPath string
	expect   map[string]json.RawMessage
}

// splitBody takes a body apart without validating the envelopes.
func splitBody(b []byte) (body, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return body{}, invalidField("", `empty body: send an event, an array of events or {"events": [...]}`)
	}
	switch trimmed[0] {
	case '[':
		var raws []json.RawMessage
		if err := decodeJSON(trimmed, &raws, false); err != nil {
			return body{}, err
		}
		return body{raws: raws, paths: indexPaths("", len(raws))}, nil
	case '{':
		var probe map[string]json.RawMessage
		if err := decodeJSON(trimmed, &probe, false); err != nil {
			return body{}, err
		}
		if _, wrapped := probe["events"]; !wrapped {
			return body{raws: []json.RawMessage{trimmed}, paths: []string{""}}, nil
		}
		if err := uniqueKeys(trimmed); err != nil {
			return body{}, err
		}
		var req eventsRequest
		if err := decodeJSON(trimmed, &req, true); err != nil {
			return body{}, err
		}
		return body{raws: req.Events, paths: indexPaths("events", len(req.Events)), listPath: "events",
			expect: req.ExpectedRevision}, nil
	}
	return body{}, invalidField("", `must be a JSON object (an event, or {"events": [...]}) or an array of events`)
}

func indexPaths(array string, n int) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = array + "[" + strconv.Itoa(i) + "]"
	}
	return paths
}

// uniqueKeys refuses a key repeated in the events form or in its expected_revision object: encoding/json would
// keep the last silently, so what is stored could differ from what a reader of the body sees. (The envelopes
// are checked the same way by domain.Decode.)
func uniqueKeys(b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return invalidField("", "malformed JSON")
	}
	objects := map[string][]byte{"": b}
	if exp, ok := top["expected_revision"]; ok && len(bytes.TrimSpace(exp)) > 0 && bytes.TrimSpace(exp)[0] == '{' {
		objects["expected_revision"] = exp
	}
	for path, obj := range objects {
		dec := json.NewDecoder(bytes.NewReader(obj))
		seen := map[string]bool{}
		if _, err := dec.Token(); err != nil { // '{'
			return invalidField(path, "malformed JSON")
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return invalidField(path, "malformed JSON")
			}
			key, _ := tok.(string)
			if seen[key] {
				return invalidField(joinPath(path, key), "duplicate key (each key may appear once per object)")
			}
			seen[key] = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return invalidField(path, "malformed JSON")
			}
		}
	}
	return nil
}

// decodeJSON decodes exactly one JSON value, refusing unknown fields when strict.
func decodeJSON(b []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return invalidField("", fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
		case errors.As(err, &typ):
			return invalidField(typ.Field, "must be "+typ.Type.String()+", not "+typ.Value)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return invalidField("", "malformed JSON: unexpected end of input")
		}
		return invalidField("", "malformed JSON: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidField("", "unexpected data after the JSON value")
	}
	return nil
}

// parseExpected reads the expected revisions, which must name streams that the request appends to.
func parseExpected(raw map[string]json.RawMessage, events []eventstore.Admitted, bad []domain.FieldError) (map[string]eventstore.ExpectedRevision, []domain.FieldError) {
	streams := map[string]bool{}
	for _, a := range events {
		if a.Envelope.Event != nil {
			streams[a.Stream] = true
		}
	}
	out := map[string]eventstore.ExpectedRevision{}
	var fields []domain.FieldError
	for _, stream := range slices.Sorted(maps.Keys(raw)) {
		path := "expected_revision." + stream
		exp, ok := parseRevision(raw[stream])
		switch {
		case !ok:
			fields = append(fields, domain.FieldError{Path: path,
				Problem: `must be a revision (a whole number from 0), "no_stream", "stream_exists" or "any"`})
		case !streams[stream] && len(bad) == 0:
			fields = append(fields, domain.FieldError{Path: path, Problem: "no event of this request goes to this stream"})
		default:
			out[stream] = exp
		}
	}
	return out, fields
}

func parseRevision(raw json.RawMessage) (eventstore.ExpectedRevision, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "any":
			return eventstore.Any(), true
		case "no_stream":
			return eventstore.NoStream(), true
		case "stream_exists":
			return eventstore.StreamExists(), true
		}
		return eventstore.Any(), false
	}
	n, err := strconv.ParseUint(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil {
		return eventstore.Any(), false
	}
	return eventstore.Exact(n), true
}
