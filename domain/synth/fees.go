package synth

import (
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Shares of fees and loans.
const (
	twPayShareBonus = 0.20  // Taiwan's brokers charge more workers
	splitFeeShare   = 0.40  // recruitment fee paid in two instalments
	receiptedShare  = 0.30  // of Nepali workers paying a recruitment fee, also a receipted 10,000 NPR
	loanFundedShare = 0.60  // of the recruitment fees of a worker with a loan: paid from the loan
	depositShare    = 0.03  // of paying workers (about 2% of all)
	bribeShare      = 0.008 // of paying workers
	agencyPaysShare = 0.30  // of the medical, training and insurance costs workers do not pay: the agency pays
	evidenceShare   = 0.35  // fees with a receipt hash
)

// When a fee falls due in the journey.
const (
	whenEarly = iota // soon after recruitment
	whenMid          // while documents are prepared
	whenVisa         // before the visa
	whenLate         // before departure
)

// feeSpec is a cost of recruitment, as workers and employers pay it.
type feeSpec struct {
	category      string
	workerShare   float64 // share of paying workers who pay it
	employerShare float64 // share of the other workers for whom the employer's or agency's payment is recorded
	usdLo, usdHi  float64
	labels        []string // the recruiter's words, when a worker pays
	employerLabel string
	when          int
}

// feeSpecs are the costs of recruitment, in the order they are drawn. The table is never modified.
var feeSpecs = []feeSpec{
	{domain.FeeRecruitment, 0.85, 0.85, 600, 1500,
		[]string{"service charge", "processing fee", "file charge", "agent commission"}, "agency service fee", whenEarly},
	{domain.FeeMedical, 0.75, 0.75, 40, 90,
		[]string{"medical test", "medical fitness certificate"}, "medical examination", whenMid},
	{domain.FeeDocuments, 0.50, 0.30, 20, 70,
		[]string{"passport and police clearance", "document attestation"}, "document attestation", whenMid},
	{domain.FeeSkillsTest, 0.25, 0.40, 25, 70, []string{"trade test"}, "trade test", whenMid},
	{domain.FeeTraining, 0.45, 0.60, 30, 110,
		[]string{"pre-departure orientation", "skills training"}, "pre-departure orientation", whenLate},
	{domain.FeeInsurance, 0.35, 0.70, 15, 45,
		[]string{"insurance", "welfare fund contribution"}, "insurance premium", whenLate},
	{domain.FeeVisa, 0.35, 0.85, 100, 350, []string{"visa processing", "visa stamping"}, "visa and work permit",
		whenVisa},
	{domain.FeeTravel, 0.30, 0.85, 250, 550, []string{"air ticket", "ticket and airport transfer"}, "air ticket",
		whenLate},
}

// workerFees queues what a worker pays, if anything (70-95% of workers do, by origin): recruitment fees and
// related costs at origin, scaled by the corridor's cost drawn from a right-skewed distribution, sometimes a
// deposit or a bribe, a recruitment loan for as many workers of the origin as surveys find, and deductions from
// wages after deployment for some.
func (g *generator) workerFees(w *worker) {
	pays := w.src.payShare
	if w.dst.code == "TW" {
		pays = min(1, pays+twPayShareBonus)
	}
	if !g.chance(pays) {
		return
	}
	w.cost = g.costScale(w)
	loan := g.chance(w.src.loanShare / pays)
	var total int64
	first := w.departed
	for i := range feeSpecs {
		spec := &feeSpecs[i]
		if !g.chance(spec.workerShare) {
			continue
		}
		w.paidCategories |= 1 << i
		at := g.due(w, spec.when)
		first = earliest(first, at)
		if spec.category == domain.FeeRecruitment {
			total += g.recruitmentFee(w, spec, at, loan)
			continue
		}
		cents := g.local(spec.usdLo, spec.usdHi, w.src.usdRate*w.cost, w.src.unit)
		g.workerPays(w, at, spec.category, pick(g, spec.labels), cents, g.payee(w, spec.category, false),
			g.method(false))
		total += cents
	}
	total += g.illegitimateFees(w)
	if loan && total > 0 {
		g.loan(w, total, first)
	}
	g.wageRecovery(w)
}

// recruitmentFee queues the recruitment fee, in one or two instalments (a sub-agent's commission first, when a
// sub-agent recruited), and returns its total in cents.
func (g *generator) recruitmentFee(w *worker, spec *feeSpec, at time.Time, loan bool) int64 {
	src, agency := w.src, w.jo.originAgency[w.o]
	total := g.local(spec.usdLo, spec.usdHi, src.usdRate*w.cost, src.unit)
	payee := agency.id
	if w.broker {
		payee = w.recruiter.id
	}
	var paid int64
	rest := total
	if g.chance(splitFeeShare) {
		first, label, to := g.share(total, 30, 50, src.unit), "advance", payee
		if w.viaSub {
			label, to = "sub-agent commission", w.recruiter.id
		}
		g.workerPays(w, at, domain.FeeRecruitment, label, first, to, g.method(loan && g.chance(loanFundedShare)))
		paid, rest = first, max(total-first, src.unit*100)
		at = g.sometime(at, w.visa)
	}
	g.workerPays(w, at, domain.FeeRecruitment, pick(g, spec.labels), rest, payee,
		g.method(loan && g.chance(loanFundedShare)))
	paid += rest
	if src.code == "NP" && !w.broker && g.chance(receiptedShare) {
		g.workerPays(w, g.sometime(at, w.visa), domain.FeeRecruitment, "service charge (receipted)", 10000_00,
			agency.id, "bank_transfer")
		paid += 10000_00
	}
	return paid
}

// depositLabels are what recruiters call a deposit.
var depositLabels = []string{"security deposit", "guarantee bond"}

// illegitimateFees queues a deposit or a bribe for a few workers and returns the amount in cents.
func (g *generator) illegitimateFees(w *worker) int64 {
	var sum int64
	if g.chance(depositShare) {
		cents := g.local(300, 900, w.src.usdRate, w.src.unit)
		g.workerPays(w, g.due(w, whenEarly), domain.FeeDeposit, pick(g, depositLabels), cents, w.recruiter.id,
			g.method(false))
		sum += cents
	}
	if g.chance(bribeShare) {
		cents := g.local(40, 200, w.src.usdRate, w.src.unit)
		g.workerPays(w, g.due(w, whenLate), domain.FeeBribe, "speed money for emigration clearance", cents,
			w.recruiter.id, "cash")
		sum += cents
	}
	return sum
}

// workerPays queues a fee the worker paid and keeps it for reimbursement.
func (g *generator) workerPays(w *worker, at time.Time, category, label string, cents int64, payee, method string) {
	cur, unit := w.src.currency, w.src.unit
	if method == "wage_deduction" {
		cur, unit = w.dst.currency, w.dst.unit
	}
	id := g.feePaid(w, at, category, label, money(cents, cur), domain.PayerWorker, "", payee, method)
	w.paid = append(w.paid, paidFee{id: id, cents: cents, cur: cur, unit: unit, at: at})
}

// feePaid queues a FeePaid and returns its fee_id.
func (g *generator) feePaid(w *worker, at time.Time, category, label string, m domain.Money,
	payer, payerID, payee, method string) string {
	w.nFees++
	id := w.id + "-f" + strconv.Itoa(w.nFees)
	e := &domain.FeePaid{
		WorkerID: w.id, FeeID: id, Category: category, Label: label, Amount: m,
		Payer: payer, PayerID: payerID, PayeeID: payee, Method: method,
	}
	if g.chance(evidenceShare) {
		e.EvidenceSHA256 = g.sha256Hex()
	}
	g.add(at, e)
	return id
}

// method is how a worker paid at origin: from a loan, in cash, by bank transfer or otherwise.
func (g *generator) method(fromLoan bool) string {
	if fromLoan {
		return "loan"
	}
	switch r := g.rng.Float64(); {
	case r < 0.60:
		return "cash"
	case r < 0.93:
		return "bank_transfer"
	}
	return "other"
}

// due is when a fee falls due in the worker's journey.
func (g *generator) due(w *worker, when int) time.Time {
	switch when {
	case whenEarly:
		return g.sometime(w.recruited, w.recruited.Add(days(20)))
	case whenMid:
		return g.sometime(w.recruited.Add(days(3)), earliest(w.visa, w.recruited.Add(days(35))))
	case whenVisa:
		return g.sometime(w.visa.Add(-days(25)), w.visa)
	}
	return g.sometime(w.departed.Add(-days(25)), w.departed.Add(-3*hour))
}

// payee is who is paid a cost: the origin agency, or the clinic, test centre, training centre or insurer;
// an employer pays the recruitment fee to its destination agency and visa fees to immigration.
func (g *generator) payee(w *worker, category string, byEmployer bool) string {
	p := &g.w.payees[w.o]
	switch category {
	case domain.FeeRecruitment:
		if byEmployer && w.jo.destAgency != nil {
			return w.jo.destAgency.id
		}
	case domain.FeeMedical:
		return pick(g, p.clinics)
	case domain.FeeSkillsTest:
		return pick(g, p.testCentres)
	case domain.FeeTraining:
		return pick(g, p.trainers)
	case domain.FeeInsurance:
		return pick(g, p.insurers)
	case domain.FeeVisa:
		if byEmployer {
			return "immigration-" + w.dst.slug
		}
	}
	return w.jo.originAgency[w.o].id
}

// employerFees queues the costs the employer (or for some costs at origin, the agency) paid for the worker,
// where the worker did not pay them.
func (g *generator) employerFees(w *worker) {
	for i := range feeSpecs {
		spec := &feeSpecs[i]
		if w.paidCategories&(1<<i) != 0 || !g.chance(spec.employerShare) {
			continue
		}
		at := g.due(w, spec.when)
		switch spec.category {
		case domain.FeeMedical, domain.FeeTraining, domain.FeeInsurance:
			if g.chance(agencyPaysShare) {
				agency := w.jo.originAgency[w.o].id
				m := money(g.local(spec.usdLo, spec.usdHi, w.src.usdRate, w.src.unit), w.src.currency)
				g.feePaid(w, at, spec.category, spec.employerLabel, m, domain.PayerAgency, agency,
					g.payee(w, spec.category, false), "bank_transfer")
				continue
			}
		}
		m := money(g.local(spec.usdLo, spec.usdHi, w.dst.usdRate, w.dst.unit), w.dst.currency)
		g.feePaid(w, at, spec.category, spec.employerLabel, m, domain.PayerEmployer, w.jo.employer.id,
			g.payee(w, spec.category, true), "bank_transfer")
	}
}

// wageRecovery queues monthly deductions from wages that recover recruitment costs, for some paying workers,
// for three to six months after deployment.
func (g *generator) wageRecovery(w *worker) {
	r := &w.dst.recovery
	if r.share == 0 || !g.chance(r.share) {
		return
	}
	cents := g.local(r.usdLo, r.usdHi, w.dst.usdRate, w.dst.unit)
	for k := range g.between(3, 6) {
		at := g.officeHours(w.deployed.AddDate(0, k+1, 0))
		if at.After(g.end) {
			return
		}
		g.workerPays(w, at, r.category, r.label, cents, w.jo.employer.id, "wage_deduction")
	}
}

// brokerFees queues, where the destination has them (Taiwan), the broker's service fee deducted from the
// worker's wages every month of the contract, at that year's rate, while the worker is employed and within
// the dataset. The broker is the destination agency, else the employer collects it.
func (g *generator) brokerFees(w *worker) {
	fees := w.dst.brokerFees
	if len(fees) == 0 {
		return
	}
	payee := w.jo.employer.id
	if w.jo.destAgency != nil {
		payee = w.jo.destAgency.id
	}
	for k := range w.terms.Duration() {
		at := g.officeHours(w.deployed.AddDate(0, k+1, 0))
		if at.After(g.end) || !w.exited.IsZero() && at.After(w.exited) {
			return
		}
		g.workerPays(w, at, domain.FeeRecruitment, "broker service fee", fees[min(k/12, len(fees)-1)]*100, payee,
			"wage_deduction")
	}
}

// loan queues a recruitment loan taken a few days before the first fee, for most of what the worker paid at
// origin: from a microfinance institution, a bank, the recruiter, or a moneylender (sometimes unnamed).
func (g *generator) loan(w *worker, total int64, firstFee time.Time) {
	p := &g.w.payees[w.o]
	e := &domain.LoanTaken{
		WorkerID: w.id, LoanID: w.id + "-l1", Purpose: domain.LoanRecruitment,
		Principal: money(g.share(total, 60, 100, w.src.unit*2), w.src.currency),
	}
	var lo, hi int
	switch r := g.rng.Float64(); {
	case r < 0.35:
		e.LenderID, lo, hi = pick(g, p.lenders), 18, 26
	case r < 0.55:
		e.LenderID, lo, hi = pick(g, p.banks), 11, 16
	case r < 0.80:
		e.LenderID, lo, hi = w.recruiter.id, 24, 36
	default:
		lo, hi = 36, 60
		if g.chance(0.8) {
			e.LenderID = pick(g, p.moneylenders)
		}
	}
	if g.chance(0.9) {
		e.AnnualInterestPct = domain.Percent(strconv.Itoa(g.between(lo, hi)))
	}
	before := days(g.between(1, 4)) + time.Duration(g.intn(6*60))*time.Minute
	at := later(w.recruited.Add(30*time.Minute), firstFee.Add(-before))
	g.add(at, e)
}
