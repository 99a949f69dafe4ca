package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Flag codes of spec sections 4, 7 and 8. They are public: dashboards and auditors' scripts match on them.
const (
	FlagFeeProhibited           = "fee.prohibited"
	FlagFeeCapExceeded          = "fee.cap_exceeded"
	FlagFeeIllegitimate         = "fee.illegitimate"
	FlagReimbursementOverdue    = "fee.reimbursement_overdue"
	FlagContractSubstitution    = "contract.substitution"
	FlagContractBelowJobOrder   = "contract.below_job_order"
	FlagContractMissingBefore   = "contract.missing_before_departure"
	FlagContractSignedAfter     = "contract.signed_after_departure"
	FlagContractLanguage        = "contract.language"
	FlagContractNoWorkerCopy    = "contract.no_worker_copy"
	FlagDocumentRetained        = "document.retained"
	FlagUndisclosedIntermediary = "chain.undisclosed_intermediary"
	FlagReverseFee              = "chain.reverse_fee"
	FlagRecruitmentLoan         = "debt.recruitment_loan"
	// FlagUnlicensedAgency is spec section 7's: the agency or sub-agent that recruited a worker held no licence
	// valid on the day of the recruitment.
	FlagUnlicensedAgency = "chain.unlicensed_agency"
	// FlagWorkerReportOpen is spec section 8's: a worker's report has stood unresolved for more than 30 days
	// since the tracker learned of it, at the query's clock.
	FlagWorkerReportOpen = "worker.report_open"
	// FlagFeeReportedUnrecorded is spec section 8's: a worker reported paying a fee that no FeePaid of the worker
	// records at that amount or more.
	FlagFeeReportedUnrecorded = "fee.reported_unrecorded"
)

// flagCatalogue is every flag code in catalogue order: the one list a new code is added to.
var flagCatalogue = [...]string{
	FlagFeeProhibited, FlagFeeCapExceeded, FlagFeeIllegitimate, FlagReimbursementOverdue,
	FlagContractSubstitution, FlagContractBelowJobOrder, FlagContractMissingBefore, FlagContractSignedAfter,
	FlagContractLanguage, FlagContractNoWorkerCopy, FlagDocumentRetained, FlagUndisclosedIntermediary,
	FlagReverseFee, FlagRecruitmentLoan, FlagUnlicensedAgency, FlagWorkerReportOpen, FlagFeeReportedUnrecorded,
}

// FlagCodes lists every flag code in catalogue order.
var FlagCodes = flagCatalogue[:]

// NumFlagCodes is how many flag codes there are: the length of an array counting flags by code.
const NumFlagCodes = len(flagCatalogue)

// Flag is a finding with its evidence: what rule, about whom, which events prove it, and when it arose.
type Flag struct {
	Code       string    `json:"code"`
	WorkerID   string    `json:"worker_id"`
	JobOrderID string    `json:"job_order_id"`
	BuyerIDs   []string  `json:"buyer_ids"`
	EventIDs   []string  `json:"event_ids"`
	RaisedAt   time.Time `json:"raised_at"`
	// Amounts are the money at stake, per currency (the fee, the amount over a cap, the outstanding
	// reimbursement, the estimated wage shortfall).
	Amounts []Money `json:"amounts,omitempty"`
	// Details explain the finding: the rules breached, the terms changed with before and after, and so on.
	// A flag judged here holds its code's own type; a flag read back from JSON holds RawDetails.
	Details FlagDetails `json:"details"`
}

// FlagDetails explain a flag: each code has its own type (the projections define them), and a flag read back
// from JSON has RawDetails.
type FlagDetails interface {
	// FlagCode is the code of the flags these details explain.
	FlagCode() string
}

// RawDetails are a flag's details as they were read back from JSON: they encode to the same bytes.
type RawDetails struct {
	Code string
	JSON json.RawMessage
}

// FlagCode is the code of the flag the details were read with.
func (d RawDetails) FlagCode() string { return d.Code }

// MarshalJSON gives the JSON the details were read from (null for none).
func (d RawDetails) MarshalJSON() ([]byte, error) {
	if len(d.JSON) == 0 {
		return []byte("null"), nil
	}
	return d.JSON, nil
}

// UnmarshalJSON reads a flag back from its JSON, its details as RawDetails (nil for null or none).
func (f *Flag) UnmarshalJSON(b []byte) error {
	type plain Flag
	raw := struct {
		*plain
		Details json.RawMessage `json:"details"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("read flag: %w", err)
	}
	f.Details = nil
	if len(raw.Details) > 0 && string(raw.Details) != "null" {
		f.Details = RawDetails{Code: f.Code, JSON: raw.Details}
	}
	return nil
}
