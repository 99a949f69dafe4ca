package domain

// Event type names of organisations and rules.
const (
	TypeOrganisationRegistered = "OrganisationRegistered"
	TypePolicyAdopted          = "PolicyAdopted"
	TypePolicyRetired          = "PolicyRetired"
)

// OrganisationRegistered records a party: buyer, employer, agency, sub-agent or auditor.
type OrganisationRegistered struct {
	Country string   `json:"country"`
	Licence *Licence `json:"licence,omitempty"`
	Name    string   `json:"name"`
	OrgID   string   `json:"org_id"`
	Role    string   `json:"role"`
}

// Licence is an agency's recruitment licence.
type Licence struct {
	Authority  string `json:"authority"`
	Number     string `json:"number"`
	ValidUntil string `json:"valid_until"`
}

// EventType is TypeOrganisationRegistered.
func (OrganisationRegistered) EventType() string { return TypeOrganisationRegistered }

// Stream is org-<org_id>.
func (e OrganisationRegistered) Stream() string { return "org-" + e.OrgID }

func (e *OrganisationRegistered) validate(c checker) {
	c.id("org_id", e.OrgID)
	c.text("name", e.Name)
	c.oneOf("role", e.Role, orgRoles)
	c.country("country", e.Country)
	if l := e.Licence; l != nil {
		lc := c.at("licence")
		lc.text("authority", l.Authority)
		lc.text("number", l.Number)
		lc.date("valid_until", l.ValidUntil)
	}
}

// PolicyAdopted records fee rules (a buyer's code or a national law) in force from a date, for a scope.
type PolicyAdopted struct {
	Authority     string `json:"authority"`
	EffectiveFrom string `json:"effective_from"`
	EffectiveTo   string `json:"effective_to,omitempty"`
	Name          string `json:"name"`
	PolicyID      string `json:"policy_id"`
	RepaymentDays *int   `json:"repayment_days,omitempty"`
	Rules         []Rule `json:"rules"`
	Scope         Scope  `json:"scope"`
}

// Rule caps what a worker may pay in a fee category ("*" for all). A zero max forbids any payment, in any
// currency; a zero max may therefore omit its currency.
type Rule struct {
	Category string `json:"category"`
	Max      Money  `json:"max"`
}

// Scope says to whom a policy applies; an absent key matches anything.
type Scope struct {
	BuyerID     string `json:"buyer_id,omitempty"`
	Destination string `json:"destination,omitempty"`
	Origin      string `json:"origin,omitempty"`
}

// DefaultRepaymentDays is the repayment window of a policy that does not state one.
const DefaultRepaymentDays = 90

// EventType is TypePolicyAdopted.
func (PolicyAdopted) EventType() string { return TypePolicyAdopted }

// Stream is policy-<policy_id>.
func (e PolicyAdopted) Stream() string { return "policy-" + e.PolicyID }

// Repayment is repayment_days, or DefaultRepaymentDays when absent.
func (e PolicyAdopted) Repayment() int {
	if e.RepaymentDays == nil {
		return DefaultRepaymentDays
	}
	return *e.RepaymentDays
}

// From is effective_from.
func (e PolicyAdopted) From() Date { return mustDate(e.EffectiveFrom) }

// To is effective_to and whether it is set.
func (e PolicyAdopted) To() (Date, bool) { return mustDate(e.EffectiveTo), e.EffectiveTo != "" }

func (e *PolicyAdopted) validate(c checker) {
	c.id("policy_id", e.PolicyID)
	c.text("name", e.Name)
	c.text("authority", e.Authority)
	c.date("effective_from", e.EffectiveFrom)
	c.optionalDate("effective_to", e.EffectiveTo)
	if e.EffectiveTo != "" && e.EffectiveFrom != "" {
		from, to := mustDate(e.EffectiveFrom), mustDate(e.EffectiveTo)
		if !from.IsZero() && !to.IsZero() && to.LastInstant().Before(from.Time) {
			c.fail("effective_to", "before effective_from")
		}
	}
	if e.RepaymentDays != nil {
		c.count("repayment_days", e.RepaymentDays, 0, 3650)
	}
	sc := c.at("scope")
	sc.optionalID("buyer_id", e.Scope.BuyerID)
	sc.optionalCountry("origin", e.Scope.Origin)
	sc.optionalCountry("destination", e.Scope.Destination)
	if len(e.Rules) == 0 {
		c.fail("rules", "at least one rule is required")
	}
	for i, r := range e.Rules {
		rc := c.index("rules", i)
		if r.Category != AllCategories {
			rc.oneOf("category", r.Category, append([]string{AllCategories}, FeeCategories...))
		}
		mc := rc.at("max")
		if p := amountProblem(string(r.Max.Amount)); p != "" {
			mc.fail("amount", p)
		} else if r.Max.Currency == "" && r.Max.IsZero() {
			continue // a zero cap forbids payment in every currency
		}
		mc.currency("currency", r.Max.Currency)
	}
}

// PolicyRetired ends a policy.
type PolicyRetired struct {
	EffectiveTo string `json:"effective_to"`
	PolicyID    string `json:"policy_id"`
}

// EventType is TypePolicyRetired.
func (PolicyRetired) EventType() string { return TypePolicyRetired }

// Stream is policy-<policy_id>.
func (e PolicyRetired) Stream() string { return "policy-" + e.PolicyID }

// To is effective_to.
func (e PolicyRetired) To() Date { return mustDate(e.EffectiveTo) }

func (e *PolicyRetired) validate(c checker) {
	c.id("policy_id", e.PolicyID)
	c.date("effective_to", e.EffectiveTo)
}
