package projections

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// Orders of an agency listing (AgencyQuery.Sort).
const (
	// SortRisk puts the riskiest agency first: the highest share of its workers flagged, then the highest
	// contract substitution rate, then (with a reporting currency) the most worker-paid fees in it, then the
	// most flagged workers; ties broken by agency id.
	SortRisk = "risk"
	// SortWorkers puts the agency with the most workers first; ties broken by agency id.
	SortWorkers = "workers"
	// SortName orders by name (agencies without one by id, after those with one); ties broken by agency id.
	SortName = "name"
)

// AgencySorts lists the accepted values of AgencyQuery.Sort.
var AgencySorts = []string{SortRisk, SortWorkers, SortName}

// DefaultMinWorkers is the least number of workers an agency needs to be listed as clean.
const DefaultMinWorkers = 10

// CleanExcludes are the prefixes of the flag codes that keep an agency off the clean list: any fee, contract or
// document flag on any of its workers.
var CleanExcludes = []string{"fee.", "contract.", "document."}

// AgencyQuery selects the agencies' scorecards. An agency's workers are those it recruited
// (WorkerRecruited.recruited_by) and those recruited for every job order it is engaged on (AgencyEngaged, in
// any role), each counted once, as the audit's agency grouping counts them.
type AgencyQuery struct {
	// BuyerID restricts the scorecards to that buyer's job orders and the workers recruited for them.
	BuyerID string
	// EmployerID restricts them to that employer's job orders and their workers.
	EmployerID string
	// AgencyID keeps that agency's scorecard alone.
	AgencyID string
	// Currency, when set, is the reporting currency money is also converted into.
	Currency string
	// MinWorkers is the least number of workers of a clean agency (front ends default it to
	// DefaultMinWorkers); an agency with no worker is never clean.
	MinWorkers int
	// Sort is one of AgencySorts (SortRisk when empty).
	Sort string
}

// Check reports what is wrong with the query's sort, reporting currency and minimum, naming each field by the
// front end's name for it (sort, currency, minWorkers).
func (q AgencyQuery) Check(sort, currency, minWorkers string) []domain.FieldError {
	var out []domain.FieldError
	if q.Sort != "" && !slices.Contains(AgencySorts, q.Sort) {
		out = append(out, domain.FieldError{Path: sort, Problem: "one of " + strings.Join(AgencySorts, ", ")})
	}
	if q.Currency != "" && CheckCurrency(q.Currency) != nil {
		out = append(out, domain.FieldError{Path: currency, Problem: "an ISO 4217 currency code in upper case, such as USD"})
	}
	if q.MinWorkers < 0 {
		out = append(out, domain.FieldError{Path: minWorkers, Problem: "a whole number of workers, 0 or more"})
	}
	return out
}

// AgencyFigures are an agency's figures rolled up within a query's scope: its audit row (grouping by agency),
// with its months of wages and, in a reporting currency, its money converted, and what a scorecard needs
// beyond it.
type AgencyFigures struct {
	Row AuditRow
	// SubstitutedWorkers counts the workers with a flag of SubstitutionCodes.
	SubstitutedWorkers int
	// JobOrderIDs are the job orders counted in the row, sorted.
	JobOrderIDs []string
}

// AgencyReport answers an agency query: every agency's scorecard in the query's order, and the clean ones.
type AgencyReport struct {
	// JudgedAt is the query's time: flags, licences and conversions are as of it.
	JudgedAt   time.Time `json:"judged_at"`
	BuyerID    string    `json:"buyer_id,omitempty"`
	Currency   string    `json:"currency,omitempty"`
	Sort       string    `json:"sort"`
	MinWorkers int       `json:"min_workers"`
	// CleanCodes are the prefixes of the codes that keep an agency off the clean list (CleanExcludes), and
	// SubstitutionCodes the codes that count a worker's contract as substituted.
	CleanCodes        []string          `json:"clean_excludes"`
	SubstitutionCodes []string          `json:"substitution_codes"`
	Agencies          []AgencyScorecard `json:"agencies"`
	// CleanAgencies are the agencies with at least MinWorkers workers and no fee, contract or document flag on
	// any of them: the recruiters a brand can point its suppliers to.
	CleanAgencies []CleanAgency `json:"clean_agencies"`
}

// CleanAgency is an agency of the clean list.
type CleanAgency struct {
	AgencyID  string  `json:"agency_id"`
	Name      string  `json:"name,omitempty"`
	Workers   int     `json:"workers"`
	JobOrders int     `json:"job_orders"`
	Licence   Licence `json:"licence"`
}

// AgencyScorecard is an agency's record within the query's scope. Shares are decimal fractions to 4 places
// (workers flagged / workers), empty for an agency with no worker.
type AgencyScorecard struct {
	AgencyID       string  `json:"agency_id"`
	Name           string  `json:"name,omitempty"`
	Role           string  `json:"role,omitempty"`
	Licence        Licence `json:"licence"`
	Workers        int     `json:"workers"`
	FlaggedWorkers int     `json:"flagged_workers"`
	ShareFlagged   string  `json:"share_flagged,omitempty"`
	// Flags counts the flags on its workers and its job orders by code.
	Flags              map[string]int `json:"flags"`
	SubstitutedWorkers int            `json:"substituted_workers"`
	SubstitutionRate   string         `json:"substitution_rate,omitempty"`
	WorkerPaid         []domain.Money `json:"worker_paid_fees"`
	Reimbursed         []domain.Money `json:"reimbursed"`
	Outstanding        []domain.Money `json:"outstanding"`
	// Converted is the money in the reporting currency, each amount converted at its own instant, when the
	// query names one (as an audit in that currency converts it).
	Converted *Converted `json:"converted,omitempty"`
	// MonthsOfWages summarises its workers' recruitment cost in months of wages: the median, the mean and
	// how many paid more than a month's wage, over the workers that have a figure.
	MonthsOfWages *MonthsSummary `json:"months_of_wages"`
	JobOrders     []string       `json:"job_orders"`
	Buyers        []string       `json:"buyers"`
	Clean         bool           `json:"clean"`

	substituted int // to compare rates exactly
}

// Agencies answers an agency query from the view: its workers rolled up by agency.
func (v *View) Agencies(q AgencyQuery) AgencyReport {
	money := NewCurrencyRollups(v.Reporting(q.Currency)) // months of wages alone without a currency
	rows := v.rollUp(rollUp{by: ByAgency, buyer: q.BuyerID, employer: q.EmployerID, money: money})
	audit := make([]AuditRow, 0, len(rows))
	for _, key := range sortedKeys(rows) {
		audit = append(audit, *rows[key])
	}
	money.Fill(audit)
	figs := make([]AgencyFigures, 0, len(audit))
	for _, a := range audit {
		if q.Currency == "" {
			a.Converted = nil
		}
		r := rows[a.Key]
		figs = append(figs, AgencyFigures{Row: a, SubstitutedWorkers: r.substituted,
			JobOrderIDs: slices.Sorted(maps.Keys(r.jobOrders))})
	}
	return v.Scorecards(figs, q)
}

// Scorecards judges rolled-up figures into the query's report at the view's clock: the licences, buyers,
// conversions and order are the view's (which must hold the organisations, the job orders named and the rates).
func (v *View) Scorecards(figs []AgencyFigures, q AgencyQuery) AgencyReport {
	q = q.withDefaults()
	out := AgencyReport{JudgedAt: v.clock, BuyerID: q.BuyerID, Currency: q.Currency, Sort: q.Sort,
		MinWorkers: q.MinWorkers, CleanCodes: CleanExcludes, SubstitutionCodes: SubstitutionCodes,
		Agencies: []AgencyScorecard{}, CleanAgencies: []CleanAgency{}}
	for _, f := range figs {
		if q.AgencyID != "" && f.Row.Key != q.AgencyID {
			continue
		}
		out.Agencies = append(out.Agencies, v.scorecard(f, q))
	}
	slices.SortFunc(out.Agencies, agencyOrder(q.Sort))
	for _, s := range out.Agencies {
		if s.Clean {
			out.CleanAgencies = append(out.CleanAgencies, CleanAgency{AgencyID: s.AgencyID, Name: s.Name,
				Workers: s.Workers, JobOrders: len(s.JobOrders), Licence: s.Licence})
		}
	}
	return out
}

func (q AgencyQuery) withDefaults() AgencyQuery {
	if q.Sort == "" {
		q.Sort = SortRisk
	}
	return q
}

func (v *View) scorecard(f AgencyFigures, q AgencyQuery) AgencyScorecard {
	r := f.Row
	s := AgencyScorecard{AgencyID: r.Key, Name: cmp.Or(r.Name, v.OrganisationName(r.Key)),
		Role: v.OrganisationRole(r.Key), Licence: v.Licence(r.Key, v.clock), Workers: r.Workers,
		FlaggedWorkers: r.FlaggedWorkers, ShareFlagged: share(r.FlaggedWorkers, r.Workers), Flags: r.Flags,
		SubstitutedWorkers: f.SubstitutedWorkers, SubstitutionRate: share(f.SubstitutedWorkers, r.Workers),
		WorkerPaid: orEmpty(r.WorkerPaid), Reimbursed: orEmpty(r.Reimbursed), Outstanding: orEmpty(r.Outstanding),
		Converted: r.Converted, MonthsOfWages: r.MonthsOfWages, JobOrders: orEmpty(f.JobOrderIDs), Buyers: []string{},
		substituted: f.SubstitutedWorkers}
	if s.Flags == nil {
		s.Flags = map[string]int{}
	}
	if s.MonthsOfWages == nil {
		s.MonthsOfWages = SummariseMonthCounts(nil, r.Workers)
	}
	for _, id := range f.JobOrderIDs {
		if jo := v.jobOrder(id); jo != nil {
			s.Buyers = append(s.Buyers, jo.BuyerIDs...)
		}
	}
	slices.Sort(s.Buyers)
	s.Buyers = slices.Compact(s.Buyers)
	s.Clean = s.Workers >= q.MinWorkers && s.Workers > 0 && !excluded(s.Flags)
	return s
}

// excluded reports whether a count of CleanExcludes codes is positive.
func excluded(flags map[string]int) bool {
	for code, n := range flags {
		if n > 0 && slices.ContainsFunc(CleanExcludes, func(p string) bool { return strings.HasPrefix(code, p) }) {
			return true
		}
	}
	return false
}

// sharePlaces is how many decimals a share is written with.
const sharePlaces = 4

// share is n / of, rounded half-even to sharePlaces decimals; empty when of is 0.
func share(n, of int) string {
	if of == 0 {
		return ""
	}
	return domain.DivRoundHalfEven(decimal.NewFromInt(int64(n)), decimal.NewFromInt(int64(of)), sharePlaces).
		StringFixed(sharePlaces)
}

// agencyOrder is the comparison of a sort order.
func agencyOrder(sort string) func(a, b AgencyScorecard) int {
	switch sort {
	case SortWorkers:
		return func(a, b AgencyScorecard) int {
			return cmp.Or(cmp.Compare(b.Workers, a.Workers), strings.Compare(a.AgencyID, b.AgencyID))
		}
	case SortName:
		return func(a, b AgencyScorecard) int {
			return cmp.Or(compareNames(a.Name, b.Name), strings.Compare(a.AgencyID, b.AgencyID))
		}
	}
	return compareRisk
}

func compareNames(a, b string) int {
	switch {
	case a == "" || b == "":
		return cmp.Compare(b, a) // a name before none
	}
	return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
}

// compareRisk is SortRisk's order. Shares are compared exactly, as fractions.
func compareRisk(a, b AgencyScorecard) int {
	return cmp.Or(compareShares(b.FlaggedWorkers, b.Workers, a.FlaggedWorkers, a.Workers),
		compareShares(b.substituted, b.Workers, a.substituted, a.Workers),
		compareConverted(b.Converted, a.Converted),
		cmp.Compare(b.FlaggedWorkers, a.FlaggedWorkers),
		strings.Compare(a.AgencyID, b.AgencyID))
}

// compareShares compares n1/of1 with n2/of2 (a share of no worker is 0).
func compareShares(n1, of1, n2, of2 int) int {
	if of1 == 0 || of2 == 0 {
		return cmp.Compare(min(of1, 1)*n1, min(of2, 1)*n2)
	}
	return cmp.Compare(int64(n1)*int64(of2), int64(n2)*int64(of1))
}

// compareConverted compares worker-paid fees in the reporting currency (equal without one).
func compareConverted(a, b *Converted) int {
	if a == nil || b == nil {
		return 0
	}
	return a.WorkerPaid.Amount.Decimal().Cmp(b.WorkerPaid.Amount.Decimal())
}
