package synth

import (
	"slices"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// jobOrder is an employer's demand for workers, with its recruitment chain and recruitment window.
type jobOrder struct {
	id        string
	employer  *org
	dest      *destination
	buyers    []string
	origins   []int
	headcount int
	filled    int // workers recruited for it
	issued    time.Time
	offered   domain.Terms // terms when issued
	terms     domain.Terms // terms workers are offered: after the amendment, if any
	amendment string       // reason of the amendment; "" when not amended
	reverse   bool         // an agency pays the employer side to obtain the order
	// destAgency is nil when the employer engages origin agencies directly.
	destAgency   *org
	originAgency [numOrigins]*org
	subAgents    [numOrigins][]*org
	// Workers are recruited from recruitFrom to recruitTo.
	recruitFrom, recruitTo time.Time
}

// Shares of job orders.
const (
	amendedShare      = 0.15 // JobOrderAmended
	reverseFeeShare   = 0.10 // JobOrderPaymentMade from an agency to the employer side
	closedShare       = 0.70 // JobOrderClosed, when the closing falls within the dataset
	directHireShare   = 0.15 // no destination agency (Taiwan always has one)
	twoOriginsShare   = 0.30
	issuedFromDay     = 20  // job orders are issued from this many days after the start...
	issuedUntilDay    = 730 // ...until this many, so that every worker deploys within the dataset
	minHeadcount      = 20
	headcountStepSize = 5
	headcountSteps    = 26
)

// planJobOrders draws job orders, each at one employer with room for its workers, until every worker has one;
// they are numbered in the order they were issued.
func (g *generator) planJobOrders() {
	w := &g.w
	for remaining := g.opts.Workers; remaining > 0; {
		emp := pick(g, w.employers)
		headcount := minHeadcount + headcountStepSize*g.intn(headcountSteps+1)
		filled := min(remaining, max(1, headcount*g.between(70, 100)/100))
		jo := &jobOrder{employer: emp, dest: &destinations[emp.dest], headcount: headcount, filled: filled}
		jo.issued = g.officeHours(g.start.Add(days(g.between(issuedFromDay, issuedUntilDay))))
		w.jobOrders = append(w.jobOrders, jo)
		remaining -= filled
	}
	slices.SortStableFunc(w.jobOrders, func(a, b *jobOrder) int { return a.issued.Compare(b.issued) })
	width := max(4, len(strconv.Itoa(len(w.jobOrders))))
	for i, jo := range w.jobOrders {
		jo.id = padded("jo-", i+1, width)
		g.fillJobOrder(jo)
	}
	for _, i := range g.chosen(len(w.jobOrders), amendedShare) {
		jo := w.jobOrders[i]
		jo.terms, jo.amendment = g.amended(jo.offered, jo.employer)
	}
	for _, i := range g.chosen(len(w.jobOrders), reverseFeeShare) {
		w.jobOrders[i].reverse = true
	}
}

// fillJobOrder draws a job order's buyers, origins, terms, recruitment chain and recruitment window.
func (g *generator) fillJobOrder(jo *jobOrder) {
	buyers := industries[jo.employer.industry].buyers
	perm := g.rng.Perm(len(buyers))[:g.between(1, min(3, len(buyers)))]
	slices.Sort(perm)
	for _, i := range perm {
		jo.buyers = append(jo.buyers, g.w.buyers[buyers[i]].id)
	}
	first := jo.dest.origins[g.weighted(jo.dest.originWeights)]
	jo.origins = []int{first}
	if second := jo.dest.origins[g.weighted(jo.dest.originWeights)]; second != first && g.chance(twoOriginsShare) {
		jo.origins = append(jo.origins, second)
	}
	jo.offered = g.offer(jo.employer, jo.issued)
	jo.terms = jo.offered
	if jo.dest.code == "TW" || !g.chance(directHireShare) {
		jo.destAgency = pick(g, g.w.destAgencies[jo.employer.dest])
	}
	for _, o := range jo.origins {
		jo.originAgency[o] = pick(g, g.w.originAgencies[o])
		subs := g.w.subAgents[o]
		for _, i := range g.rng.Perm(len(subs))[:min(len(subs), g.weighted([]int{30, 45, 25}))] {
			jo.subAgents[o] = append(jo.subAgents[o], subs[i])
		}
	}
	jo.recruitFrom = jo.issued.Add(days(g.between(35, 60)))
	jo.recruitTo = jo.recruitFrom.Add(days(g.between(20, 120)))
}

// chosen is round(n x share) distinct indexes below n.
func (g *generator) chosen(n int, share float64) []int {
	return g.rng.Perm(n)[:int(float64(n)*share+0.5)]
}

// emitJobOrders emits each job order's stream: issued, its recruitment chain engaged, amended, and the
// reverse fee paid, in business-time order.
func (g *generator) emitJobOrders() {
	for _, jo := range g.w.jobOrders {
		codes := make([]string, len(jo.origins))
		for i, o := range jo.origins {
			codes[i] = origins[o].code
		}
		g.add(jo.issued, &domain.JobOrderIssued{
			JobOrderID: jo.id, EmployerID: jo.employer.id, BuyerIDs: jo.buyers, Headcount: intp(jo.headcount),
			OriginCountries: codes, Terms: jo.offered,
		})
		g.engagements(jo)
		if jo.amendment != "" {
			g.add(jo.issued.Add(days(g.between(7, 30))), &domain.JobOrderAmended{
				JobOrderID: jo.id, Terms: jo.terms, Reason: jo.amendment,
			})
		}
		if jo.reverse {
			g.reverseFee(jo)
		}
		g.flush()
	}
}

// engagements queues the recruitment chain: the destination agency engaged by the employer, an origin agency
// per origin engaged by it (or by the employer), and sub-agents engaged by the origin agency.
func (g *generator) engagements(jo *jobOrder) {
	engager := jo.employer.id
	if jo.destAgency != nil {
		g.add(jo.issued.Add(days(g.between(1, 7))), &domain.AgencyEngaged{
			JobOrderID: jo.id, AgencyID: jo.destAgency.id, Role: domain.AgencyDestination, EngagedBy: engager,
		})
		engager = jo.destAgency.id
	}
	for _, o := range jo.origins {
		agency := jo.originAgency[o]
		g.add(jo.issued.Add(days(g.between(8, 20))), &domain.AgencyEngaged{
			JobOrderID: jo.id, AgencyID: agency.id, Role: domain.AgencyOrigin, EngagedBy: engager,
		})
		for _, s := range jo.subAgents[o] {
			g.add(jo.issued.Add(days(g.between(21, 34))), &domain.AgencyEngaged{
				JobOrderID: jo.id, AgencyID: s.id, Role: domain.AgencySubAgent, EngagedBy: agency.id,
			})
		}
	}
}

// reverseFeeLabels are what agencies call a payment to obtain a job order.
var reverseFeeLabels = []string{"demand letter fee", "per-head visa allocation payment",
	"commission to secure the job order", "selection trip hospitality"}

// reverseFee queues a payment from an agency to the employer (or its agent) to obtain the job order: a sum
// per head, in US dollars.
func (g *generator) reverseFee(jo *jobOrder) {
	payer := jo.originAgency[jo.origins[0]]
	payee := jo.employer
	switch {
	case jo.destAgency != nil && g.chance(0.3):
		payer = jo.destAgency
	case jo.destAgency != nil && g.chance(0.3):
		payee = jo.destAgency
	}
	perHead := int64(g.between(2, 8)) * 50
	g.add(jo.issued.Add(days(g.between(10, 34))), &domain.JobOrderPaymentMade{
		JobOrderID: jo.id, PayerID: payer.id, PayeeID: payee.id,
		Amount: money(perHead*int64(jo.headcount)*100, "USD"), Label: pick(g, reverseFeeLabels),
	})
}

// closeReasons are why a job order stops taking workers.
var closeReasons = []string{"recruitment period ended", "order reduced by buyer", "production moved"}

// emitClosures emits JobOrderClosed for most job orders, some weeks after their last recruitment, when that
// falls within the dataset. They come last, after the workers recruited for them.
func (g *generator) emitClosures() {
	for _, jo := range g.w.jobOrders {
		if !g.chance(closedShare) {
			continue
		}
		at := g.officeHours(jo.recruitTo.Add(days(g.between(30, 150))))
		if at.After(g.end) {
			continue
		}
		reason := "headcount filled"
		if jo.filled < jo.headcount {
			reason = pick(g, closeReasons)
		}
		g.emit(at, &domain.JobOrderClosed{JobOrderID: jo.id, Reason: reason})
	}
}

// padded is prefix followed by n with leading zeros to width digits.
func padded(prefix string, n, width int) string {
	digits := strconv.Itoa(n)
	b := make([]byte, 0, len(prefix)+max(width, len(digits)))
	b = append(b, prefix...)
	for range width - len(digits) {
		b = append(b, '0')
	}
	return string(append(b, digits...))
}
