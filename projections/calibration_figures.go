package projections

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// calibrationCurrency is the currency Calibration reports money in.
const calibrationCurrency = "USD"

// aboutOneMonth is the most months of wages CostFigure.WithinOneAndAHalf counts.
var aboutOneMonth = decimal.NewFromFloat(1.5)

// repayingThreshold is the share of their workers' payments an employer must have repaid to count as repaying.
var repayingThreshold = decimal.NewFromFloat(0.5)

// workerPaid is what the worker paid: before departure in US dollars and in the currency of its first fee, and
// everything in US dollars.
func (c *calibrator) workerPaid(id string, r *WorkerReport) (before decimal.Decimal, local domain.Money, all decimal.Decimal) {
	var departed time.Time
	if wf := c.v.m.workers[id]; wf != nil {
		if d := c.v.workerState(wf).departed; d != nil {
			departed = d.OccurredAt
		}
	}
	localSum := decimal.Zero
	for _, f := range r.Fees {
		if f.Payer != domain.PayerWorker {
			continue
		}
		usd, ok := c.usd(f.Amount, f.At)
		all = all.Add(usd)
		if departed.IsZero() || f.At.After(departed) {
			continue
		}
		if ok {
			before = before.Add(usd)
		}
		if local.Currency == "" {
			local.Currency = f.Amount.Currency
		}
		if f.Amount.Currency == local.Currency {
			localSum = localSum.Add(f.Amount.Amount.Decimal())
		}
	}
	local.Amount = domain.Amount(domain.FormatAmount(localSum))
	return before, local, all
}

// usd converts m into US dollars at t; an amount no rate converts counts as not converted and adds nothing.
func (c *calibrator) usd(m domain.Money, t time.Time) (decimal.Decimal, bool) {
	conv, ok := c.v.m.rates.Convert(m, calibrationCurrency, t)
	if !ok {
		c.out.NotConverted++
		return decimal.Zero, false
	}
	return conv.To.Amount.Decimal(), true
}

// countRepaid adds a worker's payments and reimbursements to its employer's.
func (c *calibrator) countRepaid(r *WorkerReport, paid decimal.Decimal) {
	repaid := decimal.Zero
	for _, re := range r.Reimbursed {
		usd, _ := c.usd(re.Amount, re.At)
		repaid = repaid.Add(usd)
	}
	c.paid[r.EmployerID] = c.paid[r.EmployerID].Add(paid)
	c.repaid[r.EmployerID] = c.repaid[r.EmployerID].Add(repaid)
}

// result computes the figures from the counts.
func (c *calibrator) result() Calibration {
	out := c.out
	out.PaidLessThanPromised = fraction(c.lessThanPromised, out.Workers)
	for _, dest := range sortedKeys(c.passports) {
		p := c.passports[dest]
		out.Passports = append(out.Passports, PassportFigure{Destination: dest, Workers: p.workers,
			Held: fraction(p.held, p.workers), NotReturned: fraction(p.notReturned, p.workers), Employed: p.employed,
			HeldFromEmployed: fraction(p.employedHeld, p.employed)})
	}
	out.Corridors, out.Origins = costFigures(c.corridors), costFigures(c.origins)
	out.Repayment = c.repayment()
	return out
}

// costFigures finishes the figures, in order of origin and destination.
func costFigures(m map[string]*CostFigure) []CostFigure {
	out := make([]CostFigure, 0, len(m))
	for _, key := range sortedKeys(m) {
		f := *m[key]
		f.Loans = fraction(f.loans, f.Workers)
		f.MedianUSD, f.MeanUSD = median(f.usd), mean(f.usd)
		if f.MedianUSD.IsPositive() {
			f.MeanOverMedian = domain.DivRoundHalfEven(f.MeanUSD, f.MedianUSD, 2)
		}
		f.MeanLocal.Amount = domain.Amount(mean(f.local).StringFixed(2))
		f.MedianMonths, f.MeanMonths = median(f.months), mean(f.months)
		within := 0
		for _, m := range f.months {
			if m.LessThanOrEqual(aboutOneMonth) {
				within++
			}
		}
		f.WithinOneAndAHalf = fraction(within, len(f.months))
		out = append(out, f)
	}
	return out
}

// repayment sums what was paid and repaid, and finds the employers that repaid at least half.
func (c *calibrator) repayment() RepaymentFigure {
	var out RepaymentFigure
	repayingPaid, repayingRepaid, othersPaid, othersRepaid := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	for _, emp := range sortedKeys(c.paid) {
		paid, repaid := c.paid[emp], c.repaid[emp]
		out.Employers++
		out.WorkerPaidUSD, out.RepaidUSD = out.WorkerPaidUSD.Add(paid), out.RepaidUSD.Add(repaid)
		if paid.IsPositive() && repaid.GreaterThanOrEqual(paid.Mul(repayingThreshold)) {
			out.Repaying++
			repayingPaid, repayingRepaid = repayingPaid.Add(paid), repayingRepaid.Add(repaid)
			continue
		}
		othersPaid, othersRepaid = othersPaid.Add(paid), othersRepaid.Add(repaid)
	}
	out.Repaid = ratio(out.RepaidUSD, out.WorkerPaidUSD)
	out.RepayingShare = fraction(out.Repaying, out.Employers)
	out.RepayingShareOfRepaid = ratio(repayingRepaid, out.RepaidUSD)
	out.RepayingRepaid = ratio(repayingRepaid, repayingPaid)
	out.OthersRepaid = ratio(othersRepaid, othersPaid)
	return out
}

// fraction is n of total, to 3 decimals; zero when total is.
func fraction(n, total int) decimal.Decimal {
	return ratio(decimal.NewFromInt(int64(n)), decimal.NewFromInt(int64(total)))
}

// ratio is a over b, to 3 decimals; zero when b is not positive.
func ratio(a, b decimal.Decimal) decimal.Decimal {
	if !b.IsPositive() {
		return decimal.Zero
	}
	return domain.DivRoundHalfEven(a, b, 3)
}

// median is the middle value (the mean of the two middle ones), to 2 decimals; zero for none.
func median(xs []decimal.Decimal) decimal.Decimal {
	return medianSorted(slices.SortedFunc(slices.Values(xs), func(a, b decimal.Decimal) int { return a.Cmp(b) }))
}

// mean is the average, to 2 decimals; zero for none.
func mean(xs []decimal.Decimal) decimal.Decimal {
	if len(xs) == 0 {
		return decimal.Zero
	}
	return domain.DivRoundHalfEven(decimal.Sum(decimal.Zero, xs...), decimal.NewFromInt(int64(len(xs))), 2)
}
