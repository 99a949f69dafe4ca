package projections

import (
	"slices"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// Calibration measures a dataset the way the published surveys of recruitment measure workers (issue 11 item
// 8), from the read model's own answers: the worker reports (documents held, flags, loans, fees and
// reimbursements), months of wages, and the dataset's exchange rates. It is how the synthetic generator is held
// to the surveys; on real records it describes the workers recorded.
//
// Money is converted into US dollars at each fee's occurred_at through the published rates; an amount no rate
// converts is left out of the money figures and counted in NotConverted. Shares are of the workers counted,
// rounded to 3 decimals; money and months are exact decimals rounded to 2.
type Calibration struct {
	Workers int `json:"workers"`
	// Passports are, per destination, the workers whose passport an employer or agency took.
	Passports []PassportFigure `json:"passports"`
	// PaidLessThanPromised is the share of workers with a contract whose wage is lower than the one promised
	// (contract.substitution or contract.below_job_order naming the wage).
	PaidLessThanPromised decimal.Decimal `json:"paid_less_than_promised"`
	// Corridors are, per origin and destination, what the workers who paid anything paid.
	Corridors []CostFigure `json:"corridors"`
	// Origins are the same figures per origin, with the share of workers who took a recruitment loan.
	Origins   []CostFigure    `json:"origins"`
	Repayment RepaymentFigure `json:"repayment"`
	// NotConverted counts the fees and reimbursements no published rate converts into US dollars.
	NotConverted int `json:"not_converted"`
}

// PassportFigure is how many workers of a destination had their passport held by an employer or agency.
type PassportFigure struct {
	Destination string `json:"destination"`
	Workers     int    `json:"workers"`
	// Held is the share whose passport was ever held; NotReturned the share still held at the view's clock.
	Held        decimal.Decimal `json:"held"`
	NotReturned decimal.Decimal `json:"not_returned"`
	// Employed are the workers deployed and not exited at the view's clock, whom surveys at worksites ask;
	// HeldFromEmployed is the share of them whose passport is held and not returned.
	Employed         int             `json:"employed"`
	HeldFromEmployed decimal.Decimal `json:"held_from_employed"`
}

// CostFigure is what workers of a corridor (or of an origin, Destination empty) paid: before departure, over the
// workers who paid anything then, in US dollars (median, mean and their ratio) and in the currency the worker
// paid it in (mean); and everything they paid, over the workers who paid anything, in months of wages (spec
// section 7; median, mean, and the share at most one and a half months).
type CostFigure struct {
	Origin      string `json:"origin"`
	Destination string `json:"destination,omitempty"`
	Workers     int    `json:"workers"`
	Paying      int    `json:"paying"`
	// Loans is the share of the workers (paying or not) who took a recruitment loan.
	Loans              decimal.Decimal `json:"recruitment_loans"`
	MedianUSD          decimal.Decimal `json:"median_usd"`
	MeanUSD            decimal.Decimal `json:"mean_usd"`
	MeanOverMedian     decimal.Decimal `json:"mean_over_median"`
	MeanLocal          domain.Money    `json:"mean_local"`
	MedianMonths       decimal.Decimal `json:"median_months"`
	MeanMonths         decimal.Decimal `json:"mean_months"`
	WithinOneAndAHalf  decimal.Decimal `json:"within_one_and_a_half_months"`
	usd, months, local []decimal.Decimal
	loans              int
}

// RepaymentFigure is how much of what workers paid was paid back, and where.
type RepaymentFigure struct {
	WorkerPaidUSD decimal.Decimal `json:"worker_paid_usd"`
	RepaidUSD     decimal.Decimal `json:"repaid_usd"`
	// Repaid is RepaidUSD over WorkerPaidUSD.
	Repaid    decimal.Decimal `json:"repaid"`
	Employers int             `json:"employers"`
	// Repaying are the employers whose workers had at least half of what they paid repaid: their share of the
	// employers, of all the money repaid, and of their own workers' payments repaid.
	Repaying              int             `json:"repaying_employers"`
	RepayingShare         decimal.Decimal `json:"repaying_share_of_employers"`
	RepayingShareOfRepaid decimal.Decimal `json:"repaying_share_of_repaid"`
	RepayingRepaid        decimal.Decimal `json:"repaying_employers_repaid"`
	// OthersRepaid is the share repaid to the workers of all other employers.
	OthersRepaid decimal.Decimal `json:"others_repaid"`
}

// Calibration measures every worker of the view.
func (v *View) Calibration() Calibration {
	c := newCalibrator(v)
	ids := v.m.WorkerIDs()
	v.warm(ids)
	for _, id := range ids {
		c.add(id)
	}
	return c.result()
}

// calibrator gathers the figures worker by worker.
type calibrator struct {
	v                     *View
	out                   Calibration
	passports             map[string]*passportCount
	corridors, origins    map[string]*CostFigure
	paid, repaid          map[string]decimal.Decimal // per employer, in US dollars
	lessThanPromised      int
	destinationOfJobOrder map[string]string
}

type passportCount struct{ workers, held, notReturned, employed, employedHeld int }

func newCalibrator(v *View) *calibrator {
	return &calibrator{v: v, passports: map[string]*passportCount{}, corridors: map[string]*CostFigure{},
		origins: map[string]*CostFigure{}, paid: map[string]decimal.Decimal{}, repaid: map[string]decimal.Decimal{},
		destinationOfJobOrder: map[string]string{}}
}

// add measures one worker.
func (c *calibrator) add(id string) {
	r, ok := c.v.Worker(id)
	if !ok {
		return
	}
	c.out.Workers++
	dest := c.destination(r.JobOrderID)
	c.countPassport(dest, r.Status == "deployed", r.Documents)
	if paidLessThanPromised(r.Flags) {
		c.lessThanPromised++
	}
	before, local, all := c.workerPaid(id, r)
	c.countRepaid(r, all)
	months, _ := c.v.MonthsOfWages(id)
	loan := slices.ContainsFunc(r.Loans, func(l Loan) bool { return l.Purpose == domain.LoanRecruitment })
	corridor, origin := c.figure(c.corridors, r.OriginCountry, dest), c.figure(c.origins, r.OriginCountry, "")
	for _, f := range []*CostFigure{corridor, origin} {
		f.Workers++
		if loan {
			f.loans++
		}
		if before.IsPositive() {
			f.usd, f.local = append(f.usd, before), append(f.local, local.Amount.Decimal())
			f.MeanLocal.Currency = local.Currency
		}
		if !all.IsPositive() {
			continue
		}
		f.Paying++
		if m, err := decimal.NewFromString(months.Months); err == nil && months.Has() {
			f.months = append(f.months, m)
		}
	}
}

// destination is the worksite country of a job order's terms.
func (c *calibrator) destination(jobOrderID string) string {
	if d, ok := c.destinationOfJobOrder[jobOrderID]; ok {
		return d
	}
	var d string
	if jo, ok := c.v.JobOrder(jobOrderID); ok && jo.Terms != nil {
		d = jo.Terms.Worksite.Country
	}
	c.destinationOfJobOrder[jobOrderID] = d
	return d
}

func (c *calibrator) countPassport(dest string, employed bool, docs []DocumentHeld) {
	p := c.passports[dest]
	if p == nil {
		p = &passportCount{}
		c.passports[dest] = p
	}
	p.workers++
	held, kept := false, false
	for _, d := range docs {
		if d.Document != domain.DocPassport {
			continue
		}
		held = true
		kept = kept || d.ReturnedAt == nil
	}
	if held {
		p.held++
	}
	if kept {
		p.notReturned++
	}
	if employed {
		p.employed++
		if kept {
			p.employedHeld++
		}
	}
}

// paidLessThanPromised reports whether a contract flag names a lower wage.
func paidLessThanPromised(flags []domain.Flag) bool {
	for _, f := range flags {
		if f.Code != domain.FlagContractSubstitution && f.Code != domain.FlagContractBelowJobOrder {
			continue
		}
		var changes []Change
		switch d := f.Details.(type) {
		case ContractSubstitutionDetails:
			changes = d.Changes
		case BelowJobOrderDetails:
			changes = d.Changes
		}
		if slices.ContainsFunc(changes, func(ch Change) bool { return ch.Term == "wage" }) {
			return true
		}
	}
	return false
}

func (c *calibrator) figure(m map[string]*CostFigure, origin, dest string) *CostFigure {
	key := origin + ">" + dest
	f := m[key]
	if f == nil {
		f = &CostFigure{Origin: origin, Destination: dest}
		m[key] = f
	}
	return f
}
