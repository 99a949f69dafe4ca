package domain

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Event is one fact of the catalogue. Every type is a past-tense struct whose JSON is the event's data; events
// are handled as pointers (*FeePaid), which alone implement Event.
type Event interface {
	// EventType is the catalogue type name, e.g. "FeePaid".
	EventType() string
	// Stream is the stream the event belongs to, derived from its data (e.g. "worker-w1").
	Stream() string
	validate(c checker)
}

// Types lists every event type name of the catalogue, in catalogue order.
var Types = []string{
	TypeOrganisationRegistered, TypePolicyAdopted, TypePolicyRetired,
	TypeJobOrderIssued, TypeJobOrderAmended, TypeAgencyEngaged, TypeJobOrderPaymentMade, TypeJobOrderClosed,
	TypeWorkerRecruited, TypeFeePaid, TypeFeeReimbursed, TypeLoanTaken, TypeContractSigned, TypeVisaIssued,
	TypeWorkerDeparted, TypeWorkerArrived, TypeWorkerDeployed, TypeDocumentRetained, TypeDocumentReturned,
	TypeWorkerExited, TypeExchangeRatesPublished, TypeWorkerReported, TypeWorkerReportResolved,
}

// StreamPrefixes are the prefixes of the streams events belong to, each followed by an id taken from the data:
// worker-, joborder-, org-, policy- and rates-. A backend that keeps other streams tells fairtrail's apart by them.
func StreamPrefixes() []string { return []string{"worker-", "joborder-", "org-", "policy-", "rates-"} }

// NewEvent returns a pointer to an empty event of the named type (e.g. *FeePaid for "FeePaid"), or nil for
// an unknown type: a target for decoders other than DecodeData.
func NewEvent(typ string) Event { return newEvent(typ) }

// newEvent returns a pointer to an empty event of the named type, or nil for an unknown type.
func newEvent(typ string) Event {
	switch typ {
	case TypeOrganisationRegistered:
		return &OrganisationRegistered{}
	case TypePolicyAdopted:
		return &PolicyAdopted{}
	case TypePolicyRetired:
		return &PolicyRetired{}
	case TypeJobOrderIssued:
		return &JobOrderIssued{}
	case TypeJobOrderAmended:
		return &JobOrderAmended{}
	case TypeAgencyEngaged:
		return &AgencyEngaged{}
	case TypeJobOrderPaymentMade:
		return &JobOrderPaymentMade{}
	case TypeJobOrderClosed:
		return &JobOrderClosed{}
	case TypeExchangeRatesPublished:
		return &ExchangeRatesPublished{}
	}
	return newWorkerEvent(typ)
}

func newWorkerEvent(typ string) Event {
	switch typ {
	case TypeWorkerRecruited:
		return &WorkerRecruited{}
	case TypeFeePaid:
		return &FeePaid{}
	case TypeFeeReimbursed:
		return &FeeReimbursed{}
	case TypeLoanTaken:
		return &LoanTaken{}
	case TypeContractSigned:
		return &ContractSigned{}
	case TypeVisaIssued:
		return &VisaIssued{}
	case TypeWorkerDeparted:
		return &WorkerDeparted{}
	case TypeWorkerArrived:
		return &WorkerArrived{}
	case TypeWorkerDeployed:
		return &WorkerDeployed{}
	case TypeDocumentRetained:
		return &DocumentRetained{}
	case TypeDocumentReturned:
		return &DocumentReturned{}
	case TypeWorkerExited:
		return &WorkerExited{}
	case TypeWorkerReported:
		return &WorkerReported{}
	case TypeWorkerReportResolved:
		return &WorkerReportResolved{}
	}
	return nil
}

// Validate checks an event's data and returns a *ValidationError naming every bad field under "data.".
func Validate(e Event) error {
	c := newChecker("data")
	e.validate(c)
	return c.err()
}

// DecodeData decodes and validates the data of an event of the named type. Unknown fields are refused, so a
// misspelt field cannot pass silently. Errors are *ValidationError with paths under "data.".
func DecodeData(typ string, data []byte) (Event, error) { return decodeData(typ, data, true) }

func decodeData(typ string, data []byte, checkKeysToo bool) (Event, error) {
	e := newEvent(typ)
	if e == nil {
		return nil, invalid("type", "unknown event type "+strconv.Quote(typ))
	}
	if err := strictUnmarshal(data, e); err != nil {
		return nil, jsonProblem(data, e, "data", err)
	}
	if checkKeysToo {
		if err := checkKeys(data, "data"); err != nil {
			return nil, err
		}
	}
	if err := Validate(e); err != nil {
		return nil, err
	}
	return e, nil
}

// EncodeData gives the canonical JSON of an event's data: keys in alphabetical order (struct fields are
// declared so), no insignificant white space, no HTML escaping. These are the bytes stored and hashed.
func EncodeData(e Event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}
