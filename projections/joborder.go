package projections

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// JobOrder is a job order as the facts admitted describe it.
type JobOrder struct {
	ID         string         `json:"job_order_id"`
	Issued     bool           `json:"issued"`
	EmployerID string         `json:"employer_id"`
	BuyerIDs   []string       `json:"buyer_ids"`
	Headcount  int            `json:"headcount"`
	Origins    []string       `json:"origin_countries"`
	Terms      *domain.Terms  `json:"terms,omitempty"`
	Versions   []TermsVersion `json:"terms_versions"`
	Chain      []Engagement   `json:"chain"`
	Payments   []Payment      `json:"payments"`
	Closed     *Closure       `json:"closed,omitempty"`
	Workers    []string       `json:"worker_ids"`
	issuedFact domain.EventID // the JobOrderIssued event
	orgs       *orgBook
}

// TermsVersion is the job order's terms from a date: the issue, then each amendment.
type TermsVersion struct {
	EventID string       `json:"event_id"`
	From    time.Time    `json:"from"`
	Terms   domain.Terms `json:"terms"`
	Reason  string       `json:"reason,omitempty"`
	eventID domain.EventID
}

// Engagement is an agency's place in the recruitment chain.
type Engagement struct {
	AgencyID  string    `json:"agency_id"`
	Role      string    `json:"role"`
	EngagedBy string    `json:"engaged_by"`
	At        time.Time `json:"at"`
	EventID   string    `json:"event_id"`
}

// Payment is money that moved between parties of the job order.
type Payment struct {
	PayerID string       `json:"payer_id"`
	PayeeID string       `json:"payee_id"`
	Amount  domain.Money `json:"amount"`
	Label   string       `json:"label,omitempty"`
	At      time.Time    `json:"at"`
	EventID string       `json:"event_id"`
	id      domain.EventID
}

// Closure records that the job order was closed.
type Closure struct {
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	EventID string    `json:"event_id"`
}

func (m *Model) buildJobOrder(jf *jobOrderFacts) *JobOrder {
	jo := &JobOrder{ID: jf.id, Workers: jf.workers, orgs: m.orgs, BuyerIDs: []string{}, Chain: []Engagement{},
		Payments: []Payment{}, Versions: []TermsVersion{}}
	for _, f := range jf.facts {
		jo.apply(f)
	}
	if n := len(jo.Versions); n > 0 {
		jo.Terms = &jo.Versions[n-1].Terms
	}
	return jo
}

// apply is what each of a job order's events changes in it: the job order's fold.
func (jo *JobOrder) apply(f Fact) {
	switch e := f.Event.(type) {
	case *domain.JobOrderIssued:
		jo.Issued, jo.issuedFact = true, f.ID
		jo.EmployerID, jo.BuyerIDs, jo.Headcount, jo.Origins = e.EmployerID, e.BuyerIDs, *e.Headcount, e.OriginCountries
		jo.Versions = append(jo.Versions, TermsVersion{EventID: f.ID.String(), From: f.OccurredAt, Terms: e.Terms, eventID: f.ID})
	case *domain.JobOrderAmended:
		jo.Versions = append(jo.Versions, TermsVersion{EventID: f.ID.String(), From: f.OccurredAt, Terms: e.Terms,
			Reason: e.Reason, eventID: f.ID})
	case *domain.AgencyEngaged:
		jo.Chain = append(jo.Chain, Engagement{AgencyID: e.AgencyID, Role: e.Role, EngagedBy: e.EngagedBy,
			At: f.OccurredAt, EventID: f.ID.String()})
	case *domain.JobOrderPaymentMade:
		jo.Payments = append(jo.Payments, Payment{PayerID: e.PayerID, PayeeID: e.PayeeID, Amount: e.Amount,
			Label: e.Label, At: f.OccurredAt, EventID: f.ID.String(), id: f.ID})
	case *domain.JobOrderClosed:
		jo.Closed = &Closure{Reason: e.Reason, At: f.OccurredAt, EventID: f.ID.String()}
	}
}

// TermsAt is the version of the terms in force at t: the last issued or amended by then, else the first.
func (jo *JobOrder) TermsAt(t time.Time) (TermsVersion, bool) {
	if len(jo.Versions) == 0 {
		return TermsVersion{}, false
	}
	v := jo.Versions[0]
	for _, cand := range jo.Versions[1:] {
		if cand.From.After(t) {
			break
		}
		v = cand
	}
	return v, true
}

// Destination is the worksite country of the job order's terms at t.
func (jo *JobOrder) Destination(t time.Time) string {
	if v, ok := jo.TermsAt(t); ok {
		return v.Terms.Worksite.Country
	}
	return ""
}

// engaged reports whether an organisation is an agency engaged on the job order.
func (jo *JobOrder) engaged(org string) (Engagement, bool) {
	for _, e := range jo.Chain {
		if e.AgencyID == org {
			return e, true
		}
	}
	return Engagement{}, false
}

// reverseFee reports whether a payment flowed from the agency side up to the employer side: the event records
// payments made to obtain the job order, so any payment counts unless the payer is the employer (or another
// employer or a buyer), or the payee is below the payer in the chain (an agency paying its own sub-agent).
func (jo *JobOrder) reverseFee(p Payment) bool {
	if p.PayerID == jo.EmployerID {
		return false
	}
	if o := jo.orgs.org(p.PayerID); o != nil && (o.Role == domain.RoleEmployer || o.Role == domain.RoleBuyer) {
		return false
	}
	if jo.above(p.PayerID, p.PayeeID) {
		return false
	}
	if o := jo.orgs.org(p.PayeeID); o != nil && o.Role == domain.RoleSubAgent && !jo.above(p.PayeeID, p.PayerID) {
		return false
	}
	return true
}

// above reports whether upper engaged lower on this job order, directly or through other agencies.
func (jo *JobOrder) above(upper, lower string) bool {
	seen := map[string]bool{}
	for cur := lower; !seen[cur]; {
		seen[cur] = true
		e, ok := jo.engaged(cur)
		if !ok {
			return false
		}
		if e.EngagedBy == upper {
			return true
		}
		cur = e.EngagedBy
	}
	return false
}
