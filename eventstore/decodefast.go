package eventstore

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/fairtrail/fairtrail/domain"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The fast path of Admit's decoding (DecodeFast; domain.Decode and domain.DecodeData are the checked path). It lives
// here, not in domain, which imports only the standard library and a decimal type (house style, point 1).
// encoding/json with DisallowUnknownFields, followed by checkKeys' scan
// for repeated, upper-case and invalid UTF-8 keys and strings, is most of an import's validation CPU. JSON v2
// (github.com/go-json-experiment/json, the proposed encoding/json/v2) refuses all of these by itself, in one pass:
// it matches member names case-sensitively, refuses unknown members with RejectUnknownMembers, repeated names,
// invalid UTF-8 and lone surrogate escapes by default, and trailing data. So an event it decodes without an error
// and that validates is one the present path accepts, with the same values (FuzzDecodeFast and
// TestDecodeFastAgreesWithChecked compare the two). Anything else, a valid event it happens to refuse included,
// goes through the present path, which alone words the errors: no error text can change.

// strictV2 are the JSON v2 options of the fast path: v2's defaults (case-sensitive names, no repeated names,
// valid UTF-8 only) and unknown members refused.
var strictV2 = jsonv2.RejectUnknownMembers(true)

// errNotFast says the fast path does not take an input; the caller falls back to the present path.
var errNotFast = errors.New("not for the fast path")

// fastEnvelope is rawEnvelope for JSON v2, its data decoded in the same pass when its type came first.
type fastEnvelope struct {
	EventID    *string  `json:"event_id"`
	Type       *string  `json:"type"`
	OccurredAt *string  `json:"occurred_at"`
	Data       fastData `json:"data"`
}

// fastData is an envelope's data: the event, when the envelope's type came before it and is the catalogue's, else
// the JSON text.
type fastData struct {
	typ   **string
	event domain.Event
	text  jsontext.Value
}

// UnmarshalJSONFrom decodes the data into an event of the type already read, or keeps its text.
func (d *fastData) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if d.typ != nil && *d.typ != nil && dec.PeekKind() == '{' {
		if e := domain.NewEvent(**d.typ); e != nil {
			d.event = e
			return jsonv2.UnmarshalDecode(dec, e, strictV2)
		}
	}
	v, err := dec.ReadValue()
	d.text = bytes.Clone(v)
	return err
}

// Decode decodes and validates one outside envelope as domain.Decode does, with the same result and the same
// errors: through DecodeFast when it takes the envelope, else through domain.Decode, which words every problem.
func Decode(raw []byte) (domain.Envelope, error) {
	if env, ok := DecodeFast(raw); ok {
		return env, nil
	}
	return domain.Decode(raw)
}

// DecodeFast decodes and validates an envelope with JSON v2, what domain.Decode would return for it; false when it
// refuses it for any reason, and the caller decodes it with domain.Decode, which words the problem.
func DecodeFast(raw []byte) (domain.Envelope, bool) {
	var r fastEnvelope
	r.Data.typ = &r.Type
	if jsonv2.Unmarshal(raw, &r, strictV2) != nil {
		return domain.Envelope{}, false
	}
	data, decode := json.RawMessage(r.Data.text), DecodeDataFast
	if e := r.Data.event; e != nil {
		data = json.RawMessage("{}") // stands for the object decoded into e
		decode = func(string, []byte) (domain.Event, error) {
			if domain.Validate(e) != nil {
				return nil, errNotFast
			}
			return e, nil
		}
	}
	env, err := domain.EnvelopeFrom(r.EventID, r.Type, r.OccurredAt, data, decode)
	return env, err == nil
}

// DecodeDataFast decodes and validates an event's data with JSON v2, what domain.DecodeData would return for it,
// or returns an error (not worded for a user: the caller decodes it with domain.DecodeData then).
func DecodeDataFast(typ string, data []byte) (domain.Event, error) {
	e := domain.NewEvent(typ)
	if e == nil || jsonv2.Unmarshal(data, e, strictV2) != nil || domain.Validate(e) != nil {
		return nil, errNotFast
	}
	return e, nil
}
