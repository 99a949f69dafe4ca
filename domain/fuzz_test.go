package domain_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fairtrail/fairtrail/domain"
)

// FuzzDecode checks Decode on arbitrary input: it never panics; it fails only with a *ValidationError; and when
// it succeeds the input is valid UTF-8 text with no lone surrogate (no U+FFFD appears that the client did not
// send), the canonical encoding is a fixed point (decoding and re-encoding it gives the same bytes), the
// canonical bytes are JSON, and the stream is one of the catalogue's.
//
//	go test ./domain -run '^$' -fuzz FuzzDecode -fuzztime 60s
func FuzzDecode(f *testing.F) {
	for _, ex := range examples {
		f.Add([]byte(ex.envelope))
		f.Add([]byte(edit(ex.typ))) // compact
	}
	for _, tc := range badEnvelopes {
		f.Add([]byte(tc.input))
	}
	for _, tc := range badData {
		f.Add([]byte(tc.input))
	}
	for _, s := range []string{
		`null`, `{}`, `"FeePaid"`, `{"data":{}}`,
		`{"type":"WorkerArrived","occurred_at":"2025-03-04T09:00:00Z","data":{"worker_id":"w1","country":"MY"}}`,
		`{"type":"LoanTaken","occurred_at":"2025-03-04T09:00:00Z","data":{"worker_id":"w1","loan_id":"l1","principal":{"amount":"5","currency":"MYR"},"purpose":"other","annual_interest_pct":"007"}}`,
		`{"type":"FeePaid","occurred_at":"2025-03-04T09:00:00Z","data":{"worker_id":"w1","fee_id":"f1","category":"medical","label":"\u2028\ud800","amount":{"amount":"5","currency":"MYR"},"payer":"worker","payee_id":"a1","method":"cash"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		env, err := domain.Decode(input)
		if err != nil {
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, domain.ErrInvalid) || len(ve.Fields) == 0 {
				t.Fatalf("Decode error %T %v is not a *ValidationError with fields", err, err)
			}
			return
		}
		if env.Event == nil {
			t.Fatal("Decode succeeded with no event")
		}
		if !utf8.Valid(input) {
			t.Fatalf("Decode accepted invalid UTF-8: %q", input)
		}
		if got, sent := decodedReplacements(t, input), sentReplacements(input); got != sent {
			t.Fatalf("Decode accepted input that decodes to %d U+FFFD, %d of them sent: %q", got, sent, input)
		}
		if got := env.Event.EventType(); got != env.Type {
			t.Fatalf("event type %q, envelope type %q", got, env.Type)
		}
		first, err := domain.EncodeData(env.Event)
		if err != nil {
			t.Fatalf("EncodeData: %v", err)
		}
		again, err := domain.DecodeData(env.Type, first)
		if err != nil {
			t.Fatalf("DecodeData(EncodeData(event)) = %v for %s", err, first)
		}
		second, err := domain.EncodeData(again)
		if err != nil {
			t.Fatalf("EncodeData again: %v", err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("canonical encoding is not a fixed point\n first: %s\nsecond: %s", first, second)
		}
		stream := env.Stream()
		if !hasStreamPrefix(stream) {
			t.Fatalf("Stream() = %q, want worker-, joborder-, org-, policy- or rates- and an id", stream)
		}
		if canonical := domain.CanonicalBytes(env.Type, env.OccurredAt, first, env.EventID); !json.Valid(canonical) {
			t.Fatalf("canonical bytes are not JSON: %s", canonical)
		}
	})
}

func hasStreamPrefix(stream string) bool {
	for _, p := range domain.StreamPrefixes() {
		if id, ok := strings.CutPrefix(stream, p); ok && id != "" {
			return true
		}
	}
	return false
}

// decodedReplacements counts U+FFFD in the strings and keys of JSON input as encoding/json decodes it.
func decodedReplacements(t *testing.T, input []byte) int {
	t.Helper()
	var tree any
	if err := json.Unmarshal(input, &tree); err != nil {
		t.Fatalf("Decode accepted input that is not JSON: %v", err)
	}
	var count func(any) int
	count = func(v any) int {
		switch v := v.(type) {
		case string:
			return strings.Count(v, "\uFFFD")
		case []any:
			n := 0
			for _, el := range v {
				n += count(el)
			}
			return n
		case map[string]any:
			n := 0
			for k, el := range v {
				n += strings.Count(k, "\uFFFD") + count(el)
			}
			return n
		}
		return 0
	}
	return count(tree)
}

// sentReplacements counts the U+FFFD that JSON input spells, as a character or as the escape \ufffd.
func sentReplacements(input []byte) int {
	n := 0
	for i := 0; i < len(input); {
		switch {
		case input[i] == '\\' && i+5 < len(input) && input[i+1] == 'u':
			if strings.EqualFold(string(input[i+2:i+6]), "fffd") {
				n++
			}
			i += 6
		case input[i] == '\\':
			i += 2
		default:
			r, size := utf8.DecodeRune(input[i:])
			if r == utf8.RuneError && size == 3 {
				n++
			}
			i += size
		}
	}
	return n
}
