package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

func TestDecodeRejectsBadEnvelopes(t *testing.T) { testBadInputs(t, badEnvelopes) }

func TestDecodeRejectsBadData(t *testing.T) { testBadInputs(t, badData) }

func testBadInputs(t *testing.T, cases []badInput) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := domain.Decode([]byte(tc.input))
			assertFieldError(t, err, tc.path, tc.problem)
		})
	}
}

// assertFieldError checks that err is a *ValidationError matching ErrInvalid with a FieldError at path whose
// problem contains problem.
func assertFieldError(t *testing.T, err error, path, problem string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s: %s", path, problem)
	}
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
	}
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T (%v) is not a *ValidationError", err, err)
	}
	for _, f := range ve.Fields {
		if f.Path == path && strings.Contains(f.Problem, problem) {
			return
		}
	}
	t.Errorf("no field error %q containing %q in:\n%s", path, problem, fieldList(ve))
}

func fieldList(ve *domain.ValidationError) string {
	var b strings.Builder
	for _, f := range ve.Fields {
		b.WriteString("\t" + f.Path + ": " + f.Problem + "\n")
	}
	return b.String()
}

func TestDecodeReportsEveryProblemAtOnce(t *testing.T) {
	input := edit(fee,
		set("event_id", "abc"),
		set("occurred_at", "yesterday"),
		del("data.fee_id"),
		set("data.amount.amount", "-5.00"),
		set("data.amount.currency", "XYZ"),
		set("data.payer", "broker"),
		set("data.method", "crypto"),
	)
	_, err := domain.Decode([]byte(input))
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Decode error %v, want a *ValidationError", err)
	}
	want := []string{"event_id", "occurred_at", "data.fee_id", "data.amount.amount", "data.amount.currency",
		"data.payer", "data.method"}
	if len(ve.Fields) != len(want) {
		t.Errorf("%d field errors, want %d:\n%s", len(ve.Fields), len(want), fieldList(ve))
	}
	for _, path := range want {
		t.Run(path, func(t *testing.T) { assertFieldError(t, err, path, "") })
	}
	if msg := err.Error(); !strings.Contains(msg, "data.payer: \"broker\" is not one of") || !strings.Contains(msg, "; ") {
		t.Errorf("Error() = %q, want every field joined by \"; \"", msg)
	}
}

func TestDecodeReportsTypeAndDataProblemsTogether(t *testing.T) {
	input := edit(fee, set("type", "FeeWaived"), del("occurred_at"))
	_, err := domain.Decode([]byte(input))
	assertFieldError(t, err, "type", "unknown event type")
	assertFieldError(t, err, "occurred_at", "required")
}

// TestDecodeRefusesMiscasedAndDuplicateKeys checks that field names match exactly: encoding/json matches keys
// case-insensitively and keeps the last of duplicate keys, so a submitter could otherwise store data other
// than what was read back from the submission.
func TestDecodeRefusesMiscasedAndDuplicateKeys(t *testing.T) {
	tests := []badInput{
		{"data key in upper case", strings.Replace(exampleOf(fee), `"worker_id"`, `"WORKER_ID"`, 1), "data.WORKER_ID", "unknown field",
			"Decode/DecodeData (decode.go strictUnmarshal) use encoding/json, whose key matching is case-insensitive: " +
				"\"WORKER_ID\" is accepted as worker_id although DecodeData promises that a misspelt field cannot pass silently"},
		{"envelope key in mixed case", strings.Replace(exampleOf(fee), `"type"`, `"Type"`, 1), "Type", "unknown field",
			"strictUnmarshal accepts \"Type\" for \"type\""},
		{"duplicate worker_id", strings.Replace(exampleOf(fee), `"worker_id": "w-7f3a9c",`, `"worker_id": "w-7f3a9c", "worker_id": "w-0000",`, 1), "data.worker_id", "duplicate",
			"strictUnmarshal keeps the last of duplicate keys: the event is stored for worker w-0000 though w-7f3a9c is named first"},
	}
	testBadInputs(t, tests)
}

func TestDecodeAcceptsEveryExample(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.typ, func(t *testing.T) {
			env := mustDecode(t, ex.envelope)
			if env.Type != ex.typ {
				t.Errorf("Type = %q, want %q", env.Type, ex.typ)
			}
			if got := env.Stream(); got != ex.stream {
				t.Errorf("Stream() = %q, want %q", got, ex.stream)
			}
			if env.EventID.IsZero() {
				t.Error("EventID is zero, want the submitted one")
			}
			if env.OccurredAt.Location() != time.UTC {
				t.Errorf("OccurredAt %v is not in UTC", env.OccurredAt)
			}
			if err := domain.Validate(env.Event); err != nil {
				t.Errorf("Validate(decoded event): %v", err)
			}
		})
	}
}

// acceptedInputs are valid envelopes off the examples' beaten track.
var acceptedInputs = []struct {
	name  string
	input string
}{
	{"FeePaid without optional fields", edit(fee, del("event_id"), del("data.label"), del("data.payer_id"), del("data.evidence_sha256"))},
	{"FeePaid paid by the employer", edit(fee, set("data.payer", "employer"), set("data.payer_id", "emp-penang-garments"))},
	{"FeePaid of zero", edit(fee, set("data.amount.amount", "0"))},
	{"amount with 6 decimal places", edit(fee, set("data.amount.amount", "0.000001"))},
	{"amount with 15 integer digits", edit(fee, set("data.amount.amount", "999999999999999.99"))},
	{"amount with leading zeros", edit(fee, set("data.amount.amount", "000150000.00"))},
	{"OrganisationRegistered without licence", edit(domain.TypeOrganisationRegistered, del("data.licence"))},
	{"PolicyAdopted without optional fields", edit(policy, del("data.effective_to"), del("data.repayment_days"), set("data.scope", raw("{}")))},
	{"rule with zero max and no currency", edit(policy, set("data.rules", raw(`[{"category": "*", "max": {"amount": "0"}}]`)))},
	{"rule with zero max 0.00 and no currency", edit(policy, set("data.rules", raw(`[{"category": "bribe", "max": {"amount": "0.00"}}]`)))},
	{"rule with zero max in a currency", edit(policy, set("data.rules", raw(`[{"category": "visa", "max": {"amount": "0", "currency": "MYR"}}]`)))},
	{"repayment_days 0", edit(policy, set("data.repayment_days", 0))},
	{"effective_from a date", edit(policy, set("data.effective_from", "2024-01-01"))},
	{"effective_from a date-time", edit(policy, set("data.effective_from", "2024-01-01T00:00:00Z"))},
	{"effective_from a date-time with offset", edit(policy, set("data.effective_from", "2024-01-01T00:00:00+05:45"))},
	{"effective_to the same day as effective_from", edit(policy, set("data.effective_from", "2024-01-01"), set("data.effective_to", "2024-01-01"))},
	{"effective_to a date of an effective_from instant", edit(policy, set("data.effective_from", "2024-01-01T12:00:00Z"), set("data.effective_to", "2024-01-01"))},
	{"effective_to equal to effective_from", edit(policy, set("data.effective_from", "2024-01-01T12:00:00Z"), set("data.effective_to", "2024-01-01T12:00:00Z"))},
	{"JobOrderIssued with no buyers and no origins", edit(issued, set("data.buyer_ids", raw("[]")), set("data.origin_countries", raw("[]")))},
	{"terms without deductions, benefits or city", edit(issued, del("data.terms.deductions"), del("data.terms.benefits"), del("data.terms.worksite.city"))},
	{"terms with no rest day", edit(issued, set("data.terms.rest_days_per_week", 0))},
	{"ContractSigned without a worker copy", edit(contract, set("data.worker_copy", false), del("data.document_sha256"))},
	{"LoanTaken without lender or interest", edit(domain.TypeLoanTaken, del("data.lender_id"), del("data.annual_interest_pct"))},
	{"LoanTaken with interest as a string", edit(domain.TypeLoanTaken, set("data.annual_interest_pct", "36.5"))},
	{"FeeReimbursed without fee_id", edit(domain.TypeFeeReimbursed, del("data.fee_id"))},
	{"WorkerDeployed without city", edit(domain.TypeWorkerDeployed, del("data.worksite.city"))},
	{"ids with . _ - : @", edit(fee, set("data.worker_id", "nepal-w.7f3a9c_01:x@y"))},
	{"event_id in upper case", edit(fee, set("event_id", "0194C5D6-1000-7219-832A-B4C5D6E7F809"))},
	{"event_id null", edit(fee, set("event_id", nil))},
	{"occurred_at with fractional seconds", edit(fee, set("occurred_at", "2025-01-28T09:00:00.123456789Z"))},
	{"occurred_at in 1900", edit(fee, set("occurred_at", "1900-01-01T00:00:00Z"))},
	{"NDJSON line with a trailing newline", exampleOf(fee) + "\n"},
	{"NDJSON line with CRLF", exampleOf(fee) + "\r\n"},
	{"compact envelope", edit(fee)},
	{"report with only the required fields", edit(report, del("data.fee"), del("data.contract_term"), del("data.document"), del("data.note_sha256"))},
	{"fee report without payee, date or method", edit(report, set("data.kind", "fee_not_recorded"), del("data.fee.payee_id"), del("data.fee.paid_on"), del("data.fee.method"))},
	{"fee report without a fee (the worker did not say how much)", edit(report, set("data.kind", "fee_not_recorded"), del("data.fee"))},
	{"report paid_on a date-time", edit(report, set("data.fee.paid_on", "2024-12-02T10:00:00+05:45"))},
	{"report term with neither promise nor actual", edit(report, set("data.contract_term", raw(`{"term": "deductions"}`)))},
	{"report document without holder", edit(report, del("data.document.held_by"))},
	{"report through the worker's link in Tagalog", edit(report, set("data.channel", "worker_link"), set("data.language", "tl"))},
	{"resolution without a note", edit(resolved, del("data.note_sha256"), set("data.outcome", "withdrawn"))},
	{"organisation of workers", edit(domain.TypeOrganisationRegistered, set("data.role", "worker_organisation"), del("data.licence"))},
}

func TestDecodeAccepts(t *testing.T) {
	for _, tc := range acceptedInputs {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := domain.Decode([]byte(tc.input)); err != nil {
				t.Errorf("Decode: %v", err)
			}
		})
	}
}

func TestDecodeEnvelopeFields(t *testing.T) {
	env := mustDecode(t, edit(fee, set("occurred_at", "2025-01-28T14:45:00.5+05:45")))
	if want := time.Date(2025, 1, 28, 9, 0, 0, 5e8, time.UTC); !env.OccurredAt.Equal(want) || env.OccurredAt.Location() != time.UTC {
		t.Errorf("OccurredAt = %v, want %v in UTC", env.OccurredAt, want)
	}
	if got, want := env.EventID.String(), "0194c5d6-1000-7219-832a-b4c5d6e7f809"; got != want {
		t.Errorf("EventID = %s, want %s", got, want)
	}
	fp, ok := env.Event.(*domain.FeePaid)
	if !ok {
		t.Fatalf("Event is %T, want *domain.FeePaid", env.Event)
	}
	want := domain.FeePaid{
		Amount:         domain.Money{Amount: "150000.00", Currency: "NPR"},
		Category:       domain.FeeRecruitment,
		EvidenceSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		FeeID:          "fee-0001",
		Label:          "सेवा शुल्क (service charge) & <visa processing>",
		Method:         "cash",
		PayeeID:        "subagent-dhanusha-3",
		Payer:          domain.PayerWorker,
		PayerID:        "w-7f3a9c",
		WorkerID:       "w-7f3a9c",
	}
	if *fp != want {
		t.Errorf("FeePaid = %+v\nwant %+v", *fp, want)
	}
	if env := mustDecode(t, edit(fee, del("event_id"))); !env.EventID.IsZero() {
		t.Errorf("EventID = %s without event_id, want zero", env.EventID)
	}
}

func TestDecodeDataRejectsUnknownType(t *testing.T) {
	_, err := domain.DecodeData("FeeWaived", []byte(`{}`))
	assertFieldError(t, err, "type", `unknown event type "FeeWaived"`)
}

func TestValidateReportsPathsUnderData(t *testing.T) {
	err := domain.Validate(&domain.WorkerArrived{WorkerID: "w1", Country: "XX"})
	assertFieldError(t, err, "data.country", "not an ISO 3166-1")
	if err := domain.Validate(&domain.WorkerArrived{WorkerID: "w1", Country: "MY"}); err != nil {
		t.Errorf("Validate(valid event): %v", err)
	}
}

func TestPolicyAdoptedDefaults(t *testing.T) {
	env := mustDecode(t, edit(policy, del("data.repayment_days"), set("data.effective_from", "2024-01-01"), set("data.effective_to", "2024-12-31")))
	p := env.Event.(*domain.PolicyAdopted)
	if got := p.Repayment(); got != domain.DefaultRepaymentDays {
		t.Errorf("Repayment() = %d, want %d", got, domain.DefaultRepaymentDays)
	}
	if from := p.From(); !from.DayOnly || !from.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("From() = %+v, want 2024-01-01 midnight UTC, day only", from)
	}
	to, ok := p.To()
	if !ok || !to.LastInstant().Equal(time.Date(2024, 12, 31, 23, 59, 59, 999999999, time.UTC)) {
		t.Errorf("To() = %+v, %v; want the whole of 2024-12-31", to, ok)
	}
}

// TestDecodeKeepsText: strings that are valid UTF-8 text pass unchanged, whether a character is written as
// itself or as an escape (a surrogate pair included), and U+FFFD sent by the client is kept.
func TestDecodeKeepsText(t *testing.T) {
	for _, tc := range []struct{ name, label, want string }{
		{"surrogate pair escape", `"\ud83d\ude00 fee"`, "\U0001F600 fee"},
		{"character as itself", `"फी"`, "फी"},
		{"replacement character sent", `"\ufffd and �"`, "\uFFFD and \uFFFD"},
		{"escaped backslash before u", `"C:\\ud800"`, `C:\ud800`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := domain.Decode([]byte(edit(fee, set("data.label", raw(tc.label)))))
			if err != nil {
				t.Fatal(err)
			}
			if got := env.Event.(*domain.FeePaid).Label; got != tc.want {
				t.Errorf("label %q, want %q", got, tc.want)
			}
		})
	}
}
