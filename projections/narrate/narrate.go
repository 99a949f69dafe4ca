// Package narrate says what an event records in one plain-English sentence: who paid whom how much by what
// method, which document is held by whom, where the worker went, what a contract's terms are and how a later
// version changed them for the worse. The command line's history and the web console call it, so both say the
// same thing in the same words.
package narrate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// ErrUnknownEvent is returned for an event type this package has no sentence for.
var ErrUnknownEvent = errors.New("no sentence for this event type")

// Entry is the sentence of a timeline entry, decoded from its stored data.
func Entry(e projections.TimelineEntry) (string, error) {
	ev, err := domain.DecodeData(e.Type, e.Data)
	if err != nil {
		return "", fmt.Errorf("narrate event %s: %w", e.EventID, err)
	}
	return Sentence(ev)
}

// Sentence is what the event records, in one sentence ending with a full stop.
func Sentence(e domain.Event) (string, error) {
	switch e := e.(type) {
	case *domain.WorkerRecruited:
		return fmt.Sprintf("Recruited by %s for job order %s; from %s, speaks %s.", e.RecruitedBy, e.JobOrderID,
			e.OriginCountry, orNone(strings.Join(e.Languages, ", "))), nil
	case *domain.FeePaid:
		return feePaid(e), nil
	case *domain.FeeReimbursed:
		s := fmt.Sprintf("%s paid %s back to the worker", e.PaidBy, money(e.Amount))
		if e.FeeID != "" {
			s += " for fee " + e.FeeID
		}
		return s + ".", nil
	case *domain.LoanTaken:
		return loanTaken(e), nil
	case *domain.ContractSigned:
		copied := "was given a copy"
		if !e.HasWorkerCopy() {
			copied = "was not given a copy"
		}
		return fmt.Sprintf("Signed contract %s (%s) in %s: %s; the worker %s.", e.ContractID, words(e.Stage),
			e.Language, Terms(e.Terms), copied), nil
	case *domain.VisaIssued:
		return fmt.Sprintf("Work visa for %s issued, sponsored by %s.", e.Country, e.SponsorID), nil
	case *domain.WorkerDeparted:
		return fmt.Sprintf("Left %s for %s.", e.FromCountry, e.ToCountry), nil
	case *domain.WorkerArrived:
		return fmt.Sprintf("Arrived in %s.", e.Country), nil
	case *domain.WorkerDeployed:
		return fmt.Sprintf("Started work for %s at %s.", e.EmployerID, Place(e.Worksite)), nil
	case *domain.DocumentRetained:
		return fmt.Sprintf("The worker's %s is held by %s.", words(e.Document), e.HeldBy), nil
	case *domain.DocumentReturned:
		return fmt.Sprintf("The worker's %s was given back to the worker.", words(e.Document)), nil
	case *domain.WorkerExited:
		return fmt.Sprintf("Employment ended: %s.", words(e.Reason)), nil
	case *domain.WorkerReported:
		return workerReported(e), nil
	case *domain.WorkerReportResolved:
		return reportResolved(e), nil
	}
	return organisational(e)
}

// organisational is the sentence of a job order, organisation or policy event.
func organisational(e domain.Event) (string, error) {
	switch e := e.(type) {
	case *domain.JobOrderIssued:
		return fmt.Sprintf("Job order %s issued by %s for %d worker(s) from %s, for buyer(s) %s: %s.", e.JobOrderID,
			e.EmployerID, deref(e.Headcount), orNone(strings.Join(e.OriginCountries, ", ")),
			orNone(strings.Join(e.BuyerIDs, ", ")), Terms(e.Terms)), nil
	case *domain.JobOrderAmended:
		return fmt.Sprintf("Job order %s amended (%s): %s.", e.JobOrderID, e.Reason, Terms(e.Terms)), nil
	case *domain.AgencyEngaged:
		return fmt.Sprintf("%s engaged %s as %s on job order %s.", e.EngagedBy, e.AgencyID, words(e.Role), e.JobOrderID), nil
	case *domain.JobOrderPaymentMade:
		s := fmt.Sprintf("%s paid %s to %s on job order %s", e.PayerID, money(e.Amount), e.PayeeID, e.JobOrderID)
		if e.Label != "" {
			s += " (" + e.Label + ")"
		}
		return s + ".", nil
	case *domain.JobOrderClosed:
		return fmt.Sprintf("Job order %s closed: %s.", e.JobOrderID, words(e.Reason)), nil
	case *domain.OrganisationRegistered:
		s := fmt.Sprintf("%s (%s) registered as %s in %s", e.Name, e.OrgID, words(e.Role), e.Country)
		if l := e.Licence; l != nil {
			s += fmt.Sprintf(", licence %s from %s valid until %s", l.Number, l.Authority, l.ValidUntil)
		}
		return s + ".", nil
	case *domain.PolicyAdopted:
		return policyAdopted(e), nil
	case *domain.PolicyRetired:
		return fmt.Sprintf("Policy %s retired from %s.", e.PolicyID, e.EffectiveTo), nil
	case *domain.ExchangeRatesPublished:
		return ratesPublished(e), nil
	}
	return "", fmt.Errorf("%T: %w", e, ErrUnknownEvent)
}

// ratesPublished names the table and its rates, in currency order: "1 EUR = 1.0478 USD".
func ratesPublished(e *domain.ExchangeRatesPublished) string {
	rates := make([]string, 0, len(e.Rates))
	for _, cur := range slices.Sorted(maps.Keys(e.Rates)) {
		rates = append(rates, string(e.Rates[cur])+" "+cur)
	}
	return fmt.Sprintf("%s published rates for %s (table %s): 1 %s = %s.", e.Source, e.Date, e.RatesID, e.Base,
		strings.Join(rates, ", "))
}

func feePaid(e *domain.FeePaid) string {
	payer := "The worker"
	switch {
	case e.Payer == domain.PayerWorker:
	case e.PayerID != "":
		payer = e.PayerID
	default:
		payer = "The " + e.Payer
	}
	what := words(e.Category)
	if e.Label != "" {
		what += " (" + e.Label + ")"
	}
	s := fmt.Sprintf("%s paid %s to %s by %s for %s", payer, money(e.Amount), e.PayeeID, words(e.Method), what)
	if e.EvidenceSHA256 != "" {
		s += "; evidence on file"
	}
	return s + "."
}

func loanTaken(e *domain.LoanTaken) string {
	s := "The worker borrowed " + money(e.Principal)
	if e.LenderID != "" {
		s += " from " + e.LenderID
	}
	s += " for " + words(e.Purpose)
	if e.AnnualInterestPct != "" {
		s += " at " + string(e.AnnualInterestPct) + "% a year"
	}
	return s + "."
}

func policyAdopted(e *domain.PolicyAdopted) string {
	s := fmt.Sprintf("%s adopted policy %s (%s) from %s", e.Authority, e.PolicyID, e.Name, e.EffectiveFrom)
	if e.EffectiveTo != "" {
		s += " to " + e.EffectiveTo
	}
	caps := make([]string, len(e.Rules))
	for i, r := range e.Rules {
		category := words(r.Category)
		if r.Category == domain.AllCategories {
			category = "all fees"
		}
		caps[i] = fmt.Sprintf("%s at most %s", category, money(r.Max))
		if r.Max.IsZero() {
			caps[i] = "no " + category
		}
	}
	if len(caps) > 0 {
		s += ": " + strings.Join(caps, ", ")
	}
	if e.RepaymentDays != nil {
		s += fmt.Sprintf("; fees repaid within %d days", *e.RepaymentDays)
	}
	return s + "."
}

// Terms writes a contract's or job order's terms in words: position, wage, hours, rest days, duration,
// employer and place, and deductions.
func Terms(t domain.Terms) string {
	s := fmt.Sprintf("%s, %s %s a %s, %d h a week, %d rest day(s) a week, %d months, for %s at %s",
		orNone(t.Position), t.Wage.Amount, t.Wage.Currency, t.Wage.Per, t.Hours(), t.RestDays(), t.Duration(),
		t.EmployerID, Place(t.Worksite))
	if len(t.Deductions) > 0 {
		ds := make([]string, len(t.Deductions))
		for i, d := range t.Deductions {
			ds[i] = fmt.Sprintf("%s %s %s a %s", words(d.Kind), d.Amount, d.Currency, d.Per)
		}
		s += ", deducting " + strings.Join(ds, ", ")
	}
	return s
}

// Place is a worksite as "city, country", or the country alone.
func Place(w domain.Worksite) string {
	if w.City == "" {
		return w.Country
	}
	return w.City + ", " + w.Country
}

func money(m domain.Money) string { return strings.TrimSpace(string(m.Amount) + " " + m.Currency) }

// words turns a vocabulary value such as bank_transfer into words.
func words(s string) string { return strings.ReplaceAll(s, "_", " ") }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
