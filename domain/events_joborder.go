package domain

// Event type names of job orders and the recruitment chain.
const (
	TypeJobOrderIssued      = "JobOrderIssued"
	TypeJobOrderAmended     = "JobOrderAmended"
	TypeAgencyEngaged       = "AgencyEngaged"
	TypeJobOrderPaymentMade = "JobOrderPaymentMade"
	TypeJobOrderClosed      = "JobOrderClosed"
)

func jobOrderStream(id string) string { return "joborder-" + id }

// JobOrderEvent is an event about one job order.
type JobOrderEvent interface {
	Event
	JobOrder() string
}

// JobOrderIssued records an employer's demand for workers, the buyers it supplies and the terms offered.
type JobOrderIssued struct {
	BuyerIDs        []string `json:"buyer_ids"`
	EmployerID      string   `json:"employer_id"`
	Headcount       *int     `json:"headcount"`
	JobOrderID      string   `json:"job_order_id"`
	OriginCountries []string `json:"origin_countries"`
	Terms           Terms    `json:"terms"`
}

// EventType is TypeJobOrderIssued.
func (JobOrderIssued) EventType() string { return TypeJobOrderIssued }

// Stream is joborder-<job_order_id>.
func (e JobOrderIssued) Stream() string { return jobOrderStream(e.JobOrderID) }

// JobOrder is job_order_id.
func (e JobOrderIssued) JobOrder() string { return e.JobOrderID }

func (e *JobOrderIssued) validate(c checker) {
	c.id("job_order_id", e.JobOrderID)
	c.id("employer_id", e.EmployerID)
	c.count("headcount", e.Headcount, 1, 1_000_000)
	if e.BuyerIDs == nil {
		c.fail("buyer_ids", "required (an array, may be empty)")
	}
	for i, b := range e.BuyerIDs {
		c.index("buyer_ids", i).id("", b)
	}
	if e.OriginCountries == nil {
		c.fail("origin_countries", "required (an array, may be empty)")
	}
	for i, o := range e.OriginCountries {
		c.index("origin_countries", i).country("", o)
	}
	c.terms("terms", e.Terms)
}

// JobOrderAmended replaces a job order's terms.
type JobOrderAmended struct {
	JobOrderID string `json:"job_order_id"`
	Reason     string `json:"reason"`
	Terms      Terms  `json:"terms"`
}

// EventType is TypeJobOrderAmended.
func (JobOrderAmended) EventType() string { return TypeJobOrderAmended }

// Stream is joborder-<job_order_id>.
func (e JobOrderAmended) Stream() string { return jobOrderStream(e.JobOrderID) }

// JobOrder is job_order_id.
func (e JobOrderAmended) JobOrder() string { return e.JobOrderID }

func (e *JobOrderAmended) validate(c checker) {
	c.id("job_order_id", e.JobOrderID)
	c.text("reason", e.Reason)
	c.terms("terms", e.Terms)
}

// AgencyEngaged records an agency or sub-agent joining a job order's recruitment chain.
type AgencyEngaged struct {
	AgencyID   string `json:"agency_id"`
	EngagedBy  string `json:"engaged_by"`
	JobOrderID string `json:"job_order_id"`
	Role       string `json:"role"`
}

// EventType is TypeAgencyEngaged.
func (AgencyEngaged) EventType() string { return TypeAgencyEngaged }

// Stream is joborder-<job_order_id>.
func (e AgencyEngaged) Stream() string { return jobOrderStream(e.JobOrderID) }

// JobOrder is job_order_id.
func (e AgencyEngaged) JobOrder() string { return e.JobOrderID }

func (e *AgencyEngaged) validate(c checker) {
	c.id("job_order_id", e.JobOrderID)
	c.id("agency_id", e.AgencyID)
	c.oneOf("role", e.Role, agencyRoles)
	c.id("engaged_by", e.EngagedBy)
}

// JobOrderPaymentMade records a payment between parties of a job order, such as an agency paying the
// employer or its agent to obtain the order.
type JobOrderPaymentMade struct {
	Amount     Money  `json:"amount"`
	JobOrderID string `json:"job_order_id"`
	Label      string `json:"label,omitempty"`
	PayeeID    string `json:"payee_id"`
	PayerID    string `json:"payer_id"`
}

// EventType is TypeJobOrderPaymentMade.
func (JobOrderPaymentMade) EventType() string { return TypeJobOrderPaymentMade }

// Stream is joborder-<job_order_id>.
func (e JobOrderPaymentMade) Stream() string { return jobOrderStream(e.JobOrderID) }

// JobOrder is job_order_id.
func (e JobOrderPaymentMade) JobOrder() string { return e.JobOrderID }

func (e *JobOrderPaymentMade) validate(c checker) {
	c.id("job_order_id", e.JobOrderID)
	c.id("payer_id", e.PayerID)
	c.id("payee_id", e.PayeeID)
	c.money("amount", e.Amount)
	c.optionalText("label", e.Label)
}

// JobOrderClosed records that a job order takes no more workers.
type JobOrderClosed struct {
	JobOrderID string `json:"job_order_id"`
	Reason     string `json:"reason"`
}

// EventType is TypeJobOrderClosed.
func (JobOrderClosed) EventType() string { return TypeJobOrderClosed }

// Stream is joborder-<job_order_id>.
func (e JobOrderClosed) Stream() string { return jobOrderStream(e.JobOrderID) }

// JobOrder is job_order_id.
func (e JobOrderClosed) JobOrder() string { return e.JobOrderID }

func (e *JobOrderClosed) validate(c checker) {
	c.id("job_order_id", e.JobOrderID)
	c.text("reason", e.Reason)
}
