package domain

// Event type names of a worker's recruitment.
const (
	TypeWorkerRecruited  = "WorkerRecruited"
	TypeFeePaid          = "FeePaid"
	TypeFeeReimbursed    = "FeeReimbursed"
	TypeLoanTaken        = "LoanTaken"
	TypeContractSigned   = "ContractSigned"
	TypeVisaIssued       = "VisaIssued"
	TypeWorkerDeparted   = "WorkerDeparted"
	TypeWorkerArrived    = "WorkerArrived"
	TypeWorkerDeployed   = "WorkerDeployed"
	TypeDocumentRetained = "DocumentRetained"
	TypeDocumentReturned = "DocumentReturned"
	TypeWorkerExited     = "WorkerExited"
)

// WorkerStream is the stream of a worker's events: worker-<worker_id>.
func WorkerStream(workerID string) string { return "worker-" + workerID }

// WorkerEvent is an event about one worker.
type WorkerEvent interface {
	Event
	Worker() string
}

// WorkerRecruited records that an agency recruited a worker for a job order.
type WorkerRecruited struct {
	JobOrderID    string   `json:"job_order_id"`
	Languages     []string `json:"languages"`
	OriginCountry string   `json:"origin_country"`
	RecruitedBy   string   `json:"recruited_by"`
	WorkerID      string   `json:"worker_id"`
}

// EventType is TypeWorkerRecruited.
func (WorkerRecruited) EventType() string { return TypeWorkerRecruited }

// Stream is worker-<worker_id>.
func (e WorkerRecruited) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerRecruited) Worker() string { return e.WorkerID }

func (e *WorkerRecruited) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("job_order_id", e.JobOrderID)
	c.country("origin_country", e.OriginCountry)
	c.id("recruited_by", e.RecruitedBy)
	if e.Languages == nil {
		c.fail("languages", "required (an array of ISO 639-1 codes)")
	}
	for i, l := range e.Languages {
		c.index("languages", i).language("", l)
	}
}

// FeePaid records money paid for recruitment or a related cost, and who paid it.
type FeePaid struct {
	Amount         Money  `json:"amount"`
	Category       string `json:"category"`
	EvidenceSHA256 string `json:"evidence_sha256,omitempty"`
	FeeID          string `json:"fee_id"`
	Label          string `json:"label,omitempty"`
	Method         string `json:"method"`
	PayeeID        string `json:"payee_id"`
	Payer          string `json:"payer"`
	PayerID        string `json:"payer_id,omitempty"`
	WorkerID       string `json:"worker_id"`
}

// EventType is TypeFeePaid.
func (FeePaid) EventType() string { return TypeFeePaid }

// Stream is worker-<worker_id>.
func (e FeePaid) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e FeePaid) Worker() string { return e.WorkerID }

func (e *FeePaid) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("fee_id", e.FeeID)
	c.oneOf("category", e.Category, FeeCategories)
	c.optionalText("label", e.Label)
	c.money("amount", e.Amount)
	c.oneOf("payer", e.Payer, payers)
	c.optionalID("payer_id", e.PayerID)
	c.id("payee_id", e.PayeeID)
	c.oneOf("method", e.Method, payMethods)
	c.sha256("evidence_sha256", e.EvidenceSHA256)
}

// FeeReimbursed records money paid back to the worker, for one fee or generally.
type FeeReimbursed struct {
	Amount          Money  `json:"amount"`
	FeeID           string `json:"fee_id,omitempty"`
	PaidBy          string `json:"paid_by"`
	ReimbursementID string `json:"reimbursement_id"`
	WorkerID        string `json:"worker_id"`
}

// EventType is TypeFeeReimbursed.
func (FeeReimbursed) EventType() string { return TypeFeeReimbursed }

// Stream is worker-<worker_id>.
func (e FeeReimbursed) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e FeeReimbursed) Worker() string { return e.WorkerID }

func (e *FeeReimbursed) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("reimbursement_id", e.ReimbursementID)
	c.optionalID("fee_id", e.FeeID)
	c.money("amount", e.Amount)
	c.id("paid_by", e.PaidBy)
}

// LoanTaken records a loan the worker took, e.g. to pay for recruitment.
type LoanTaken struct {
	AnnualInterestPct Percent `json:"annual_interest_pct,omitempty"`
	LenderID          string  `json:"lender_id,omitempty"`
	LoanID            string  `json:"loan_id"`
	Principal         Money   `json:"principal"`
	Purpose           string  `json:"purpose"`
	WorkerID          string  `json:"worker_id"`
}

// EventType is TypeLoanTaken.
func (LoanTaken) EventType() string { return TypeLoanTaken }

// Stream is worker-<worker_id>.
func (e LoanTaken) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e LoanTaken) Worker() string { return e.WorkerID }

func (e *LoanTaken) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("loan_id", e.LoanID)
	c.optionalID("lender_id", e.LenderID)
	c.money("principal", e.Principal)
	c.oneOf("purpose", e.Purpose, loanPurposes)
	if p := e.AnnualInterestPct; p != "" {
		switch prob := amountProblem(string(p)); {
		case prob == "must be >= 0":
			c.fail("annual_interest_pct", prob)
		case prob != "":
			c.fail("annual_interest_pct", "must be a non-negative number such as 36.5")
		}
	}
}

// ContractSigned records a contract version the worker signed, at a stage of the journey.
type ContractSigned struct {
	ContractID     string `json:"contract_id"`
	DocumentSHA256 string `json:"document_sha256,omitempty"`
	Language       string `json:"language"`
	Stage          string `json:"stage"`
	Terms          Terms  `json:"terms"`
	WorkerCopy     *bool  `json:"worker_copy"`
	WorkerID       string `json:"worker_id"`
}

// EventType is TypeContractSigned.
func (ContractSigned) EventType() string { return TypeContractSigned }

// Stream is worker-<worker_id>.
func (e ContractSigned) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e ContractSigned) Worker() string { return e.WorkerID }

// HasWorkerCopy reports whether the worker was given a copy.
func (e ContractSigned) HasWorkerCopy() bool { return e.WorkerCopy != nil && *e.WorkerCopy }

func (e *ContractSigned) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("contract_id", e.ContractID)
	c.oneOf("stage", e.Stage, contractStages)
	c.language("language", e.Language)
	if e.WorkerCopy == nil {
		c.fail("worker_copy", "required (true or false)")
	}
	c.sha256("document_sha256", e.DocumentSHA256)
	c.terms("terms", e.Terms)
}

// VisaIssued records a work visa and its sponsor.
type VisaIssued struct {
	Country   string `json:"country"`
	SponsorID string `json:"sponsor_id"`
	WorkerID  string `json:"worker_id"`
}

// EventType is TypeVisaIssued.
func (VisaIssued) EventType() string { return TypeVisaIssued }

// Stream is worker-<worker_id>.
func (e VisaIssued) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e VisaIssued) Worker() string { return e.WorkerID }

func (e *VisaIssued) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.country("country", e.Country)
	c.id("sponsor_id", e.SponsorID)
}

// WorkerDeparted records the worker leaving the origin country.
type WorkerDeparted struct {
	FromCountry string `json:"from_country"`
	ToCountry   string `json:"to_country"`
	WorkerID    string `json:"worker_id"`
}

// EventType is TypeWorkerDeparted.
func (WorkerDeparted) EventType() string { return TypeWorkerDeparted }

// Stream is worker-<worker_id>.
func (e WorkerDeparted) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerDeparted) Worker() string { return e.WorkerID }

func (e *WorkerDeparted) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.country("from_country", e.FromCountry)
	c.country("to_country", e.ToCountry)
}

// WorkerArrived records the worker's arrival in the destination country.
type WorkerArrived struct {
	Country  string `json:"country"`
	WorkerID string `json:"worker_id"`
}

// EventType is TypeWorkerArrived.
func (WorkerArrived) EventType() string { return TypeWorkerArrived }

// Stream is worker-<worker_id>.
func (e WorkerArrived) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerArrived) Worker() string { return e.WorkerID }

func (e *WorkerArrived) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.country("country", e.Country)
}

// WorkerDeployed records the worker starting work for an employer at a worksite.
type WorkerDeployed struct {
	EmployerID string   `json:"employer_id"`
	WorkerID   string   `json:"worker_id"`
	Worksite   Worksite `json:"worksite"`
}

// EventType is TypeWorkerDeployed.
func (WorkerDeployed) EventType() string { return TypeWorkerDeployed }

// Stream is worker-<worker_id>.
func (e WorkerDeployed) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerDeployed) Worker() string { return e.WorkerID }

func (e *WorkerDeployed) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("employer_id", e.EmployerID)
	c.at("worksite").country("country", e.Worksite.Country)
	c.at("worksite").optionalText("city", e.Worksite.City)
}

// DocumentRetained records that someone other than the worker holds the worker's document.
type DocumentRetained struct {
	Document string `json:"document"`
	HeldBy   string `json:"held_by"`
	WorkerID string `json:"worker_id"`
}

// EventType is TypeDocumentRetained.
func (DocumentRetained) EventType() string { return TypeDocumentRetained }

// Stream is worker-<worker_id>.
func (e DocumentRetained) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e DocumentRetained) Worker() string { return e.WorkerID }

func (e *DocumentRetained) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.oneOf("document", e.Document, Documents)
	c.id("held_by", e.HeldBy)
}

// DocumentReturned records that a retained document was given back to the worker.
type DocumentReturned struct {
	Document string `json:"document"`
	WorkerID string `json:"worker_id"`
}

// EventType is TypeDocumentReturned.
func (DocumentReturned) EventType() string { return TypeDocumentReturned }

// Stream is worker-<worker_id>.
func (e DocumentReturned) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e DocumentReturned) Worker() string { return e.WorkerID }

func (e *DocumentReturned) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.oneOf("document", e.Document, Documents)
}

// WorkerExited records the end of the worker's employment.
type WorkerExited struct {
	Reason   string `json:"reason"`
	WorkerID string `json:"worker_id"`
}

// EventType is TypeWorkerExited.
func (WorkerExited) EventType() string { return TypeWorkerExited }

// Stream is worker-<worker_id>.
func (e WorkerExited) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerExited) Worker() string { return e.WorkerID }

func (e *WorkerExited) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.oneOf("reason", e.Reason, exitReasons)
}
