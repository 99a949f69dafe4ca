package projections

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// The details of each flag code, one type per code. They are part of the public contract: the fields are in
// the order of their JSON names (the order encoding/json gave the maps they replace), and
// testdata/details/<code>.golden pins their bytes. Each appends its own JSON by hand (details_json.go), which
// FuzzDetailsJSON holds to the tags here. A change to any of them changes RulesVersion.

// FeeProhibitedDetails explain fee.prohibited: the fee and every rule that caps its category at 0.
type FeeProhibitedDetails struct {
	Category string   `json:"category"`
	FeeID    string   `json:"fee_id"`
	Label    string   `json:"label,omitempty"`
	Method   string   `json:"method"`
	PayeeID  string   `json:"payee_id"`
	Payer    string   `json:"payer"`
	Rules    []Breach `json:"rules"`
}

// FeeIllegitimateDetails explain fee.illegitimate: the fee and why no one may take it.
type FeeIllegitimateDetails struct {
	Category string `json:"category"`
	FeeID    string `json:"fee_id"`
	Label    string `json:"label,omitempty"`
	Method   string `json:"method"`
	PayeeID  string `json:"payee_id"`
	Payer    string `json:"payer"`
	Reason   string `json:"reason"`
}

// FeeCapExceededDetails explain fee.cap_exceeded: the cap rule, the worker's fees under it, and by how much
// they exceed it.
type FeeCapExceededDetails struct {
	Cap      domain.Money `json:"cap"`
	Category string       `json:"category"`
	// Conversions are the fees in another currency, converted into the cap's.
	Conversions []domain.Conversion `json:"conversions,omitempty"`
	FeeIDs      []string            `json:"fee_ids"`
	// NotJudged are the fees in another currency that no rate converts.
	NotJudged  []NotJudgedFee `json:"not_judged,omitempty"`
	OverCap    domain.Money   `json:"over_cap"`
	Rule       Breach         `json:"rule"`
	WorkerPaid domain.Money   `json:"worker_paid"`
}

// NotJudgedFee is a fee a cap could not judge, and why.
type NotJudgedFee struct {
	Amount  domain.Money `json:"amount"`
	EventID string       `json:"event_id"`
	FeeID   string       `json:"fee_id"`
	Reason  string       `json:"reason"`
}

// ReimbursementOverdueDetails explain fee.reimbursement_overdue: the fee, what it owed, its deadline and what
// was paid back by then.
type ReimbursementOverdueDetails struct {
	Category             string        `json:"category"`
	Deadline             time.Time     `json:"deadline"`
	FeeID                string        `json:"fee_id"`
	Label                string        `json:"label,omitempty"`
	Method               string        `json:"method"`
	OutstandingNow       domain.Money  `json:"outstanding_now"`
	Owed                 *domain.Money `json:"owed"`
	PayeeID              string        `json:"payee_id"`
	Payer                string        `json:"payer"`
	RecordedAt           time.Time     `json:"recorded_at"`
	ReimbursedByDeadline domain.Money  `json:"reimbursed_by_deadline"`
	RepaymentDays        int           `json:"repayment_days"`
}

// ContractSubstitutionDetails explain contract.substitution: the contract, the baseline it is compared with and
// the terms it changed for the worse.
type ContractSubstitutionDetails struct {
	Baseline               string        `json:"baseline"`
	Changes                []Change      `json:"changes"`
	ContractID             string        `json:"contract_id"`
	EstimatedWageShortfall *domain.Money `json:"estimated_wage_shortfall,omitempty"`
	Stage                  string        `json:"stage"`
}

// BelowJobOrderDetails explain contract.below_job_order: the first contract and the job order's terms it
// falls below.
type BelowJobOrderDetails struct {
	Changes                []Change      `json:"changes"`
	ContractID             string        `json:"contract_id"`
	EstimatedWageShortfall *domain.Money `json:"estimated_wage_shortfall,omitempty"`
	JobOrderTermsEventID   string        `json:"job_order_terms_event_id"`
	Stage                  string        `json:"stage"`
}

// MissingBeforeDepartureDetails explain contract.missing_before_departure: how and when the worker left.
type MissingBeforeDepartureDetails struct {
	LeftAt time.Time `json:"left_at"`
	LeftBy string    `json:"left_by"`
}

// SignedAfterDepartureDetails explain contract.signed_after_departure: the first contract and when the worker
// had left.
type SignedAfterDepartureDetails struct {
	ContractID string    `json:"contract_id"`
	LeftAt     time.Time `json:"left_at"`
	SignedAt   time.Time `json:"signed_at"`
	Stage      string    `json:"stage"`
}

// ContractLanguageDetails explain contract.language: the contract's language and the worker's.
type ContractLanguageDetails struct {
	ContractID      string   `json:"contract_id"`
	Language        string   `json:"language"`
	WorkerLanguages []string `json:"worker_languages"`
}

// NoWorkerCopyDetails explain contract.no_worker_copy: the contract the worker has no copy of.
type NoWorkerCopyDetails struct {
	ContractID string `json:"contract_id"`
	Stage      string `json:"stage"`
}

// DocumentRetainedDetails explain document.retained: the document, who holds it and since when.
type DocumentRetainedDetails struct {
	Document string    `json:"document"`
	HeldBy   string    `json:"held_by"`
	Since    time.Time `json:"since"`
}

// UndisclosedIntermediaryDetails explain chain.undisclosed_intermediary: the recruiter and the chain it is
// not part of.
type UndisclosedIntermediaryDetails struct {
	EmployerID      string   `json:"employer_id"`
	EngagedAgencies []string `json:"engaged_agencies"`
	RecruitedBy     string   `json:"recruited_by"`
}

// ReverseFeeDetails explain chain.reverse_fee: who paid whom on the job order.
type ReverseFeeDetails struct {
	EmployerID string `json:"employer_id"`
	Label      string `json:"label,omitempty"`
	PayeeID    string `json:"payee_id"`
	PayerID    string `json:"payer_id"`
}

// RecruitmentLoanDetails explain debt.recruitment_loan: the loan taken to pay for the recruitment.
type RecruitmentLoanDetails struct {
	AnnualInterestPct domain.Percent `json:"annual_interest_pct,omitempty"`
	LenderID          string         `json:"lender_id,omitempty"`
	LoanID            string         `json:"loan_id"`
	Purpose           string         `json:"purpose"`
}

// UnlicensedAgencyDetails explain chain.unlicensed_agency: the recruiter, its role, the day of the
// recruitment and every licence its registrations carried.
type UnlicensedAgencyDetails struct {
	Licences    []LicenceHeld `json:"licences"`
	Reason      string        `json:"reason"`
	RecruitedBy string        `json:"recruited_by"`
	RecruitedOn string        `json:"recruited_on"`
	Role        string        `json:"role"`
}

// LicenceHeld is a licence a registration of the recruiter carried, with the registration.
type LicenceHeld struct {
	Authority  string `json:"authority"`
	EventID    string `json:"event_id"`
	Number     string `json:"number"`
	ValidUntil string `json:"valid_until"`
}

// ReportOpenDetails explain worker.report_open: the report that stands unresolved, and for how long a report
// may.
type ReportOpenDetails struct {
	Channel    string    `json:"channel"`
	Kind       string    `json:"kind"`
	OpenDays   int       `json:"open_days"`
	RecordedAt time.Time `json:"recorded_at"`
	ReportID   string    `json:"report_id"`
}

// ReportedUnrecordedDetails explain fee.reported_unrecorded: the fee the worker reported, the recorded fees
// of its category and why none records it, and the report's resolution if any.
type ReportedUnrecordedDetails struct {
	Channel      string             `json:"channel"`
	Kind         string             `json:"kind"`
	RecordedFees []ComparedFee      `json:"recorded_fees"`
	ReportID     string             `json:"report_id"`
	ReportedFee  domain.ReportedFee `json:"reported_fee"`
	Resolution   string             `json:"resolution,omitempty"`
}

// FlagCode is fee.prohibited.
func (FeeProhibitedDetails) FlagCode() string { return domain.FlagFeeProhibited }

// FlagCode is fee.illegitimate.
func (FeeIllegitimateDetails) FlagCode() string { return domain.FlagFeeIllegitimate }

// FlagCode is fee.cap_exceeded.
func (FeeCapExceededDetails) FlagCode() string { return domain.FlagFeeCapExceeded }

// FlagCode is fee.reimbursement_overdue.
func (ReimbursementOverdueDetails) FlagCode() string { return domain.FlagReimbursementOverdue }

// FlagCode is contract.substitution.
func (ContractSubstitutionDetails) FlagCode() string { return domain.FlagContractSubstitution }

// FlagCode is contract.below_job_order.
func (BelowJobOrderDetails) FlagCode() string { return domain.FlagContractBelowJobOrder }

// FlagCode is contract.missing_before_departure.
func (MissingBeforeDepartureDetails) FlagCode() string { return domain.FlagContractMissingBefore }

// FlagCode is contract.signed_after_departure.
func (SignedAfterDepartureDetails) FlagCode() string { return domain.FlagContractSignedAfter }

// FlagCode is contract.language.
func (ContractLanguageDetails) FlagCode() string { return domain.FlagContractLanguage }

// FlagCode is contract.no_worker_copy.
func (NoWorkerCopyDetails) FlagCode() string { return domain.FlagContractNoWorkerCopy }

// FlagCode is document.retained.
func (DocumentRetainedDetails) FlagCode() string { return domain.FlagDocumentRetained }

// FlagCode is chain.undisclosed_intermediary.
func (UndisclosedIntermediaryDetails) FlagCode() string { return domain.FlagUndisclosedIntermediary }

// FlagCode is chain.reverse_fee.
func (ReverseFeeDetails) FlagCode() string { return domain.FlagReverseFee }

// FlagCode is debt.recruitment_loan.
func (RecruitmentLoanDetails) FlagCode() string { return domain.FlagRecruitmentLoan }

// FlagCode is chain.unlicensed_agency.
func (UnlicensedAgencyDetails) FlagCode() string { return domain.FlagUnlicensedAgency }

// FlagCode is worker.report_open.
func (ReportOpenDetails) FlagCode() string { return domain.FlagWorkerReportOpen }

// FlagCode is fee.reported_unrecorded.
func (ReportedUnrecordedDetails) FlagCode() string { return domain.FlagFeeReportedUnrecorded }
