package domain

// Event type names of spec section 8: what a worker reports, and how a report was resolved.
const (
	TypeWorkerReported       = "WorkerReported"
	TypeWorkerReportResolved = "WorkerReportResolved"
)

// Kinds of a worker's report.
const (
	ReportFeeNotRecorded   = "fee_not_recorded"
	ReportFeeAmountDiffers = "fee_amount_differs"
	ReportContractDiffers  = "contract_differs"
	ReportDocumentHeld     = "document_held"
	ReportDeception        = "deception"
	ReportThreat           = "threat"
	ReportOther            = "other"
)

// ReportKinds lists every kind of report in catalogue order.
var ReportKinds = []string{ReportFeeNotRecorded, ReportFeeAmountDiffers, ReportContractDiffers,
	ReportDocumentHeld, ReportDeception, ReportThreat, ReportOther}

// Channels through which a report reached the tracker.
const (
	ChannelWorkerLink         = "worker_link"
	ChannelWorkerOrganisation = "worker_organisation"
	ChannelInterview          = "interview"
	ChannelExitInterview      = "exit_interview"
	ChannelHotline            = "hotline"
	ChannelOther              = "other"
)

// ReportChannels lists every report channel in catalogue order.
var ReportChannels = []string{ChannelWorkerLink, ChannelWorkerOrganisation, ChannelInterview,
	ChannelExitInterview, ChannelHotline, ChannelOther}

// Outcomes of a resolved report.
const (
	OutcomeSubstantiated    = "substantiated"
	OutcomeRemediated       = "remediated"
	OutcomeNotSubstantiated = "not_substantiated"
	OutcomeWithdrawn        = "withdrawn"
)

// ReportOutcomes lists every outcome in catalogue order.
var ReportOutcomes = []string{OutcomeSubstantiated, OutcomeRemediated, OutcomeNotSubstantiated, OutcomeWithdrawn}

// Terms of a contract a worker may report as different from what was promised.
const (
	TermWage            = "wage"
	TermHoursPerWeek    = "hours_per_week"
	TermRestDaysPerWeek = "rest_days_per_week"
	TermDurationMonths  = "duration_months"
	TermPosition        = "position"
	TermEmployerID      = "employer_id"
	TermWorksite        = "worksite"
	TermDeductions      = "deductions"
)

// ReportTerms lists every contract term a report may name, in catalogue order.
var ReportTerms = []string{TermWage, TermHoursPerWeek, TermRestDaysPerWeek, TermDurationMonths, TermPosition,
	TermEmployerID, TermWorksite, TermDeductions}

// WorkerReported records what a worker said: a fee not recorded or recorded at another amount, a contract
// different from the promise, a document held, deception, a threat. Free text never goes into the event: a note
// is kept in an erasable store and the event carries only its SHA-256. The optional parts (fee, contract_term,
// document) may accompany any kind; a fee_not_recorded or fee_amount_differs report without a fee is a
// grievance still, but names nothing fee.reported_unrecorded can compare.
type WorkerReported struct {
	Channel      string            `json:"channel"`
	ContractTerm *ReportedTerm     `json:"contract_term,omitempty"`
	Document     *ReportedDocument `json:"document,omitempty"`
	Fee          *ReportedFee      `json:"fee,omitempty"`
	Kind         string            `json:"kind"`
	Language     string            `json:"language"`
	NoteSHA256   string            `json:"note_sha256,omitempty"`
	ReportID     string            `json:"report_id"`
	WorkerID     string            `json:"worker_id"`
}

// ReportedFee is a fee as the worker reported paying it.
type ReportedFee struct {
	Amount   Money  `json:"amount"`
	Category string `json:"category"`
	Method   string `json:"method,omitempty"`
	PaidOn   string `json:"paid_on,omitempty"`
	PayeeID  string `json:"payee_id,omitempty"`
}

// PaidOnDate is paid_on and whether it is set.
func (f ReportedFee) PaidOnDate() (Date, bool) { return mustDate(f.PaidOn), f.PaidOn != "" }

// ReportedTerm is a contract term as the worker was promised it and as it is, in the worker's own words.
type ReportedTerm struct {
	Actual   string `json:"actual,omitempty"`
	Promised string `json:"promised,omitempty"`
	Term     string `json:"term"`
}

// ReportedDocument is a document the worker reports held by someone else.
type ReportedDocument struct {
	Document string `json:"document"`
	HeldBy   string `json:"held_by,omitempty"`
}

// EventType is TypeWorkerReported.
func (WorkerReported) EventType() string { return TypeWorkerReported }

// Stream is worker-<worker_id>.
func (e WorkerReported) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerReported) Worker() string { return e.WorkerID }

// NamesFee reports whether the report is of a fee kind and names the fee, so fee.reported_unrecorded judges it.
func (e WorkerReported) NamesFee() bool {
	return e.Fee != nil && (e.Kind == ReportFeeNotRecorded || e.Kind == ReportFeeAmountDiffers)
}

func (e *WorkerReported) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("report_id", e.ReportID)
	c.oneOf("kind", e.Kind, ReportKinds)
	c.oneOf("channel", e.Channel, ReportChannels)
	c.language("language", e.Language)
	if f := e.Fee; f != nil {
		fc := c.at("fee")
		fc.oneOf("category", f.Category, FeeCategories)
		fc.money("amount", f.Amount)
		fc.optionalID("payee_id", f.PayeeID)
		fc.optionalDate("paid_on", f.PaidOn)
		if f.Method != "" {
			fc.oneOf("method", f.Method, payMethods)
		}
	}
	if t := e.ContractTerm; t != nil {
		tc := c.at("contract_term")
		tc.oneOf("term", t.Term, ReportTerms)
		tc.optionalText("promised", t.Promised)
		tc.optionalText("actual", t.Actual)
	}
	if d := e.Document; d != nil {
		dc := c.at("document")
		dc.oneOf("document", d.Document, Documents)
		dc.optionalID("held_by", d.HeldBy)
	}
	c.sha256("note_sha256", e.NoteSHA256)
}

// WorkerReportResolved records how a worker's report was resolved. A resolution closes the report
// (worker.report_open), however late it comes.
type WorkerReportResolved struct {
	NoteSHA256 string `json:"note_sha256,omitempty"`
	Outcome    string `json:"outcome"`
	ReportID   string `json:"report_id"`
	WorkerID   string `json:"worker_id"`
}

// EventType is TypeWorkerReportResolved.
func (WorkerReportResolved) EventType() string { return TypeWorkerReportResolved }

// Stream is worker-<worker_id>.
func (e WorkerReportResolved) Stream() string { return WorkerStream(e.WorkerID) }

// Worker is worker_id.
func (e WorkerReportResolved) Worker() string { return e.WorkerID }

// Dismisses reports whether the outcome clears the report's fee claim: not_substantiated or withdrawn
// (substantiated and remediated keep fee.reported_unrecorded until the fee itself is recorded).
func (e WorkerReportResolved) Dismisses() bool {
	return e.Outcome == OutcomeNotSubstantiated || e.Outcome == OutcomeWithdrawn
}

func (e *WorkerReportResolved) validate(c checker) {
	c.id("worker_id", e.WorkerID)
	c.id("report_id", e.ReportID)
	c.oneOf("outcome", e.Outcome, ReportOutcomes)
	c.sha256("note_sha256", e.NoteSHA256)
}
