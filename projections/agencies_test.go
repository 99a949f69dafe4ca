package projections_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

func agencyView(t *testing.T, steps []step, clock time.Time) *projections.View {
	t.Helper()
	return build(projections.Filter{}, newScenario(t, steps).globalOrder()).View(clock)
}

// TestLicenceStatus: an agency's licence status at a time, from the registrations that occurred by then.
func TestLicenceStatus(t *testing.T) {
	t.Parallel()
	agency := domain.RoleAgency
	tests := []struct {
		name   string
		steps  []step
		at     time.Time
		want   projections.Licence
		wantIn string
	}{
		{name: "never registered", steps: world(), at: day(10),
			want: projections.Licence{Status: projections.LicenceNotRegistered}, wantIn: "not registered"},
		{name: "registered without a licence",
			steps: world(withLicence("org-x", "ag-x", agency, 1, "")), at: day(10),
			want: projections.Licence{Status: projections.LicenceNone}, wantIn: "no licence"},
		{name: "a licence valid through the query's day",
			steps: world(withLicence("org-x", "ag-x", agency, 1, date(10))), at: day(10),
			want:   projections.Licence{Status: projections.LicenceValid, ValidUntil: date(10), Authority: "DoFE", Number: "1"},
			wantIn: "licensed to " + date(10)},
		{name: "a licence that expired the day before",
			steps: world(withLicence("org-x", "ag-x", agency, 1, date(9))), at: day(10),
			want:   projections.Licence{Status: projections.LicenceExpired, ValidUntil: date(9), Authority: "DoFE", Number: "1"},
			wantIn: "expired on " + date(9)},
		{name: "a renewal registered later runs longest",
			steps: world(withLicence("org-x", "ag-x", agency, 1, date(9)), withLicence("org-x-2", "ag-x", agency, 8, date(400))),
			at:    day(10),
			want:  projections.Licence{Status: projections.LicenceValid, ValidUntil: date(400), Authority: "DoFE", Number: "1"}},
		{name: "a re-registration without a licence keeps the earlier licence",
			steps: world(withLicence("org-x", "ag-x", agency, 1, date(400)), withLicence("org-x-2", "ag-x", agency, 8, "")),
			at:    day(10),
			want:  projections.Licence{Status: projections.LicenceValid, ValidUntil: date(400), Authority: "DoFE", Number: "1"}},
		{name: "a registration after the query's time is not counted",
			steps: world(withLicence("org-x", "ag-x", agency, 20, date(400))), at: day(10),
			want: projections.Licence{Status: projections.LicenceNotRegistered}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := agencyView(t, tc.steps, tc.at).Licence("ag-x", tc.at)
			if got.Status != tc.want.Status || got.ValidUntil != tc.want.ValidUntil {
				t.Errorf("licence %+v, want %+v", got, tc.want)
			}
			if tc.wantIn != "" && got.String() != tc.wantIn {
				t.Errorf("in words %q, want %q", got.String(), tc.wantIn)
			}
		})
	}
}

// agencyWorld adds to the standard world a second worker recruited by the sub-agent, who paid a forbidden fee
// and whose contract was later substituted, and a third job order of buyer-c with its own agency.
func agencyWorld() []step {
	w2 := "w-2"
	joC := issued("jo-c", terms())
	joC.BuyerIDs = []string{"buyer-c"}
	recruitC := recruited("w-3", "ag-c")
	recruitC.JobOrderID = "jo-c"
	lower := terms()
	lower.Wage.Amount = "1200.00"
	return world(
		on(0, "org-ag-c", licensed(org("ag-c", domain.RoleAgency, "NP"), "2027-12-31")),
		on(0, "policy", buyerCode("pol-a", "buyer-a", rule("*", "0"))),
		on(4, "engage-sub", engaged(subAgent, domain.AgencySubAgent, originAgency)),
		on(5, "recruit-2", ofWorker(w2, recruited(w2, subAgent))),
		on(6, "fee-2", ofWorker(w2, fee("f-2", "recruitment_fee", "1000.00 NPR"))),
		on(7, "contract-2", ofWorker(w2, contract("c-2", domain.StagePreDeparture, terms()))),
		on(40, "contract-2b", ofWorker(w2, contract("c-2b", domain.StagePostArrival, lower))),
		on(1, "jo-c", joC),
		on(2, "engage-c", &domain.AgencyEngaged{JobOrderID: "jo-c", AgencyID: "ag-c", Role: domain.AgencyOrigin, EngagedBy: employer1}),
		on(5, "recruit-3", recruitC),
	)
}

func TestAgenciesScopeOrderAndCleanList(t *testing.T) {
	t.Parallel()
	v := agencyView(t, agencyWorld(), day(60))
	ids := func(r projections.AgencyReport) []string {
		var out []string
		for _, s := range r.Agencies {
			out = append(out, s.AgencyID)
		}
		return out
	}
	tests := []struct {
		name      string
		q         projections.AgencyQuery
		wantOrder []string
		wantClean []string
	}{
		{name: "every agency, riskiest first, ties by id",
			q:         projections.AgencyQuery{MinWorkers: 1},
			wantOrder: []string{"ag-my", "ag-np", "sub-np", "ag-c"}, wantClean: []string{"ag-c"}},
		{name: "one buyer's job orders only",
			q:         projections.AgencyQuery{BuyerID: "buyer-c", MinWorkers: 1},
			wantOrder: []string{"ag-c"}, wantClean: []string{"ag-c"}},
		{name: "a minimum the clean agency does not reach",
			q:         projections.AgencyQuery{MinWorkers: 2},
			wantOrder: []string{"ag-my", "ag-np", "sub-np", "ag-c"}},
		{name: "by workers, ties by id",
			q:         projections.AgencyQuery{Sort: projections.SortWorkers, MinWorkers: 1},
			wantOrder: []string{"ag-my", "ag-np", "sub-np", "ag-c"}, wantClean: []string{"ag-c"}},
		{name: "one agency",
			q:         projections.AgencyQuery{AgencyID: "sub-np", MinWorkers: 1},
			wantOrder: []string{"sub-np"}},
		{name: "an employer with no job order",
			q: projections.AgencyQuery{EmployerID: "emp-none", MinWorkers: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Agencies(tc.q)
			if got := ids(r); !slices.Equal(got, tc.wantOrder) {
				t.Errorf("order %v, want %v", got, tc.wantOrder)
			}
			var clean []string
			for _, c := range r.CleanAgencies {
				clean = append(clean, c.AgencyID)
			}
			if !slices.Equal(clean, tc.wantClean) {
				t.Errorf("clean %v, want %v", clean, tc.wantClean)
			}
		})
	}
}

func TestAgencyScorecardFigures(t *testing.T) {
	t.Parallel()
	v := agencyView(t, agencyWorld(), day(60))
	r := v.Agencies(projections.AgencyQuery{AgencyID: "sub-np", Currency: "USD", MinWorkers: 1})
	if len(r.Agencies) != 1 {
		t.Fatalf("agencies %+v", r.Agencies)
	}
	s := r.Agencies[0]
	checks := []struct{ name, got, want string }{
		{"share flagged", s.ShareFlagged, "0.5000"},
		{"substitution rate", s.SubstitutionRate, "0.5000"},
		{"licence", s.Licence.String(), "licensed to 2027-12-31"},
		{"role", s.Role, domain.RoleSubAgent},
		{"worker-paid", moneyString(s.WorkerPaid), "1000.00 NPR"},
		{"not converted without a rate", moneyString(s.Converted.NotConverted.WorkerPaid), "1000.00 NPR"},
		{"converted total", string(s.Converted.WorkerPaid.Amount), "0.00"},
		// w-1 paid nothing: 0 months; w-2's fee in NPR has no rate into the wage's MYR: no figure.
		{"months of wages median", s.MonthsOfWages.Median, "0.00"},
		{"workers without a months figure", strconv.Itoa(s.MonthsOfWages.WorkersWithoutFigure), "1"},
		{"buyers", joined(s.Buyers), "buyer-a,buyer-b"},
		{"job orders", joined(s.JobOrders), "jo-1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if s.Flags[domain.FlagContractSubstitution] != 1 || s.Flags[domain.FlagFeeProhibited] != 1 {
		t.Errorf("flags %v", s.Flags)
	}
}

func TestAgencyQueryCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    projections.AgencyQuery
		want []string
	}{
		{"defaults", projections.AgencyQuery{}, nil},
		{"every value wrong", projections.AgencyQuery{Sort: "worst", Currency: "usd", MinWorkers: -1},
			[]string{"sort", "currency", "min_workers"}},
		{"unknown currency", projections.AgencyQuery{Currency: "ABC"}, []string{"currency"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range tc.q.Check("sort", "currency", "min_workers") {
				got = append(got, f.Path)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("fields %v, want %v", got, tc.want)
			}
		})
	}
}

func moneyString(ms []domain.Money) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, string(m.Amount)+" "+m.Currency)
	}
	return strings.Join(parts, ", ")
}

func joined(s []string) string { return strings.Join(s, ",") }
