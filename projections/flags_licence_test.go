package projections_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// The chain.unlicensed_agency cases are written from spec section 7: the organisation that recruited a worker
// is registered as agency or sub_agent and none of its registrations carries a licence whose valid_until is on
// or after the recruitment's day. In the standard world ag-np recruits w-1 on day 5 (2025-01-06).

const unlicensed = domain.FlagUnlicensedAgency

func TestUnlicensedAgencyFlags(t *testing.T) { runFlagCases(t, licenceCases()) }

// withLicence registers an organisation of the world again, with a licence valid until a date ("" for none).
func withLicence(label, id, role string, n int, validUntil string) step {
	o := org(id, role, "NP")
	if validUntil != "" {
		o = licensed(o, validUntil)
	}
	return on(n, label, o)
}

func licenceCases() []flagCase {
	agency, sub := domain.RoleAgency, domain.RoleSubAgent
	engageSub := on(4, "engage-sub", engaged(subAgent, domain.AgencySubAgent, originAgency))
	recruitBySub := on(5, "recruit", recruited(worker1, subAgent))
	return []flagCase{
		{
			name:  "an agency registered without a licence recruits",
			steps: replace(world(), withLicence("org-ag-np", originAgency, agency, 0, "")),
			want:  []flagWant{raised(unlicensed, "recruit", "org-ag-np").with(licenceReason("carries a licence"))},
		},
		{
			name:  "a licence that expired the day before the recruitment",
			steps: replace(world(), withLicence("org-ag-np", originAgency, agency, 0, date(4))),
			want:  []flagWant{raised(unlicensed, "recruit", "org-ag-np").with(licenceReason("expired"))},
		},
		{
			name:   "a licence valid until the day of the recruitment",
			steps:  replace(world(), withLicence("org-ag-np", originAgency, agency, 0, date(5))),
			misses: []string{unlicensed},
		},
		{
			name:   "a licence valid until midnight starting the day of the recruitment covers that day",
			steps:  replace(world(), withLicence("org-ag-np", originAgency, agency, 0, date(5)+"T00:00:00Z")),
			misses: []string{unlicensed},
		},
		{
			name: "the recruitment's day is its UTC day: an evening west of Greenwich falls on the next day",
			steps: replace(replace(world(), withLicence("org-ag-np", originAgency, agency, 0, date(5))),
				recruitAt("2025-01-06T23:30:00-01:00")),
			want: []flagWant{raised(unlicensed, "recruit", "org-ag-np").with(func(t *testing.T, d map[string]any) {
				if on := field(d, "recruited_on"); on != date(6) {
					t.Errorf("recruited_on %q, want the UTC day %s", on, date(6))
				}
			})},
		},
		{
			name: "the recruitment's day is its UTC day: a night east of Greenwich is still the day before",
			steps: replace(replace(world(), withLicence("org-ag-np", originAgency, agency, 0, date(5))),
				recruitAt("2025-01-07T00:30:00+01:00")),
			misses: []string{unlicensed},
		},
		{
			name: "a re-registration with a renewed licence",
			steps: replace(world(withLicence("org-ag-np-renewed", originAgency, agency, 3, "2026-06-30")),
				withLicence("org-ag-np", originAgency, agency, 0, date(-30))),
			misses: []string{unlicensed},
		},
		{
			name: "a re-registration that does not renew the lapsed licence",
			steps: replace(world(withLicence("org-ag-np-again", originAgency, agency, 3, "")),
				withLicence("org-ag-np", originAgency, agency, 0, date(-30))),
			want: []flagWant{raised(unlicensed, "recruit", "org-ag-np", "org-ag-np-again").with(licenceReason("expired"))},
		},
		{
			name:  "a sub-agent without a licence recruits",
			steps: replace(replace(world(engageSub), withLicence("org-sub-np", subAgent, sub, 0, "")), recruitBySub),
			want:  []flagWant{raised(unlicensed, "recruit", "org-sub-np")},
		},
		{
			name:   "a licensed sub-agent recruits",
			steps:  replace(world(engageSub), recruitBySub),
			misses: []string{unlicensed},
		},
		{
			name:   "a recruiter never registered is not judged by this rule",
			steps:  replace(world(), on(5, "recruit", recruited(worker1, brokerNobody))),
			want:   []flagWant{raised(undisclosed, "recruit")},
			misses: []string{unlicensed},
		},
		{
			name:   "an employer that recruits itself needs no agency licence",
			steps:  replace(world(), on(5, "recruit", recruited(worker1, employer1))),
			misses: []string{unlicensed},
		},
	}
}

// recruitAt is ag-np's recruitment of w-1 at an RFC 3339 instant given with its offset, recorded an hour later.
func recruitAt(instant string) step {
	at, err := time.Parse(time.RFC3339, instant)
	if err != nil {
		panic(err)
	}
	return step{label: "recruit", occurred: at, recorded: at.Add(time.Hour), event: recruited(worker1, originAgency)}
}

// licenceReason checks the flag's details: the recruiter, its role, the day and why.
func licenceReason(why string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		if field(d, "recruited_by") != originAgency || field(d, "role") != domain.RoleAgency ||
			field(d, "recruited_on") != date(5) {
			t.Errorf("details %v: want recruited_by %s, role agency, recruited_on %s", d, originAgency, date(5))
		}
		if reason := field(d, "reason"); !strings.Contains(reason, why) {
			t.Errorf("reason %q does not say %q", reason, why)
		}
	}
}
