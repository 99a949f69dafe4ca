package projections

import (
	"encoding/json"
	"errors"
	"fmt"
)

// errNotJSON reports a value whose own MarshalJSON wrote something that is not JSON, which encoding/json
// refuses as well.
var errNotJSON = errors.New("not valid JSON")

// Each details type appends its own JSON (AppendJSON), and MarshalJSON is that: the one place that says a
// code's JSON, whether the read model stores a flag or encoding/json writes one for the API. The members
// follow the fields' tags in details.go, which FuzzDetailsJSON holds them to.

// AppendJSON appends the details' JSON.
func (d FeeProhibitedDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("category", d.Category)
	o.str("fee_id", d.FeeID)
	o.strOmit("label", d.Label)
	o.str("method", d.Method)
	o.str("payee_id", d.PayeeID)
	o.str("payer", d.Payer)
	array(&o, "rules", d.Rules, appendBreach)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d FeeIllegitimateDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("category", d.Category)
	o.str("fee_id", d.FeeID)
	o.strOmit("label", d.Label)
	o.str("method", d.Method)
	o.str("payee_id", d.PayeeID)
	o.str("payer", d.Payer)
	o.str("reason", d.Reason)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d FeeCapExceededDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.money("cap", d.Cap)
	o.str("category", d.Category)
	if len(d.Conversions) > 0 {
		array(&o, "conversions", d.Conversions, appendConversion)
	}
	o.strs("fee_ids", d.FeeIDs)
	if len(d.NotJudged) > 0 {
		array(&o, "not_judged", d.NotJudged, appendNotJudged)
	}
	o.money("over_cap", d.OverCap)
	o.key("rule")
	o.b, _ = appendBreach(o.b, d.Rule) // no time: cannot fail
	o.money("worker_paid", d.WorkerPaid)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d ReimbursementOverdueDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("category", d.Category)
	o.time("deadline", d.Deadline)
	o.str("fee_id", d.FeeID)
	o.strOmit("label", d.Label)
	o.str("method", d.Method)
	o.money("outstanding_now", d.OutstandingNow)
	o.moneyPtr("owed", d.Owed)
	o.str("payee_id", d.PayeeID)
	o.str("payer", d.Payer)
	o.time("recorded_at", d.RecordedAt)
	o.money("reimbursed_by_deadline", d.ReimbursedByDeadline)
	o.int("repayment_days", d.RepaymentDays)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d ContractSubstitutionDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("baseline", d.Baseline)
	array(&o, "changes", d.Changes, appendChange)
	o.str("contract_id", d.ContractID)
	if d.EstimatedWageShortfall != nil {
		o.moneyPtr("estimated_wage_shortfall", d.EstimatedWageShortfall)
	}
	o.str("stage", d.Stage)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d BelowJobOrderDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	array(&o, "changes", d.Changes, appendChange)
	o.str("contract_id", d.ContractID)
	if d.EstimatedWageShortfall != nil {
		o.moneyPtr("estimated_wage_shortfall", d.EstimatedWageShortfall)
	}
	o.str("job_order_terms_event_id", d.JobOrderTermsEventID)
	o.str("stage", d.Stage)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d MissingBeforeDepartureDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.time("left_at", d.LeftAt)
	o.str("left_by", d.LeftBy)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d SignedAfterDepartureDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("contract_id", d.ContractID)
	o.time("left_at", d.LeftAt)
	o.time("signed_at", d.SignedAt)
	o.str("stage", d.Stage)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d ContractLanguageDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("contract_id", d.ContractID)
	o.str("language", d.Language)
	o.strs("worker_languages", d.WorkerLanguages)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d NoWorkerCopyDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("contract_id", d.ContractID)
	o.str("stage", d.Stage)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d DocumentRetainedDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("document", d.Document)
	o.str("held_by", d.HeldBy)
	o.time("since", d.Since)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d UndisclosedIntermediaryDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("employer_id", d.EmployerID)
	o.strs("engaged_agencies", d.EngagedAgencies)
	o.str("recruited_by", d.RecruitedBy)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d ReverseFeeDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("employer_id", d.EmployerID)
	o.strOmit("label", d.Label)
	o.str("payee_id", d.PayeeID)
	o.str("payer_id", d.PayerID)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d RecruitmentLoanDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	if d.AnnualInterestPct != "" {
		o.key("annual_interest_pct")
		pct, err := d.AnnualInterestPct.MarshalJSON()
		if err == nil && !json.Valid(pct) {
			err = fmt.Errorf("annual_interest_pct %q: %w", string(d.AnnualInterestPct), errNotJSON)
		}
		if err != nil {
			return o.b, err
		}
		o.b = append(o.b, pct...)
	}
	o.strOmit("lender_id", d.LenderID)
	o.str("loan_id", d.LoanID)
	o.str("purpose", d.Purpose)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d UnlicensedAgencyDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	array(&o, "licences", d.Licences, appendLicence)
	o.str("reason", d.Reason)
	o.str("recruited_by", d.RecruitedBy)
	o.str("recruited_on", d.RecruitedOn)
	o.str("role", d.Role)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d ReportOpenDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("channel", d.Channel)
	o.str("kind", d.Kind)
	o.int("open_days", d.OpenDays)
	o.time("recorded_at", d.RecordedAt)
	o.str("report_id", d.ReportID)
	return o.end()
}

// AppendJSON appends the details' JSON.
func (d ReportedUnrecordedDetails) AppendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("channel", d.Channel)
	o.str("kind", d.Kind)
	array(&o, "recorded_fees", d.RecordedFees, appendComparedFee)
	o.str("report_id", d.ReportID)
	o.key("reported_fee")
	o.b = appendReportedFee(o.b, d.ReportedFee)
	o.strOmit("resolution", d.Resolution)
	return o.end()
}
