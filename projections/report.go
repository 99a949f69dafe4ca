package projections

import (
	"encoding/json"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// WorkerReport is everything the read model holds about a worker, judged at the view's clock.
type WorkerReport struct {
	WorkerID      string          `json:"worker_id"`
	JobOrderID    string          `json:"job_order_id"`
	BuyerIDs      []string        `json:"buyer_ids"`
	EmployerID    string          `json:"employer_id"`
	OriginCountry string          `json:"origin_country"`
	Languages     []string        `json:"languages"`
	RecruitedBy   string          `json:"recruited_by"`
	Chain         []Engagement    `json:"chain"`
	Status        string          `json:"status"`
	Timeline      []TimelineEntry `json:"timeline,omitempty"` // set by View.History

	Contracts  []ContractReport `json:"contracts"`
	Fees       []*FeeLine       `json:"fees"`
	Reimbursed []Reimbursement  `json:"reimbursements"`
	Loans      []Loan           `json:"loans"`
	Documents  []DocumentHeld   `json:"documents_held"`
	// Reports are what the worker reported (spec section 8), each with its resolution; absent when none.
	Reports []ReportLine  `json:"reports,omitempty"`
	Totals  Totals        `json:"totals"`
	Flags   []domain.Flag `json:"flags"`
	// Converted and MonthsOfWages are set on a report asked in a reporting currency (View.InCurrency).
	Converted     *Converted     `json:"converted,omitempty"`
	MonthsOfWages *MonthsOfWages `json:"months_of_wages,omitempty"`
	// Agencies are the worker's recruiter and every agency engaged on the job order.
	Agencies []string `json:"-"`
}

// TimelineEntry is one event of the worker's history.
type TimelineEntry struct {
	EventID    string          `json:"event_id"`
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	RecordedBy string          `json:"recorded_by"`
	Position   string          `json:"position"`
	Data       json.RawMessage `json:"data"`
}

// ContractReport is a contract version with its diff against the baseline.
type ContractReport struct {
	EventID    string       `json:"event_id"`
	ContractID string       `json:"contract_id"`
	Stage      string       `json:"stage"`
	SignedAt   time.Time    `json:"signed_at"`
	Language   string       `json:"language"`
	WorkerCopy bool         `json:"worker_copy"`
	Terms      domain.Terms `json:"terms"`
	// Baseline is true for the contract every later one is compared with.
	Baseline bool `json:"baseline"`
	// ComparedWith names the baseline ("contract <id>" or "job order <id>"); empty for the baseline itself.
	ComparedWith   string        `json:"compared_with,omitempty"`
	Changes        []Change      `json:"changes"`
	LessFavourable bool          `json:"less_favourable"`
	WageShortfall  *domain.Money `json:"estimated_wage_shortfall,omitempty"`
	MonthlyWage    domain.Money  `json:"monthly_wage"`
	// SignedAfterLeft is true for a contract signed after the worker left: the first departure, else the first
	// deployment, as contract.signed_after_departure reads it.
	SignedAfterLeft bool `json:"signed_after_departure"`
}

// Reimbursement is money paid back to the worker.
type Reimbursement struct {
	EventID         string       `json:"event_id"`
	ReimbursementID string       `json:"reimbursement_id"`
	FeeID           string       `json:"fee_id,omitempty"`
	Amount          domain.Money `json:"amount"`
	PaidBy          string       `json:"paid_by"`
	At              time.Time    `json:"occurred_at"`
}

// Loan is a loan the worker took.
type Loan struct {
	EventID           string       `json:"event_id"`
	LoanID            string       `json:"loan_id"`
	LenderID          string       `json:"lender_id,omitempty"`
	Principal         domain.Money `json:"principal"`
	Purpose           string       `json:"purpose"`
	AnnualInterestPct string       `json:"annual_interest_pct,omitempty"`
	At                time.Time    `json:"occurred_at"`
}

// DocumentHeld is a document of the worker's held by someone else, and whether it was given back.
type DocumentHeld struct {
	EventID    string     `json:"event_id"`
	Document   string     `json:"document"`
	HeldBy     string     `json:"held_by"`
	Since      time.Time  `json:"since"`
	ReturnedAt *time.Time `json:"returned_at,omitempty"`
}

// Totals are a worker's money figures, per currency.
type Totals struct {
	WorkerPaid    []domain.Money `json:"worker_paid"`
	Reimbursed    []domain.Money `json:"reimbursed"`
	Outstanding   []domain.Money `json:"outstanding"`
	WageShortfall []domain.Money `json:"estimated_wage_shortfall"`
	workerPaid    domain.Sums
	reimbursed    domain.Sums
	outstanding   domain.Sums
	shortfall     domain.Sums
}
