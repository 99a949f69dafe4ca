package projections_test

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// Scenarios are written as steps: events with the day they happened on and a label that the expectations
// refer to. Day n is 09:00 UTC, n days after 1 January 2025.

var t0 = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)

// day is 09:00 UTC on the nth day of a scenario.
func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// date is the calendar date of day n, as policies write effective dates.
func date(n int) string { return day(n).Format(time.DateOnly) }

// The cast of the standard world.
const (
	worker1      = "w-1"
	jobOrder1    = "jo-1"
	employer1    = "emp-1"
	destAgency   = "ag-my"
	originAgency = "ag-np"
	subAgent     = "sub-np"
	auditor1     = "audit-1"
)

// buyersOfJobOrder are the buyer_ids of jo-1.
var buyersOfJobOrder = []string{"buyer-a", "buyer-b"}

// step is one event of a scenario with its business and system times.
type step struct {
	label    string
	occurred time.Time
	recorded time.Time
	event    domain.Event
}

// on is an event that happened on day n and was recorded an hour later.
func on(n int, label string, e domain.Event) step {
	return step{label: label, occurred: day(n), recorded: day(n).Add(time.Hour), event: e}
}

// recordedOn says the tracker learned of the event on day n (09:00).
func (s step) recordedOn(n int) step {
	s.recorded = day(n)
	return s
}

// atInstant moves the event to the instant t (recorded an hour later), for boundaries within a day.
func (s step) atInstant(t time.Time) step {
	s.occurred, s.recorded = t, t.Add(time.Hour)
	return s
}

// world is the standard setting plus the case's own steps: buyers buyer-a and buyer-b source from employer
// emp-1 in Penang, Malaysia (job order jo-1, 1500 MYR a month, 24 months); emp-1 engaged the destination agency
// ag-my, which engaged the origin agency ag-np in Nepal, which recruited worker w-1 (speaks ne and en). The
// agencies and the sub-agent hold licences valid to the end of 2027. It raises no flag by itself.
func world(extra ...step) []step {
	base := []step{
		on(0, "org-buyer-a", org("buyer-a", domain.RoleBuyer, "GB")),
		on(0, "org-buyer-b", org("buyer-b", domain.RoleBuyer, "US")),
		on(0, "org-emp-1", org(employer1, domain.RoleEmployer, "MY")),
		on(0, "org-ag-my", licensed(org(destAgency, domain.RoleAgency, "MY"), "2027-12-31")),
		on(0, "org-ag-np", licensed(org(originAgency, domain.RoleAgency, "NP"), "2027-12-31")),
		on(0, "org-sub-np", licensed(org(subAgent, domain.RoleSubAgent, "NP"), "2027-12-31")),
		on(0, "org-audit-1", org(auditor1, domain.RoleAuditor, "GB")),
		on(1, "jo", issued(jobOrder1, terms())),
		on(2, "engage-my", engaged(destAgency, domain.AgencyDestination, employer1)),
		on(3, "engage-np", engaged(originAgency, domain.AgencyOrigin, destAgency)),
		on(5, "recruit", recruited(worker1, originAgency)),
	}
	return append(base, extra...)
}

// replace swaps the step with the same label.
func replace(steps []step, s step) []step {
	out := slices.Clone(steps)
	for i := range out {
		if out[i].label == s.label {
			out[i] = s
			return out
		}
	}
	panic("replace: no step labelled " + s.label)
}

// scenario is a list of steps with their event ids.
type scenario struct {
	steps  []step
	ids    map[string]domain.EventID
	labels map[string]string // event id -> label, for messages
}

func newScenario(t *testing.T, steps []step) *scenario {
	t.Helper()
	s := &scenario{steps: steps, ids: map[string]domain.EventID{}, labels: map[string]string{}}
	for i, st := range steps {
		if err := domain.Validate(st.event); err != nil {
			t.Fatalf("step %q: the scenario's %s is invalid: %v", st.label, st.event.EventType(), err)
		}
		if _, dup := s.ids[st.label]; dup {
			t.Fatalf("step label %q used twice", st.label)
		}
		id, err := domain.ParseEventID(fmt.Sprintf("0195a000-0000-7000-8000-%012d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		s.ids[st.label], s.labels[id.String()] = id, st.label
	}
	return s
}

func (s *scenario) step(label string) step {
	for _, st := range s.steps {
		if st.label == label {
			return st
		}
	}
	panic("no step labelled " + label)
}

// fact is a step as the store hands it over, without its position.
func (s *scenario) fact(st step) projections.Fact {
	return projections.Fact{Meta: projections.Meta{ID: s.ids[st.label], Type: st.event.EventType(),
		OccurredAt: st.occurred, RecordedAt: st.recorded, RecordedBy: "test"}, Event: st.event}
}

// globalOrder is the plausible order of the store: facts as the tracker recorded them.
func (s *scenario) globalOrder() []projections.Fact {
	sorted := slices.Clone(s.steps)
	slices.SortStableFunc(sorted, func(a, b step) int { return a.recorded.Compare(b.recorded) })
	out := make([]projections.Fact, len(sorted))
	for i, st := range sorted {
		out[i] = s.fact(st)
	}
	return out
}

// build applies facts in the order given, numbering their global positions 1, 2, 3...
func build(filter projections.Filter, facts []projections.Fact) *projections.Model {
	m := projections.New(filter)
	for i, f := range facts {
		n := uint64(i + 1)
		f.Position = eventstore.Position{Commit: n, Prepare: n}
		m.ApplyFact(f)
	}
	return m
}

// name shows an event id by its step label.
func (s *scenario) name(id string) string {
	if l, ok := s.labels[id]; ok {
		return l
	}
	return id
}

func (s *scenario) show(flags []domain.Flag) string {
	var b strings.Builder
	for _, f := range flags {
		ids := make([]string, len(f.EventIDs))
		for i, id := range f.EventIDs {
			ids[i] = s.name(id)
		}
		fmt.Fprintf(&b, "\n\t%s worker=%q job_order=%q evidence=%v raised_at=%s amounts=%v", f.Code, f.WorkerID,
			f.JobOrderID, ids, f.RaisedAt.Format(time.RFC3339), f.Amounts)
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// Event constructors. Worker events are about w-1; ofWorker moves one to another worker.

func org(id, role, country string) *domain.OrganisationRegistered {
	return &domain.OrganisationRegistered{OrgID: id, Name: "Org " + id, Role: role, Country: country}
}

// licensed gives an organisation a licence valid until a date.
func licensed(o *domain.OrganisationRegistered, validUntil string) *domain.OrganisationRegistered {
	o.Licence = &domain.Licence{Authority: "Department of Foreign Employment", Number: "L-" + o.OrgID, ValidUntil: validUntil}
	return o
}

func issued(jobOrder string, t domain.Terms) *domain.JobOrderIssued {
	return &domain.JobOrderIssued{JobOrderID: jobOrder, EmployerID: employer1, BuyerIDs: buyersOfJobOrder,
		Headcount: ptr(50), OriginCountries: []string{"NP"}, Terms: t}
}

func engaged(agency, role, by string) *domain.AgencyEngaged {
	return &domain.AgencyEngaged{JobOrderID: jobOrder1, AgencyID: agency, Role: role, EngagedBy: by}
}

func paymentMade(payer, payee, amount string) *domain.JobOrderPaymentMade {
	return &domain.JobOrderPaymentMade{JobOrderID: jobOrder1, PayerID: payer, PayeeID: payee, Amount: money(amount),
		Label: "demand letter"}
}

func recruited(worker, by string) *domain.WorkerRecruited {
	return &domain.WorkerRecruited{WorkerID: worker, JobOrderID: jobOrder1, OriginCountry: "NP", RecruitedBy: by,
		Languages: []string{"ne", "en"}}
}

// policy is in force from 1 January 2024, open-ended, with the default repayment window.
func policy(id string, scope domain.Scope, rules ...domain.Rule) *domain.PolicyAdopted {
	return &domain.PolicyAdopted{PolicyID: id, Name: "Policy " + id, Scope: scope, EffectiveFrom: "2024-01-01",
		Rules: rules, Authority: "buyer code"}
}

// buyerCode is a buyer's code of conduct.
func buyerCode(id, buyer string, rules ...domain.Rule) *domain.PolicyAdopted {
	return policy(id, domain.Scope{BuyerID: buyer}, rules...)
}

// nationalLaw is a corridor's law: workers from origin going to destination.
func nationalLaw(id, origin, destination string, rules ...domain.Rule) *domain.PolicyAdopted {
	p := policy(id, domain.Scope{Origin: origin, Destination: destination}, rules...)
	p.Authority = "Nepal FVFT 2015"
	return p
}

// effective sets the policy's dates ("" leaves effective_to open).
func effective(p *domain.PolicyAdopted, from, to string) *domain.PolicyAdopted {
	p.EffectiveFrom, p.EffectiveTo = from, to
	return p
}

func repayIn(p *domain.PolicyAdopted, days int) *domain.PolicyAdopted {
	p.RepaymentDays = ptr(days)
	return p
}

// rule caps a category: max is "0" (any currency) or "10000.00 NPR".
func rule(category, max string) domain.Rule { return domain.Rule{Category: category, Max: money(max)} }

func retired(policyID string, to string) *domain.PolicyRetired {
	return &domain.PolicyRetired{PolicyID: policyID, EffectiveTo: to}
}

type feeOpt func(*domain.FeePaid)

// paidBy says who paid; the payer id follows the standard cast.
func paidBy(payer string) feeOpt {
	return func(f *domain.FeePaid) {
		f.Payer = payer
		switch payer {
		case domain.PayerEmployer:
			f.PayerID = employer1
		case domain.PayerAgency:
			f.PayerID = destAgency
		}
	}
}

func via(method string) feeOpt { return func(f *domain.FeePaid) { f.Method = method } }

// fee is paid by w-1 in cash to the origin agency, unless opts say otherwise.
func fee(id, category, amount string, opts ...feeOpt) *domain.FeePaid {
	f := &domain.FeePaid{WorkerID: worker1, FeeID: id, Category: category, Amount: money(amount),
		Payer: domain.PayerWorker, PayeeID: originAgency, Method: "cash"}
	for _, o := range opts {
		o(f)
	}
	return f
}

// reimbursed pays amount back to w-1 against a fee ("" for no fee).
func reimbursed(id, feeID, amount string) *domain.FeeReimbursed {
	return &domain.FeeReimbursed{WorkerID: worker1, ReimbursementID: id, FeeID: feeID, Amount: money(amount),
		PaidBy: originAgency}
}

func loan(id, purpose, principal string) *domain.LoanTaken {
	return &domain.LoanTaken{WorkerID: worker1, LoanID: id, LenderID: "lender-1", Principal: money(principal),
		Purpose: purpose, AnnualInterestPct: "36"}
}

type contractOpt func(*domain.ContractSigned)

func inLanguage(lang string) contractOpt { return func(c *domain.ContractSigned) { c.Language = lang } }

func withoutWorkerCopy(c *domain.ContractSigned) { c.WorkerCopy = ptr(false) }

// contract is signed by w-1 in Nepali with a copy for the worker, unless opts say otherwise.
func contract(id, stage string, t domain.Terms, opts ...contractOpt) *domain.ContractSigned {
	c := &domain.ContractSigned{WorkerID: worker1, ContractID: id, Stage: stage, Terms: t, Language: "ne",
		WorkerCopy: ptr(true)}
	for _, o := range opts {
		o(c)
	}
	return c
}

func departed() *domain.WorkerDeparted {
	return &domain.WorkerDeparted{WorkerID: worker1, FromCountry: "NP", ToCountry: "MY"}
}

func arrived() *domain.WorkerArrived { return &domain.WorkerArrived{WorkerID: worker1, Country: "MY"} }

func deployed() *domain.WorkerDeployed {
	return &domain.WorkerDeployed{WorkerID: worker1, EmployerID: employer1,
		Worksite: domain.Worksite{Country: "MY", City: "Penang"}}
}

func retainedDoc(document, heldBy string) *domain.DocumentRetained {
	return &domain.DocumentRetained{WorkerID: worker1, Document: document, HeldBy: heldBy}
}

func returnedDoc(document string) *domain.DocumentReturned {
	return &domain.DocumentReturned{WorkerID: worker1, Document: document}
}

// ofWorker moves a worker event to another worker.
func ofWorker[E domain.WorkerEvent](worker string, e E) E {
	reflect.ValueOf(e).Elem().FieldByName("WorkerID").SetString(worker)
	return e
}

// Terms: the job order's terms, changed by opts.

type termsOpt func(*domain.Terms)

func terms(opts ...termsOpt) domain.Terms {
	t := domain.Terms{Position: "sewing machine operator", EmployerID: employer1,
		Worksite: domain.Worksite{Country: "MY", City: "Penang"}, Wage: wage("1500.00 MYR/month"),
		HoursPerWeek: ptr(48), RestDaysPerWeek: ptr(1), DurationMonths: ptr(24),
		Deductions: []domain.Deduction{deduction("housing 100.00 MYR/month")},
		Benefits:   []string{"housing", "food", "medical", "return_ticket"}}
	for _, o := range opts {
		o(&t)
	}
	return t
}

func paying(w string) termsOpt      { return func(t *domain.Terms) { t.Wage = wage(w) } }
func hours(n int) termsOpt          { return func(t *domain.Terms) { t.HoursPerWeek = ptr(n) } }
func restDays(n int) termsOpt       { return func(t *domain.Terms) { t.RestDaysPerWeek = ptr(n) } }
func months(n int) termsOpt         { return func(t *domain.Terms) { t.DurationMonths = ptr(n) } }
func position(p string) termsOpt    { return func(t *domain.Terms) { t.Position = p } }
func employedBy(id string) termsOpt { return func(t *domain.Terms) { t.EmployerID = id } }
func worksite(c, city string) termsOpt {
	return func(t *domain.Terms) { t.Worksite = domain.Worksite{Country: c, City: city} }
}

// deducting replaces the deductions: "housing 100.00 MYR/month".
func deducting(ds ...string) termsOpt {
	return func(t *domain.Terms) {
		t.Deductions = nil
		for _, d := range ds {
			t.Deductions = append(t.Deductions, deduction(d))
		}
	}
}

// wage reads "1500.00 MYR/month".
func wage(s string) domain.Wage {
	m, per, _ := strings.Cut(s, "/")
	mo := money(m)
	return domain.Wage{Amount: mo.Amount, Currency: mo.Currency, Per: per}
}

// deduction reads "housing 100.00 MYR/month".
func deduction(s string) domain.Deduction {
	kind, rest, _ := strings.Cut(s, " ")
	w := wage(rest)
	return domain.Deduction{Kind: kind, Amount: w.Amount, Currency: w.Currency, Per: w.Per}
}

// money reads "1500.00 MYR", or "0" for a zero with no currency.
func money(s string) domain.Money {
	amount, currency, _ := strings.Cut(s, " ")
	return domain.Money{Amount: domain.Amount(amount), Currency: currency}
}

func ptr[T any](v T) *T { return &v }

// sameMoney compares amounts by currency and exact value, in any order.
func sameMoney(got []domain.Money, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	key := func(m domain.Money) string { return m.Currency + " " + m.Amount.Decimal().String() }
	g := make([]string, len(got))
	for i, m := range got {
		g[i] = key(m)
	}
	w := make([]string, len(want))
	for i, s := range want {
		w[i] = key(money(s))
	}
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// flagKeys are the flags' keys (code, worker, job order), sorted: the multiset a case expects.
func flagKeys(flags []domain.Flag) []string {
	keys := make([]string, len(flags))
	for i, f := range flags {
		keys[i] = flagKey(f.Code, f.WorkerID, f.JobOrderID)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	return keys
}

func flagKey(code, worker, jobOrder string) string {
	return code + " worker=" + worker + " job_order=" + jobOrder
}
