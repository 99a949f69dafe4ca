package domain_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
)

// partings are inputs on which encoding/json (with checkKeys after it) and JSON v2 are known to part or might:
// member names in another case or Unicode fold, repeated names, invalid UTF-8 and surrogates, escapes, nulls,
// numbers in other spellings, trailing data. Each path may accept or refuse them; the fast one must not accept
// what the checked one refuses.
var partings = []string{
	strings.Replace(exampleOf(fee), `"worker_id"`, `"WORKER_ID"`, 1),
	strings.Replace(exampleOf(fee), `"worker_id"`, `"Worker_id"`, 1),
	strings.Replace(exampleOf(fee), `"type"`, `"Type"`, 1),
	strings.Replace(exampleOf(fee), `"evidence_sha256"`, `"evidence_\u017fha256"`, 1), // ſ folds to s
	strings.Replace(exampleOf(fee), `"evidence_sha256"`, `"evidence_ſha256"`, 1),      // as UTF-8
	strings.Replace(exampleOf(contract), `"worker_copy"`, `"wor\u212Aer_copy"`, 1),    // Kelvin sign folds to k
	strings.Replace(exampleOf(fee), `"worker_id"`, `"worker\u005fid"`, 1),             // an escaped key
	strings.Replace(exampleOf(fee), `"worker_id": "w-7f3a9c",`, `"worker_id": "w-7f3a9c", "worker_id": "w-7f3a9c",`, 1),
	strings.Replace(exampleOf(fee), `"type": "FeePaid",`, `"type": "FeePaid", "type": "FeePaid",`, 1),
	strings.Replace(exampleOf(rates), `"USD": "1.0478",`, `"USD": "1.0478", "USD": "1.0478",`, 1),
	strings.Replace(exampleOf(rates), `"USD"`, `"usd"`, 1),
	strings.Replace(exampleOf(rates), `"USD"`, `"U\u0053D"`, 1),
	edit(fee, set("data.label", raw("\"fee\xff\""))),
	edit(fee, set("data.label", raw(`"fee \ud800"`))),
	edit(fee, set("data.label", raw(`"fee \udc00\ud800"`))),
	edit(fee, set("data.label", raw(`"fee \ud83d\ude00 \u00e9 \/ \u003c\u0026\u003e <&>"`))),
	edit(fee, set("data.label", raw(`"fee \u0000"`))),
	edit(fee, set("data.label", raw(`"fee \ufffd"`))),
	edit(fee, set("data.label", raw(`""`))),
	edit(fee, set("data.label", nil)),
	edit(fee, set("data.amount", nil)),
	edit(fee, set("data.amount.currency", nil)),
	edit(fee, set("event_id", nil)),
	edit(fee, set("type", nil)),
	edit(fee, set("occurred_at", nil)),
	edit(fee, set("data", raw(`{}`))),
	edit(fee, set("", raw(`1`))),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", nil)),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw(`36`))),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw(`-0`))),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw(`3.6e1`))),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw(`true`))),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw(`"36\u002e5"`))),
	edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw(`{}`))),
	edit(issued, set("data.terms.hours_per_week", raw(`48.0`))),
	edit(issued, set("data.terms.hours_per_week", raw(`4.8e1`))),
	edit(issued, set("data.terms.hours_per_week", raw(`-0`))),
	edit(issued, set("data.terms.hours_per_week", raw(`"48"`))),
	edit(issued, set("data.terms.hours_per_week", raw(`null`))),
	edit(issued, set("data.terms.hours_per_week", raw(`99999999999999999999`))),
	edit(issued, set("data.terms.worksite", nil)),
	edit(issued, set("data.terms.deductions", nil)),
	edit(issued, set("data.terms.deductions", raw(`[null]`))),
	edit(issued, set("data.terms.benefits", raw(`[null]`))),
	edit(contract, set("data.worker_copy", nil)),
	edit(contract, set("data.worker_copy", raw(`"true"`))),
	edit(domain.TypeWorkerRecruited, set("data.languages", nil)),
	edit(domain.TypeWorkerRecruited, set("data.languages", raw(`[]`))),
	edit(domain.TypeOrganisationRegistered, set("data.licence", nil)),
	edit(domain.TypeOrganisationRegistered, set("data.licence", raw(`{}`))),
	edit(rates, set("data.rates", nil)),
	edit(rates, set("data.rates", raw(`{"":"1"}`))),
	edit(policy, set("data.scope", nil)),
	edit(fee, set("data.", "x")),
	"\ufeff" + edit(fee),
	" \t" + edit(fee) + " \r\n ",
	edit(fee) + " {}",
	edit(fee) + "\x00",
	edit(fee)[:len(edit(fee))-1],
}

// fastSeeds are the inputs the two paths are compared on: every example, indented and compact, the accepted
// and the refused inputs of the other tests, the partings, and a small synthetic dataset.
func fastSeeds(tb testing.TB) (valid, all []string) {
	tb.Helper()
	for _, ex := range examples {
		valid = append(valid, ex.envelope, edit(ex.typ))
	}
	for _, tc := range acceptedInputs {
		valid = append(valid, tc.input)
	}
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: 20, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	for line := range strings.Lines(buf.String()) {
		valid = append(valid, line)
	}
	all = append(all, valid...)
	for _, tc := range append(badEnvelopes, badData...) {
		all = append(all, tc.input)
	}
	return valid, append(all, partings...)
}

// TestDecodeFastAgreesWithChecked checks that Decode's JSON v2 path takes every valid seed (else it would pay
// for nothing) and accepts no seed that the encoding/json path refuses, with the same values.
func TestDecodeFastAgreesWithChecked(t *testing.T) {
	valid, all := fastSeeds(t)
	for _, input := range valid {
		if _, ok := eventstore.DecodeFast([]byte(input)); !ok {
			t.Errorf("the fast path refuses a valid envelope: %s", input)
		}
	}
	for _, input := range all {
		fastAgrees(t, []byte(input))
	}
}

// FuzzDecodeFast compares Decode's two paths on arbitrary input (see fastAgrees).
//
//	go test ./domain -run '^$' -fuzz FuzzDecodeFast -fuzztime 60s
func FuzzDecodeFast(f *testing.F) {
	_, all := fastSeeds(f)
	for _, input := range all {
		f.Add([]byte(input))
	}
	f.Fuzz(func(t *testing.T, input []byte) { fastAgrees(t, input) })
}

// fastAgrees fails unless the fast path of Decode refuses input or the checked path accepts it too, with the
// same envelope and the same canonical bytes; and the same of DecodeData on the envelope's data, if any.
func fastAgrees(t *testing.T, input []byte) {
	t.Helper()
	if fast, ok := eventstore.DecodeFast(input); ok {
		checked, err := domain.Decode(input)
		if err != nil {
			t.Fatalf("the fast path accepts what the checked path refuses (%v): %q", err, input)
		}
		sameEvent(t, "Decode", input, fast, checked)
	}
	var r struct {
		Type string
		Data json.RawMessage
	}
	if json.Unmarshal(input, &r) != nil || r.Data == nil {
		return
	}
	if fast, err := eventstore.DecodeDataFast(r.Type, r.Data); err == nil {
		checked, err := domain.DecodeData(r.Type, r.Data)
		if err != nil {
			t.Fatalf("DecodeData's fast path accepts what the checked path refuses (%v): %q", err, r.Data)
		}
		sameEvent(t, "DecodeData", r.Data, domain.Envelope{Event: fast}, domain.Envelope{Event: checked})
	}
}

func sameEvent(t *testing.T, what string, input []byte, fast, checked domain.Envelope) {
	t.Helper()
	if !reflect.DeepEqual(fast, checked) {
		t.Fatalf("%s: the fast path decodes %q to\n%#v\nthe checked path to\n%#v", what, input, fast, checked)
	}
	a, errA := domain.EncodeData(fast.Event)
	b, errB := domain.EncodeData(checked.Event)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Fatalf("%s: canonical data of %q: fast %s (%v), checked %s (%v)", what, input, a, errA, b, errB)
	}
}
