package domain_test

import (
	"encoding/json"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
)

// badInput is an input that Decode must refuse with a FieldError at path whose problem contains problem.
// regression, when set, names the defect the case was written to expose (since fixed).
type badInput struct {
	name       string
	input      string
	path       string
	problem    string
	regression string
}

const (
	fee      = domain.TypeFeePaid
	contract = domain.TypeContractSigned
	issued   = domain.TypeJobOrderIssued
	policy   = domain.TypePolicyAdopted
	rates    = domain.TypeExchangeRatesPublished
	report   = domain.TypeWorkerReported
	resolved = domain.TypeWorkerReportResolved
)

// raw is JSON inserted as written, e.g. a number where a string is expected.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

var badEnvelopes = []badInput{
	{"malformed JSON: truncated object", `{"type": "FeePaid", "occurred_at": "2025-03-04T09:00:00Z"`, "", "malformed JSON", ""},
	{"malformed JSON: missing colon", `{"type" "FeePaid"}`, "", "malformed JSON at byte", ""},
	{"malformed JSON: trailing comma", `{"type": "FeePaid",}`, "", "malformed JSON at byte", ""},
	{"empty input", ``, "", "unexpected end of input", ""},
	{"envelope is an array", `[]`, "", "must be an object", ""},
	{"trailing garbage after the envelope", exampleOf(fee) + ` x`, "", "unexpected data after the JSON value", ""},
	{"second envelope on the same line", exampleOf(fee) + exampleOf(fee), "", "unexpected data after the JSON value", ""},
	{"unknown type", edit(fee, set("type", "FeeWaived")), "type", `unknown event type "FeeWaived"`, ""},
	{"type in the wrong case", edit(fee, set("type", "feepaid")), "type", `unknown event type "feepaid"`, ""},
	{"missing type", edit(fee, del("type")), "type", "required", ""},
	{"type with invalid UTF-8", edit(fee, set("type", raw("\"FeePaid\xff\""))), "type", "not valid UTF-8", "Decode said the type is unknown"},
	{"empty type", edit(fee, set("type", "")), "type", "required", ""},
	{"type is a number", edit(fee, set("type", raw("7"))), "type", "must be a string", ""},
	{"missing occurred_at", edit(fee, del("occurred_at")), "occurred_at", "required", ""},
	{"occurred_at month 13", edit(fee, set("occurred_at", "2025-13-01")), "occurred_at", "not an RFC 3339 date-time", ""},
	{"occurred_at in words", edit(fee, set("occurred_at", "yesterday")), "occurred_at", `"yesterday"`, ""},
	{"occurred_at date without time", edit(fee, set("occurred_at", "2025-03-04")), "occurred_at", "not an RFC 3339 date-time", ""},
	{"occurred_at without zone", edit(fee, set("occurred_at", "2025-03-04T09:00:00")), "occurred_at", "not an RFC 3339 date-time", ""},
	{"occurred_at with a one-digit hour", edit(fee, set("occurred_at", "2025-03-04T9:00:00Z")), "occurred_at", "not an RFC 3339 date-time", ""},
	{"occurred_at with a comma before the fraction", edit(fee, set("occurred_at", "2025-03-04T09:00:00,5Z")), "occurred_at", "not an RFC 3339 date-time", ""},
	{"occurred_at with an offset of 24 hours", edit(fee, set("occurred_at", "2025-03-04T09:00:00+24:00")), "occurred_at", "not an RFC 3339 date-time", ""},
	{"occurred_at in 1066", edit(fee, set("occurred_at", "1066-10-14T09:00:00Z")), "occurred_at", "year outside 1900-2199", ""},
	{"occurred_at as a Unix time", edit(fee, set("occurred_at", raw("1741078800"))), "occurred_at", "must be a string", ""},
	{"event_id not a UUID", edit(fee, set("event_id", "abc")), "event_id", "must be a UUID", ""},
	{"event_id empty", edit(fee, set("event_id", "")), "event_id", "must be a UUID", ""},
	{"event_id with a non-hex digit", edit(fee, set("event_id", "0194c5d6-1000-7219-832a-b4c5d6e7f80g")), "event_id", "must be a UUID", ""},
	{"event_id without dashes", edit(fee, set("event_id", "0194c5d610007219832ab4c5d6e7f809")), "event_id", "must be a UUID", ""},
	{"event_id in braces", edit(fee, set("event_id", "{0194c5d6-1000-7219-832a-b4c5d6e7f809}")), "event_id", "must be a UUID", ""},
	{"missing data", edit(fee, del("data")), "data", "required", ""},
	{"data null", edit(fee, set("data", nil)), "data", "required", ""},
	{"data is a string", edit(fee, set("data", "worker paid")), "data", "must be an object", ""},
	{"data is an array", edit(fee, set("data", raw("[]"))), "data", "must be an object", ""},
	{"unknown envelope field recorded_at", edit(fee, set("recorded_at", "2025-03-04T09:00:00Z")), "recorded_at", "unknown field", ""},
	{"unknown envelope field hash", edit(fee, set("hash", "00")), "hash", "unknown field", ""},
	{"unknown field in data", edit(fee, set("data.nickname", "Ram")), "data.nickname", "unknown field", ""},
	{"unknown field in data of ContractSigned", edit(contract, set("data.signed_at", "2025-02-03")), "data.signed_at", "unknown field", ""},
	{"misspelt field in data", edit(fee, del("data.payee_id"), set("data.payee", "subagent-dhanusha-3")), "data.payee", "unknown field", ""},
	{
		"unknown field inside terms", edit(issued, set("data.terms.overtime_rate", "1.5")),
		"data.terms.overtime_rate", "unknown field",
		"jsonProblem (decode.go) builds the path from the bare key of encoding/json's `unknown field` message, so the error says data.overtime_rate",
	},
	{
		"unknown field inside a deduction", edit(issued, set("data.terms.deductions[0].note", "per bed")),
		"data.terms.deductions[0].note", "unknown field",
		"jsonProblem (decode.go) reports data.note: nesting and index are lost",
	},
}

var badData = []badInput{
	// Text bytes: encoding/json would store U+FFFD in place of what the client sent, so the hash would cover
	// other bytes.
	{"lone high surrogate escape", edit(fee, set("data.label", raw(`"\ud800"`))), "data.label", "lone UTF-16 surrogate (\\ud800)",
		"Decode accepted the label and stored U+FFFD"},
	{"lone low surrogate escape in an id", edit(fee, set("data.worker_id", raw(`"w-\udc00"`))), "data.worker_id", "lone UTF-16 surrogate",
		"Decode reported only that the id has a bad character"},
	{"high surrogate escape followed by a letter", edit(fee, set("data.label", raw(`"\uD800\u0041"`))), "data.label",
		"lone UTF-16 surrogate (\\uD800)", "Decode accepted the label and stored U+FFFD A"},
	{"invalid UTF-8 byte", edit(contract, set("data.terms.position", raw("\"oper\xffator\""))), "data.terms.position",
		"not valid UTF-8 (byte 5 of the string)", "Decode accepted the position and stored U+FFFD"},
	{"UTF-8 encoded surrogate", edit(fee, set("data.label", raw("\"\xed\xa0\x80\""))), "data.label", "not valid UTF-8",
		"Decode accepted the label and stored U+FFFD three times"},
	{"truncated UTF-8 in an array element", edit(issued, set("data.terms.deductions[0].kind", raw("\"hous\xc3\""))),
		"data.terms.deductions[0].kind", "not valid UTF-8", "Decode reported the kind as unknown, not the bytes"},
	// Required fields, per event type.
	{"FeePaid without fee_id", edit(fee, del("data.fee_id")), "data.fee_id", "required", ""},
	{"FeePaid without worker_id", edit(fee, del("data.worker_id")), "data.worker_id", "required", ""},
	{"FeePaid without amount", edit(fee, del("data.amount")), "data.amount.amount", "required", ""},
	{"FeePaid without payer", edit(fee, del("data.payer")), "data.payer", "required; one of worker, employer, agency", ""},
	{"ContractSigned without worker_copy", edit(contract, del("data.worker_copy")), "data.worker_copy", "required (true or false)", ""},
	{"ContractSigned with worker_copy null", edit(contract, set("data.worker_copy", nil)), "data.worker_copy", "required", ""},
	{"ContractSigned with worker_copy \"yes\"", edit(contract, set("data.worker_copy", "yes")), "data.worker_copy", "must be true or false", ""},
	{"ContractSigned without language", edit(contract, del("data.language")), "data.language", "required", ""},
	{"ContractSigned terms without hours_per_week", edit(contract, del("data.terms.hours_per_week")), "data.terms.hours_per_week", "required", ""},
	{"JobOrderIssued terms without hours_per_week", edit(issued, del("data.terms.hours_per_week")), "data.terms.hours_per_week", "required", ""},
	{"JobOrderIssued terms without rest_days_per_week", edit(issued, del("data.terms.rest_days_per_week")), "data.terms.rest_days_per_week", "required", ""},
	{"JobOrderIssued terms without wage per", edit(issued, del("data.terms.wage.per")), "data.terms.wage.per", "required", ""},
	{"JobOrderIssued terms without worksite country", edit(issued, del("data.terms.worksite.country")), "data.terms.worksite.country", "required", ""},
	{"JobOrderIssued without terms", edit(issued, del("data.terms")), "data.terms.position", "required", ""},
	{"JobOrderIssued without buyer_ids", edit(issued, del("data.buyer_ids")), "data.buyer_ids", "required (an array", ""},
	{"JobOrderIssued without headcount", edit(issued, del("data.headcount")), "data.headcount", "required", ""},
	{"JobOrderIssued with headcount 0", edit(issued, set("data.headcount", 0)), "data.headcount", "must be between 1 and 1000000", ""},
	{"JobOrderIssued with fractional headcount", edit(issued, set("data.headcount", raw("12.5"))), "data.headcount", "must be a whole number", ""},
	{"JobOrderAmended without reason", edit(domain.TypeJobOrderAmended, del("data.reason")), "data.reason", "required", ""},
	{"JobOrderAmended with a blank reason", edit(domain.TypeJobOrderAmended, set("data.reason", "   ")), "data.reason", "required", ""},
	{"OrganisationRegistered without role", edit(domain.TypeOrganisationRegistered, del("data.role")), "data.role", "required", ""},
	{"OrganisationRegistered licence without valid_until", edit(domain.TypeOrganisationRegistered, del("data.licence.valid_until")), "data.licence.valid_until", "required", ""},
	{"PolicyAdopted without effective_from", edit(policy, del("data.effective_from")), "data.effective_from", "required", ""},
	{"PolicyAdopted with no rules", edit(policy, set("data.rules", raw("[]"))), "data.rules", "at least one rule", ""},
	{"PolicyRetired without effective_to", edit(domain.TypePolicyRetired, del("data.effective_to")), "data.effective_to", "required", ""},
	{"AgencyEngaged without engaged_by", edit(domain.TypeAgencyEngaged, del("data.engaged_by")), "data.engaged_by", "required", ""},
	{"JobOrderPaymentMade without payee_id", edit(domain.TypeJobOrderPaymentMade, del("data.payee_id")), "data.payee_id", "required", ""},
	{"JobOrderClosed without reason", edit(domain.TypeJobOrderClosed, del("data.reason")), "data.reason", "required", ""},
	{"WorkerRecruited without languages", edit(domain.TypeWorkerRecruited, del("data.languages")), "data.languages", "required", ""},
	{"FeeReimbursed without paid_by", edit(domain.TypeFeeReimbursed, del("data.paid_by")), "data.paid_by", "required", ""},
	{"LoanTaken without principal currency", edit(domain.TypeLoanTaken, del("data.principal.currency")), "data.principal.currency", "required", ""},
	{"VisaIssued without sponsor_id", edit(domain.TypeVisaIssued, del("data.sponsor_id")), "data.sponsor_id", "required", ""},
	{"WorkerDeparted without to_country", edit(domain.TypeWorkerDeparted, del("data.to_country")), "data.to_country", "required", ""},
	{"WorkerArrived without country", edit(domain.TypeWorkerArrived, del("data.country")), "data.country", "required", ""},
	{"WorkerDeployed without worksite country", edit(domain.TypeWorkerDeployed, del("data.worksite.country")), "data.worksite.country", "required", ""},
	{"DocumentRetained without held_by", edit(domain.TypeDocumentRetained, del("data.held_by")), "data.held_by", "required", ""},
	{"DocumentReturned without document", edit(domain.TypeDocumentReturned, del("data.document")), "data.document", "required", ""},
	{"WorkerExited without reason", edit(domain.TypeWorkerExited, del("data.reason")), "data.reason", "required", ""},

	// Money.
	{"negative amount", edit(fee, set("data.amount.amount", "-5.00")), "data.amount.amount", "must be >= 0", ""},
	{"amount as a JSON number", edit(fee, set("data.amount.amount", raw("1500.00"))), "data.amount.amount", "must be a string", ""},
	{"amount in exponent form", edit(fee, set("data.amount.amount", "1e3")), "data.amount.amount", "must be a decimal string", ""},
	{"amount with a thousands separator", edit(fee, set("data.amount.amount", "1,500.00")), "data.amount.amount", "must be a decimal string", ""},
	{"amount empty", edit(fee, set("data.amount.amount", "")), "data.amount.amount", "required", ""},
	{"amount with a plus sign", edit(fee, set("data.amount.amount", "+5")), "data.amount.amount", "must be a decimal string", ""},
	{"amount with a space", edit(fee, set("data.amount.amount", " 1500")), "data.amount.amount", "must be a decimal string", ""},
	{"amount ending in a dot", edit(fee, set("data.amount.amount", "1500.")), "data.amount.amount", "must be a decimal string", ""},
	{"amount starting with a dot", edit(fee, set("data.amount.amount", ".50")), "data.amount.amount", "must be a decimal string", ""},
	{"amount with 7 decimal places", edit(fee, set("data.amount.amount", "1.0000001")), "data.amount.amount", "more than 6 decimal places", ""},
	{"amount with 16 integer digits", edit(fee, set("data.amount.amount", "1000000000000000")), "data.amount.amount", "too large", ""},
	{"unknown currency XYZ", edit(fee, set("data.amount.currency", "XYZ")), "data.amount.currency", `"XYZ" is not an ISO 4217 currency code`, ""},
	{"lower-case currency myr", edit(fee, set("data.amount.currency", "myr")), "data.amount.currency", `"myr" is not an ISO 4217`, ""},
	{"currency symbol RM", edit(fee, set("data.amount.currency", "RM")), "data.amount.currency", "not an ISO 4217", ""},
	{"missing currency", edit(fee, del("data.amount.currency")), "data.amount.currency", "required", ""},
	{"negative loan principal", edit(domain.TypeLoanTaken, set("data.principal.amount", "-200000.00")), "data.principal.amount", "must be >= 0", ""},
	{"negative interest rate", edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw("-3"))), "data.annual_interest_pct", "must be >= 0", ""},
	{"interest rate in exponent form", edit(domain.TypeLoanTaken, set("data.annual_interest_pct", raw("3.65e1"))), "data.annual_interest_pct", "must be a non-negative number", ""},
	{
		"interest rate not a number", edit(domain.TypeLoanTaken, set("data.annual_interest_pct", "high")),
		"data.annual_interest_pct", "number",
		"encoding/json's `invalid number literal` error for a json.Number field carries no field name; jsonProblem (decode.go) reports it at path \"data\"",
	},
	{"wage amount negative", edit(issued, set("data.terms.wage.amount", "-1500.00")), "data.terms.wage.amount", "must be >= 0", ""},
	{"wage currency unknown", edit(issued, set("data.terms.wage.currency", "XYZ")), "data.terms.wage.currency", "not an ISO 4217", ""},

	// Deductions.
	{"deduction amount negative", edit(issued, set("data.terms.deductions[0].amount", "-100.00")), "data.terms.deductions[0].amount", "must be >= 0", ""},
	{"deduction amount empty", edit(issued, set("data.terms.deductions[1].amount", "")), "data.terms.deductions[1].amount", "required", ""},
	{"deduction amount with a comma", edit(issued, set("data.terms.deductions[0].amount", "1,00")), "data.terms.deductions[0].amount", "must be a decimal string", ""},
	{"deduction currency lower-case", edit(issued, set("data.terms.deductions[0].currency", "myr")), "data.terms.deductions[0].currency", "not an ISO 4217", ""},
	{"deduction per year", edit(issued, set("data.terms.deductions[0].per", "year")), "data.terms.deductions[0].per", `"year" is not one of hour, day, week, month`, ""},
	{"deduction without kind", edit(issued, del("data.terms.deductions[0].kind")), "data.terms.deductions[0].kind", "required", ""},
	{
		"deduction amount as a JSON number", edit(issued, set("data.terms.deductions[0].amount", raw("100"))),
		"data.terms.deductions[0].amount", "must be a string",
		"jsonProblem (decode.go) uses json.UnmarshalTypeError.Field, which has no array index: the path is data.terms.deductions.amount",
	},

	// Countries, languages, identifiers, hashes, text.
	{"unknown country XX", edit(domain.TypeVisaIssued, set("data.country", "XX")), "data.country", `"XX" is not an ISO 3166-1 alpha-2 country code`, ""},
	{"lower-case country my", edit(domain.TypeWorkerArrived, set("data.country", "my")), "data.country", "not an ISO 3166-1", ""},
	{"three-letter country NPL", edit(domain.TypeWorkerDeparted, set("data.from_country", "NPL")), "data.from_country", "not an ISO 3166-1", ""},
	{"unknown worksite country", edit(domain.TypeWorkerDeployed, set("data.worksite.country", "XX")), "data.worksite.country", "not an ISO 3166-1", ""},
	{"policy scope origin XX", edit(policy, set("data.scope.origin", "XX")), "data.scope.origin", "not an ISO 3166-1", ""},
	{"contract language english", edit(contract, set("data.language", "english")), "data.language", `"english" is not an ISO 639-1 language code`, ""},
	{
		"recruited worker language english", edit(domain.TypeWorkerRecruited, set("data.languages[1]", "english")),
		"data.languages[1]", "not an ISO 639-1",
		"checker.path (validation.go) appends \".\" + field even when field is \"\", so array elements get the path data.languages[1].",
	},
	{
		"job order origin country XX", edit(issued, set("data.origin_countries[1]", "XX")),
		"data.origin_countries[1]", "not an ISO 3166-1",
		"checker.path (validation.go): the path is data.origin_countries[1]. with a trailing dot",
	},
	{
		"job order buyer id with a space", edit(issued, set("data.buyer_ids[0]", "buyer acme")),
		"data.buyer_ids[0]", "must be letters, digits",
		"checker.path (validation.go): the path is data.buyer_ids[0]. with a trailing dot",
	},
	{
		"blank benefit", edit(issued, set("data.terms.benefits[2]", "")),
		"data.terms.benefits[2]", "required",
		"checker.path (validation.go): the path is data.terms.benefits[2]. with a trailing dot",
	},
	{"worker id with a space", edit(fee, set("data.worker_id", "w 7f3a9c")), "data.worker_id", "must be letters, digits", ""},
	{"worker id with a slash (ids appear in URL paths)", edit(fee, set("data.worker_id", "np/w1")), "data.worker_id", "must be letters, digits", ""},
	{"worker id starting with a dash", edit(fee, set("data.worker_id", "-w1")), "data.worker_id", "starting with a letter or digit", ""},
	{"worker id of 129 characters", edit(fee, set("data.worker_id", strings.Repeat("w", 129))), "data.worker_id", "longer than 128", ""},
	{"evidence hash in upper case", edit(fee, set("data.evidence_sha256", strings.Repeat("AB", 32))), "data.evidence_sha256", "64 lower-case hex", ""},
	{"evidence hash too short", edit(fee, set("data.evidence_sha256", "9f86d081")), "data.evidence_sha256", "64 lower-case hex", ""},
	{"label with a newline", edit(fee, set("data.label", "service\ncharge")), "data.label", "control character", ""},
	{"label over 1000 bytes", edit(fee, set("data.label", strings.Repeat("x", 1001))), "data.label", "longer than 1000 bytes", ""},

	// Enumerations.
	{"fee category bribery", edit(fee, set("data.category", "bribery")), "data.category", `"bribery" is not one of recruitment_fee`, ""},
	{"fee payer broker", edit(fee, set("data.payer", "broker")), "data.payer", `"broker" is not one of worker, employer, agency`, ""},
	{"fee method crypto", edit(fee, set("data.method", "crypto")), "data.method", `"crypto" is not one of cash, bank_transfer`, ""},
	{"contract stage on_arrival", edit(contract, set("data.stage", "on_arrival")), "data.stage", `"on_arrival" is not one of pre_departure`, ""},
	{"organisation role recruiter", edit(domain.TypeOrganisationRegistered, set("data.role", "recruiter")), "data.role", `"recruiter" is not one of buyer, employer`, ""},
	{"agency role agency", edit(domain.TypeAgencyEngaged, set("data.role", "agency")), "data.role", `"agency" is not one of destination_agency`, ""},
	{"document retained visa", edit(domain.TypeDocumentRetained, set("data.document", "visa")), "data.document", `"visa" is not one of passport`, ""},
	{"document returned Passport", edit(domain.TypeDocumentReturned, set("data.document", "Passport")), "data.document", `"Passport" is not one of passport`, ""},
	{"exit reason fired", edit(domain.TypeWorkerExited, set("data.reason", "fired")), "data.reason", `"fired" is not one of contract_completed`, ""},
	{"loan purpose wedding", edit(domain.TypeLoanTaken, set("data.purpose", "wedding")), "data.purpose", `"wedding" is not one of recruitment, other`, ""},
	{"wage per year", edit(issued, set("data.terms.wage.per", "year")), "data.terms.wage.per", `"year" is not one of hour, day, week, month`, ""},
	{"rule category bribery", edit(policy, set("data.rules[1].category", "bribery")), "data.rules[1].category", `"bribery" is not one of *, recruitment_fee`, ""},

	// Counts.
	{"hours_per_week 169", edit(issued, set("data.terms.hours_per_week", 169)), "data.terms.hours_per_week", "must be between 1 and 168", ""},
	{"rest_days_per_week 8", edit(contract, set("data.terms.rest_days_per_week", 8)), "data.terms.rest_days_per_week", "must be between 0 and 7", ""},
	{"duration_months 0", edit(contract, set("data.terms.duration_months", 0)), "data.terms.duration_months", "must be between 1 and 240", ""},
	{"hours_per_week as a string", edit(issued, set("data.terms.hours_per_week", "48")), "data.terms.hours_per_week", "must be a whole number", ""},
	{"repayment_days negative", edit(policy, set("data.repayment_days", -1)), "data.repayment_days", "must be between 0 and 3650", ""},

	// Policies: rules and dates.
	{"rule with a non-zero max and no currency", edit(policy, del("data.rules[1].max.currency")), "data.rules[1].max.currency", "required", ""},
	{"rule with a negative max", edit(policy, set("data.rules[1].max.amount", "-1")), "data.rules[1].max.amount", "must be >= 0", ""},
	{"rule with a zero max in an unknown currency", edit(policy, set("data.rules[0].max.currency", "XYZ")), "data.rules[0].max.currency", "not an ISO 4217", ""},
	{"effective_to the day before effective_from", edit(policy, set("data.effective_from", "2024-01-02"), set("data.effective_to", "2024-01-01")), "data.effective_to", "before effective_from", ""},
	{"effective_to an instant before effective_from", edit(policy, set("data.effective_from", "2024-01-01T12:00:00Z"), set("data.effective_to", "2024-01-01T11:59:59Z")), "data.effective_to", "before effective_from", ""},
	{"effective_from with a one-digit hour", edit(policy, set("data.effective_from", "2024-01-01T9:00:00Z")), "data.effective_from", "not a date", ""},
	{"effective_from in day/month/year", edit(policy, set("data.effective_from", "01/01/2024")), "data.effective_from", "not a date", ""},
	{"effective_to not a date", edit(policy, set("data.effective_to", "end of 2026")), "data.effective_to", "not a date", ""},
	{"licence valid_until not a date", edit(domain.TypeOrganisationRegistered, set("data.licence.valid_until", "2026-02-30")), "data.licence.valid_until", "not a date", ""},

	// Exchange rates (spec section 7).
	{"rates without rates_id", edit(rates, del("data.rates_id")), "data.rates_id", "required", ""},
	{"rates without source", edit(rates, del("data.source")), "data.source", "required", ""},
	{"rates base in lower case", edit(rates, set("data.base", "eur")), "data.base", `"eur" is not an ISO 4217 currency code in upper case`, ""},
	{"rates base unknown", edit(rates, set("data.base", "EUX")), "data.base", "not an ISO 4217", ""},
	{"rates without a date", edit(rates, del("data.date")), "data.date", "required", ""},
	{"rates date 30 February", edit(rates, set("data.date", "2025-02-30")), "data.date", "not a date", ""},
	{"rates empty", edit(rates, set("data.rates", map[string]any{})), "data.rates", "at least one rate", ""},
	{"rates key in lower case", edit(rates, set("data.rates.usd", "1.05")), "data.rates.usd", `"usd" is not an ISO 4217 currency code in upper case`, ""},
	{"rates key unknown", edit(rates, set("data.rates.XYZ", "1.05")), "data.rates.XYZ", "not an ISO 4217", ""},
	{"rate zero", edit(rates, set("data.rates.USD", "0.0000")), "data.rates.USD", "must be > 0", ""},
	{"rate negative", edit(rates, set("data.rates.USD", "-1.05")), "data.rates.USD", "must be > 0", ""},
	{"rate not numeric", edit(rates, set("data.rates.USD", "N/A")), "data.rates.USD", "must be a decimal string", ""},
	{"rate as a JSON number", edit(rates, set("data.rates.USD", raw("1.05"))), "data.rates.USD", "must be a string", ""},
	{"rate with an exponent", edit(rates, set("data.rates.USD", "1e3")), "data.rates.USD", "must be a decimal string", ""},
	{"rate with 13 decimal places", edit(rates, set("data.rates.USD", "1.0000000000001")), "data.rates.USD", "more than 12 decimal places", ""},
	{"base rate other than 1", edit(rates, set("data.rates.EUR", "1.01")), "data.rates.EUR", "the base is 1 per base", ""},
	{"rates key repeated", strings.Replace(edit(rates), `"JPY":`, `"USD":"1","JPY":`, 1), "data.rates.USD", "duplicate key", ""},

	// Workers' reports (spec section 8).
	{"report without report_id", edit(report, del("data.report_id")), "data.report_id", "required", ""},
	{"report without worker_id", edit(report, del("data.worker_id")), "data.worker_id", "required", ""},
	{"report without kind", edit(report, del("data.kind")), "data.kind", "required; one of fee_not_recorded", ""},
	{"report kind fee_unpaid", edit(report, set("data.kind", "fee_unpaid")), "data.kind", `"fee_unpaid" is not one of fee_not_recorded`, ""},
	{"report without channel", edit(report, del("data.channel")), "data.channel", "required; one of worker_link", ""},
	{"report channel email", edit(report, set("data.channel", "email")), "data.channel", `"email" is not one of worker_link`, ""},
	{"report without language", edit(report, del("data.language")), "data.language", "required (ISO 639-1", ""},
	{"report language nep (639-2)", edit(report, set("data.language", "nep")), "data.language", `"nep" is not an ISO 639-1`, ""},
	{"report language in upper case", edit(report, set("data.language", "NE")), "data.language", "not an ISO 639-1", ""},
	{"reported fee without category", edit(report, del("data.fee.category")), "data.fee.category", "required", ""},
	{"reported fee category bribery", edit(report, set("data.fee.category", "bribery")), "data.fee.category", "is not one of recruitment_fee", ""},
	{"reported fee without amount", edit(report, del("data.fee.amount")), "data.fee.amount.amount", "required", ""},
	{"reported fee amount negative", edit(report, set("data.fee.amount.amount", "-1.00")), "data.fee.amount.amount", "must be >= 0", ""},
	{"reported fee amount as a JSON number", edit(report, set("data.fee.amount.amount", raw("150000"))), "data.fee.amount.amount", "must be a string", ""},
	{"reported fee without currency", edit(report, del("data.fee.amount.currency")), "data.fee.amount.currency", "required", ""},
	{"reported fee currency Rs", edit(report, set("data.fee.amount.currency", "Rs")), "data.fee.amount.currency", "not an ISO 4217", ""},
	{"reported fee paid_on 31 November", edit(report, set("data.fee.paid_on", "2024-11-31")), "data.fee.paid_on", "not a date", ""},
	{"reported fee method crypto", edit(report, set("data.fee.method", "crypto")), "data.fee.method", `"crypto" is not one of cash`, ""},
	{"reported fee payee with a space", edit(report, set("data.fee.payee_id", "sub agent")), "data.fee.payee_id", "must be letters, digits", ""},
	{"reported fee with an unknown field", edit(report, set("data.fee.receipt", "none")), "data.fee.receipt", "unknown field", ""},
	{"reported term without term", edit(report, del("data.contract_term.term")), "data.contract_term.term", "required; one of wage", ""},
	{"reported term overtime", edit(report, set("data.contract_term.term", "overtime")), "data.contract_term.term", `"overtime" is not one of wage`, ""},
	{"reported promise with a newline", edit(report, set("data.contract_term.promised", "1500\nringgit")), "data.contract_term.promised", "control character", ""},
	{"reported promise over 1000 bytes", edit(report, set("data.contract_term.actual", strings.Repeat("x", 1001))), "data.contract_term.actual", "longer than 1000 bytes", ""},
	{"reported document visa", edit(report, set("data.document.document", "visa")), "data.document.document", `"visa" is not one of passport`, ""},
	{"reported document without document", edit(report, del("data.document.document")), "data.document.document", "required", ""},
	{"reported document holder with a slash", edit(report, set("data.document.held_by", "emp/1")), "data.document.held_by", "must be letters, digits", ""},
	{"report note hash in upper case", edit(report, set("data.note_sha256", strings.Repeat("AB", 32))), "data.note_sha256", "64 lower-case hex", ""},
	{"report note hash of 63 digits", edit(report, set("data.note_sha256", strings.Repeat("a", 63))), "data.note_sha256", "64 lower-case hex", ""},
	{"report with free text", edit(report, set("data.note", "they took my passport")), "data.note", "unknown field", ""},
	{"resolution without report_id", edit(resolved, del("data.report_id")), "data.report_id", "required", ""},
	{"resolution without outcome", edit(resolved, del("data.outcome")), "data.outcome", "required; one of substantiated", ""},
	{"resolution outcome dismissed", edit(resolved, set("data.outcome", "dismissed")), "data.outcome", `"dismissed" is not one of substantiated`, ""},
	{"resolution note hash too short", edit(resolved, set("data.note_sha256", "9f86d081")), "data.note_sha256", "64 lower-case hex", ""},
	{"organisation role union", edit(domain.TypeOrganisationRegistered, set("data.role", "union")), "data.role", `"union" is not one of buyer, employer, agency, sub_agent, auditor, worker_organisation`, ""},
}
