package domain_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// example is a realistic envelope of one event type with every optional field set, written the way a
// submitter would: keys in spec order (not sorted), indented, some times with a UTC offset.
type example struct {
	typ      string
	stream   string
	envelope string
}

// terms is the job order's offer, shared by JobOrderIssued and ContractSigned.
const terms = `{
		"position": "sewing machine operator",
		"employer_id": "emp-penang-garments",
		"worksite": {"country": "MY", "city": "Penang"},
		"wage": {"amount": "1500.00", "currency": "MYR", "per": "month"},
		"hours_per_week": 48,
		"rest_days_per_week": 1,
		"duration_months": 24,
		"deductions": [
			{"kind": "housing", "amount": "100.00", "currency": "MYR", "per": "month"},
			{"kind": "foreign worker levy", "amount": "10.50", "currency": "MYR", "per": "month"}
		],
		"benefits": ["housing", "food", "medical", "return_ticket"]
	}`

// amendedTerms raise the wage after a minimum wage order and pay it by the day.
const amendedTerms = `{
		"position": "sewing machine operator",
		"employer_id": "emp-penang-garments",
		"worksite": {"country": "MY", "city": "Bayan Lepas, Penang"},
		"wage": {"amount": "65.40", "currency": "MYR", "per": "day"},
		"hours_per_week": 45,
		"rest_days_per_week": 1,
		"duration_months": 24,
		"deductions": [{"kind": "housing", "amount": "25.00", "currency": "MYR", "per": "week"}],
		"benefits": ["housing", "medical", "return_ticket"]
	}`

// examples holds one example per event type, in catalogue order (domain.Types).
var examples = []example{
	{domain.TypeOrganisationRegistered, "org-agency-kathmandu-07", `{
	"event_id": "0192f2a1-7c00-7d3e-9a41-1b2c3d4e5f60",
	"type": "OrganisationRegistered",
	"occurred_at": "2024-11-05T09:15:00+05:45",
	"data": {
		"org_id": "agency-kathmandu-07",
		"name": "Himalayan Manpower Services Pvt. Ltd.",
		"role": "agency",
		"country": "NP",
		"licence": {"authority": "Department of Foreign Employment, Nepal", "number": "DoFE 1234/067/068", "valid_until": "2026-07-15"}
	}
}`},
	{domain.TypePolicyAdopted, "policy-acme-erp-2024", `{
	"event_id": "018cc251-f400-7a11-8b22-3c4d5e6f7081",
	"type": "PolicyAdopted",
	"occurred_at": "2024-01-01T00:00:00Z",
	"data": {
		"policy_id": "acme-erp-2024",
		"name": "ACME Employer Pays Principle, Nepal to Malaysia",
		"scope": {"buyer_id": "buyer-acme", "origin": "NP", "destination": "MY"},
		"effective_from": "2024-01-01",
		"effective_to": "2026-12-31T23:59:59Z",
		"rules": [
			{"category": "recruitment_fee", "max": {"amount": "0"}},
			{"category": "medical", "max": {"amount": "5000.00", "currency": "NPR"}},
			{"category": "*", "max": {"amount": "10000.00", "currency": "NPR"}}
		],
		"repayment_days": 60,
		"authority": "ACME supplier code of conduct, section 4.2"
	}
}`},
	{domain.TypePolicyRetired, "policy-acme-erp-2024", `{
	"event_id": "0197c1f0-ac00-7b12-8c23-4d5e6f708192",
	"type": "PolicyRetired",
	"occurred_at": "2025-06-30T17:00:00+08:00",
	"data": {"policy_id": "acme-erp-2024", "effective_to": "2025-06-30"}
}`},
	{domain.TypeJobOrderIssued, "joborder-jo-2025-0042", `{
	"event_id": "01946ba3-8800-7c13-9d24-5e6f708192a3",
	"type": "JobOrderIssued",
	"occurred_at": "2025-01-10T02:00:00Z",
	"data": {
		"job_order_id": "jo-2025-0042",
		"employer_id": "emp-penang-garments",
		"buyer_ids": ["buyer-acme", "buyer-northwind"],
		"headcount": 120,
		"origin_countries": ["NP", "BD"],
		"terms": ` + terms + `
	}
}`},
	{domain.TypeJobOrderAmended, "joborder-jo-2025-0042", `{
	"event_id": "01950f4e-2c00-7d14-8e25-6f708192a3b4",
	"type": "JobOrderAmended",
	"occurred_at": "2025-02-11T03:30:00Z",
	"data": {
		"job_order_id": "jo-2025-0042",
		"terms": ` + amendedTerms + `,
		"reason": "Minimum Wages Order 2024 took effect on 1 February 2025"
	}
}`},
	{domain.TypeAgencyEngaged, "joborder-jo-2025-0042", `{
	"event_id": "01947a8d-9000-7e15-8f26-708192a3b4c5",
	"type": "AgencyEngaged",
	"occurred_at": "2025-01-13T08:45:00Z",
	"data": {
		"job_order_id": "jo-2025-0042",
		"agency_id": "agency-kathmandu-07",
		"role": "origin_agency",
		"engaged_by": "agency-penang-02"
	}
}`},
	{domain.TypeJobOrderPaymentMade, "joborder-jo-2025-0042", `{
	"event_id": "01948a10-e400-7f16-9027-8192a3b4c5d6",
	"type": "JobOrderPaymentMade",
	"occurred_at": "2025-01-16T10:00:00Z",
	"data": {
		"job_order_id": "jo-2025-0042",
		"payer_id": "agency-kathmandu-07",
		"payee_id": "agency-penang-02",
		"amount": {"amount": "36000.00", "currency": "USD"},
		"label": "\"demand letter\" commission, USD 300 per worker"
	}
}`},
	{domain.TypeJobOrderClosed, "joborder-jo-2025-0042", `{
	"event_id": "019a1b2c-3000-7017-a128-92a3b4c5d6e7",
	"type": "JobOrderClosed",
	"occurred_at": "2025-10-31T09:00:00Z",
	"data": {"job_order_id": "jo-2025-0042", "reason": "headcount filled"}
}`},
	{domain.TypeWorkerRecruited, "worker-w-7f3a9c", `{
	"event_id": "0194b1c2-5800-7118-b229-a3b4c5d6e7f8",
	"type": "WorkerRecruited",
	"occurred_at": "2025-01-24T11:20:00+05:45",
	"data": {
		"worker_id": "w-7f3a9c",
		"job_order_id": "jo-2025-0042",
		"origin_country": "NP",
		"recruited_by": "subagent-dhanusha-3",
		"languages": ["ne", "hi"]
	}
}`},
	{domain.TypeFeePaid, "worker-w-7f3a9c", `{
	"event_id": "0194c5d6-1000-7219-832a-b4c5d6e7f809",
	"type": "FeePaid",
	"occurred_at": "2025-01-28T14:45:00+05:45",
	"data": {
		"worker_id": "w-7f3a9c",
		"fee_id": "fee-0001",
		"category": "recruitment_fee",
		"label": "सेवा शुल्क (service charge) & <visa processing>",
		"amount": {"amount": "150000.00", "currency": "NPR"},
		"payer": "worker",
		"payer_id": "w-7f3a9c",
		"payee_id": "subagent-dhanusha-3",
		"method": "cash",
		"evidence_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	}
}`},
	{domain.TypeFeeReimbursed, "worker-w-7f3a9c", `{
	"event_id": "01983e4f-5000-731a-943b-c5d6e7f8091a",
	"type": "FeeReimbursed",
	"occurred_at": "2025-07-20T04:00:00Z",
	"data": {
		"worker_id": "w-7f3a9c",
		"reimbursement_id": "reimb-0001",
		"fee_id": "fee-0001",
		"amount": {"amount": "75000.00", "currency": "NPR"},
		"paid_by": "emp-penang-garments"
	}
}`},
	{domain.TypeLoanTaken, "worker-w-7f3a9c", `{
	"event_id": "0194c0a9-4800-741b-a54c-d6e7f8091a2b",
	"type": "LoanTaken",
	"occurred_at": "2025-01-27T10:00:00+05:45",
	"data": {
		"worker_id": "w-7f3a9c",
		"loan_id": "loan-0001",
		"lender_id": "coop-janakpur",
		"principal": {"amount": "200000.00", "currency": "NPR"},
		"purpose": "recruitment",
		"annual_interest_pct": 36.5
	}
}`},
	{domain.TypeContractSigned, "worker-w-7f3a9c", `{
	"event_id": "0194e3b4-2400-751c-b65d-e7f8091a2b3c",
	"type": "ContractSigned",
	"occurred_at": "2025-02-03T06:30:00Z",
	"data": {
		"worker_id": "w-7f3a9c",
		"contract_id": "ct-w-7f3a9c-1",
		"stage": "pre_departure",
		"terms": ` + terms + `,
		"language": "ne",
		"worker_copy": true,
		"document_sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	}
}`},
	{domain.TypeVisaIssued, "worker-w-7f3a9c", `{
	"event_id": "01951d2e-6c00-761d-876e-f8091a2b3c4d",
	"type": "VisaIssued",
	"occurred_at": "2025-02-14T01:00:00Z",
	"data": {"worker_id": "w-7f3a9c", "country": "MY", "sponsor_id": "emp-penang-garments"}
}`},
	{domain.TypeWorkerDeparted, "worker-w-7f3a9c", `{
	"event_id": "01953b8e-a800-771e-987f-091a2b3c4d5e",
	"type": "WorkerDeparted",
	"occurred_at": "2025-02-20T07:05:00+05:45",
	"data": {"worker_id": "w-7f3a9c", "from_country": "NP", "to_country": "MY"}
}`},
	{domain.TypeWorkerArrived, "worker-w-7f3a9c", `{
	"event_id": "01953d0f-2000-781f-a980-1a2b3c4d5e6f",
	"type": "WorkerArrived",
	"occurred_at": "2025-02-20T15:40:00+08:00",
	"data": {"worker_id": "w-7f3a9c", "country": "MY"}
}`},
	{domain.TypeWorkerDeployed, "worker-w-7f3a9c", `{
	"event_id": "01955a7c-d000-7920-ba91-2b3c4d5e6f70",
	"type": "WorkerDeployed",
	"occurred_at": "2025-02-26T00:30:00Z",
	"data": {"worker_id": "w-7f3a9c", "employer_id": "emp-penang-garments", "worksite": {"country": "MY", "city": "Penang"}}
}`},
	{domain.TypeDocumentRetained, "worker-w-7f3a9c", `{
	"event_id": "01955a7c-d001-7a21-8ba2-3c4d5e6f7081",
	"type": "DocumentRetained",
	"occurred_at": "2025-02-26T00:45:00Z",
	"data": {"worker_id": "w-7f3a9c", "document": "passport", "held_by": "emp-penang-garments"}
}`},
	{domain.TypeDocumentReturned, "worker-w-7f3a9c", `{
	"event_id": "0197a2b3-c400-7b22-9cb3-4d5e6f708192",
	"type": "DocumentReturned",
	"occurred_at": "2025-06-25T09:00:00Z",
	"data": {"worker_id": "w-7f3a9c", "document": "passport"}
}`},
	{domain.TypeWorkerExited, "worker-w-7f3a9c", `{
	"event_id": "019e3f40-5000-7c23-adc4-5e6f708192a3",
	"type": "WorkerExited",
	"occurred_at": "2027-02-25T10:00:00Z",
	"data": {"worker_id": "w-7f3a9c", "reason": "contract_completed"}
}`},
	{domain.TypeExchangeRatesPublished, "rates-ecb-2025-01-27", `{
	"event_id": "0194a6f0-0000-8a1b-9c2d-3e4f5a6b7c8d",
	"type": "ExchangeRatesPublished",
	"occurred_at": "2025-01-27T00:00:00Z",
	"data": {
		"rates_id": "ecb-2025-01-27",
		"source": "ECB",
		"base": "EUR",
		"date": "2025-01-27",
		"rates": {"USD": "1.0478", "MYR": "4.6219", "NPR": "145.21", "JPY": "162.64", "CYP": "0.5853"}
	}
}`},
	{domain.TypeWorkerReported, "worker-w-7f3a9c", `{
	"event_id": "0195f1c2-3b00-7d41-8e52-6f708192a3b4",
	"type": "WorkerReported",
	"occurred_at": "2025-04-10T14:20:00+08:00",
	"data": {
		"worker_id": "w-7f3a9c",
		"report_id": "rep-2025-0410-01",
		"kind": "fee_amount_differs",
		"channel": "interview",
		"language": "ne",
		"fee": {"category": "recruitment_fee", "amount": {"amount": "150000.00", "currency": "NPR"},
			"payee_id": "subagent-dhanusha-3", "paid_on": "2024-12-02", "method": "cash"},
		"contract_term": {"term": "wage", "promised": "1500 ringgit a month", "actual": "1200 ringgit a month"},
		"document": {"document": "passport", "held_by": "emp-penang-garments"},
		"note_sha256": "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
	}
}`},
	{domain.TypeWorkerReportResolved, "worker-w-7f3a9c", `{
	"event_id": "01967e30-1800-7e42-9f63-708192a3b4c5",
	"type": "WorkerReportResolved",
	"occurred_at": "2025-05-02T10:00:00Z",
	"data": {
		"worker_id": "w-7f3a9c",
		"report_id": "rep-2025-0410-01",
		"outcome": "substantiated",
		"note_sha256": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
	}
}`},
}

// exampleOf returns the example envelope of an event type.
func exampleOf(typ string) string {
	for _, ex := range examples {
		if ex.typ == typ {
			return ex.envelope
		}
	}
	panic("no example of " + typ)
}

func TestExamplesCoverEveryType(t *testing.T) {
	if len(examples) != len(domain.Types) {
		t.Fatalf("%d examples for %d event types", len(examples), len(domain.Types))
	}
	for i, typ := range domain.Types {
		if examples[i].typ != typ {
			t.Errorf("examples[%d] is %s, want %s (catalogue order)", i, examples[i].typ, typ)
		}
	}
}
