package projections

import (
	"strconv"

	"github.com/fairtrail/fairtrail/domain"
)

// The JSON of the values details hold (a breached rule, a conversion, a change of terms, ...), appended as
// encoding/json writes their structs; and each details type's MarshalJSON, which is its AppendJSON.

// appendBreach appends a breached rule.
func appendBreach(b []byte, r Breach) ([]byte, error) {
	o := openObject(b)
	o.str("code", r.Code)
	o.strOmit("policy_id", r.PolicyID)
	o.strOmit("policy_name", r.PolicyName)
	o.strOmit("authority", r.Authority)
	o.str("category", r.Category)
	o.money("max", r.Max)
	return o.end()
}

// appendConversion appends an amount converted into another currency, with its rate.
func appendConversion(b []byte, c domain.Conversion) ([]byte, error) {
	o := openObject(b)
	o.money("from", c.From)
	o.money("to", c.To)
	o.key("rate")
	r := openObject(o.b)
	r.str("event_id", c.Rate.EventID)
	r.str("rates_id", c.Rate.RatesID)
	r.str("source", c.Rate.Source)
	r.str("date", c.Rate.Date)
	r.str("base", c.Rate.Base)
	r.str("from", c.Rate.From)
	r.str("to", c.Rate.To)
	r.str("from_per_base", c.Rate.FromPerBase)
	r.str("to_per_base", c.Rate.ToPerBase)
	r.str("rate", c.Rate.Rate)
	o.b, _ = r.end() // no time: cannot fail
	return o.end()
}

// appendNotJudged appends a fee a cap could not judge.
func appendNotJudged(b []byte, f NotJudgedFee) ([]byte, error) {
	o := openObject(b)
	o.money("amount", f.Amount)
	o.str("event_id", f.EventID)
	o.str("fee_id", f.FeeID)
	o.str("reason", f.Reason)
	return o.end()
}

// appendChange appends a changed term, its before and after by their types: the types Compare records are
// appended by hand, any other through encoding/json.
func appendChange(b []byte, c Change) ([]byte, error) {
	o := openObject(b)
	o.str("term", c.Term)
	o.key("before")
	o.b = appendTermValue(o.b, c.Before, &o.err)
	o.key("after")
	o.b = appendTermValue(o.b, c.After, &o.err)
	o.str("note", c.Note)
	return o.end()
}

// appendTermValue appends a change's before or after, keeping the first error in *err.
func appendTermValue(b []byte, v any, err *error) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendJSONString(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case WageView:
		o := openObject(b)
		o.str("amount", string(v.Amount))
		o.str("currency", v.Currency)
		o.str("per", v.Per)
		o.str("monthly_equivalent", string(v.MonthlyEquivalent))
		b, _ = o.end() // no time: cannot fail
		return b
	case domain.Worksite:
		o := openObject(b)
		o.strOmit("city", v.City)
		o.str("country", v.Country)
		b, _ = o.end() // no time: cannot fail
		return b
	}
	if *err != nil {
		return b
	}
	b, *err = appendMarshalled(b, v)
	return b
}

// appendLicence appends a licence a registration of a recruiter carried.
func appendLicence(b []byte, l LicenceHeld) ([]byte, error) {
	o := openObject(b)
	o.str("authority", l.Authority)
	o.str("event_id", l.EventID)
	o.str("number", l.Number)
	o.str("valid_until", l.ValidUntil)
	return o.end()
}

// appendComparedFee appends a recorded fee compared with a reported one.
func appendComparedFee(b []byte, f ComparedFee) ([]byte, error) {
	o := openObject(b)
	o.str("event_id", f.EventID)
	o.str("fee_id", f.FeeID)
	o.str("payer", f.Payer)
	o.money("amount", f.Amount)
	if f.ShortBy != nil {
		o.moneyPtr("short_by", f.ShortBy)
	}
	o.str("why", f.Why)
	return o.end()
}

// appendReportedFee appends a fee as a worker reported it.
func appendReportedFee(b []byte, f domain.ReportedFee) []byte {
	o := openObject(b)
	o.money("amount", f.Amount)
	o.str("category", f.Category)
	o.strOmit("method", f.Method)
	o.strOmit("paid_on", f.PaidOn)
	o.strOmit("payee_id", f.PayeeID)
	b, _ = o.end() // no time: cannot fail
	return b
}

// MarshalJSON is the details' AppendJSON.
func (d FeeProhibitedDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d FeeIllegitimateDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d FeeCapExceededDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d ReimbursementOverdueDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d ContractSubstitutionDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d BelowJobOrderDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d MissingBeforeDepartureDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d SignedAfterDepartureDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d ContractLanguageDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d NoWorkerCopyDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d DocumentRetainedDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d UndisclosedIntermediaryDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d ReverseFeeDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d RecruitmentLoanDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d UnlicensedAgencyDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d ReportOpenDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// MarshalJSON is the details' AppendJSON.
func (d ReportedUnrecordedDetails) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }
