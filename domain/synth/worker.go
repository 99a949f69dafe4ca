package synth

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Shares of workers in the recruitment chain.
const (
	undisclosedShare  = 0.03 // recruited by a broker no job order engages
	viaSubAgentShare  = 0.65 // recruited by a sub-agent, when the job order engages any
	secondOriginShare = 0.40 // of a job order's workers, from its second origin country
	agencySponsorship = 0.05 // visa sponsored by the destination agency (outsourced labour)
	redeployedShare   = 0.02 // deployed to another employer than the job order's
)

// worker is one worker's journey while its events are drawn.
type worker struct {
	id        string
	jo        *jobOrder
	o         int // origin index
	src       *origin
	dst       *destination
	langs     []string
	recruiter *org
	viaSub    bool // recruited by an engaged sub-agent
	broker    bool // recruited by an undisclosed intermediary
	// The journey, in business time.
	recruited, visa, departed, arrived, deployed time.Time
	terms                                        domain.Terms // terms the worker works under
	substituted                                  bool         // a less favourable contract replaced the first
	paid                                         []paidFee    // fees the worker paid
	paidCategories                               uint32       // bit i set: the worker paid feeSpecs[i]
	cost                                         float64      // costScale of a worker who pays before departure
	nFees, nContracts, nRefunds                  int
	hold                                         hold
	exited                                       time.Time // zero while employed
	exitReason                                   string
}

// paidFee is a fee the worker paid, which may be reimbursed.
type paidFee struct {
	id    string
	cents int64
	cur   string
	unit  int64
	at    time.Time
}

// emitWorkers emits every worker's events, job order by job order; within a job order, workers are
// recruited one after the other through its recruitment window.
func (g *generator) emitWorkers() {
	seq := 0
	for _, jo := range g.w.jobOrders {
		window := float64(jo.recruitTo.Sub(jo.recruitFrom))
		for k := range jo.filled {
			if g.err != nil {
				return
			}
			seq++
			offset := time.Duration((float64(k) + g.rng.Float64()) / float64(jo.filled) * window)
			g.worker(jo, seq, g.officeHours(jo.recruitFrom.Add(offset)))
		}
	}
}

// worker emits one worker's events in business-time order.
func (g *generator) worker(jo *jobOrder, seq int, recruited time.Time) {
	w := g.newWorker(jo, seq, recruited)
	g.add(w.recruited, &domain.WorkerRecruited{
		WorkerID: w.id, JobOrderID: jo.id, OriginCountry: w.src.code, RecruitedBy: w.recruiter.id,
		Languages: w.langs,
	})
	g.workerFees(w)
	g.employerFees(w)
	g.contracts(w)
	g.journey(w)
	g.retention(w)
	g.ending(w)
	g.brokerFees(w)
	g.returns(w)
	g.reimbursements(w)
	g.flush()
}

// newWorker draws a worker's origin, languages, recruiter and journey: visa five weeks to three months after
// recruitment, departure within a month of the visa, arrival the same day, deployment within ten days.
func (g *generator) newWorker(jo *jobOrder, seq int, recruited time.Time) *worker {
	o := jo.origins[0]
	if len(jo.origins) > 1 && g.chance(secondOriginShare) {
		o = jo.origins[1]
	}
	w := &worker{id: padded("w-", seq, 6), jo: jo, o: o, src: &origins[o], dst: jo.dest, terms: jo.terms}
	w.langs = g.languages(w.src)
	switch subs := jo.subAgents[o]; {
	case g.chance(undisclosedShare):
		w.recruiter, w.broker = pick(g, g.w.brokers[o]), true
	case len(subs) > 0 && g.chance(viaSubAgentShare):
		w.recruiter, w.viaSub = pick(g, subs), true
	default:
		w.recruiter = jo.originAgency[o]
	}
	w.recruited = recruited
	w.visa = g.officeHours(recruited.Add(days(g.between(35, 100))))
	w.departed = w.visa.Add(days(g.between(5, 30))).Truncate(day).Add(time.Duration(g.intn(24*60)) * time.Minute)
	w.arrived = w.departed.Add(time.Duration(g.between(6*60, 16*60)) * time.Minute)
	w.deployed = g.officeHours(w.arrived.Add(days(g.between(2, 10))))
	return w
}

// languages draws the languages a worker from src speaks.
func (g *generator) languages(src *origin) []string {
	total := 0
	for _, l := range src.languages {
		total += l.weight
	}
	r := g.intn(total)
	for _, l := range src.languages {
		if r < l.weight {
			return l.codes
		}
		r -= l.weight
	}
	return src.languages[0].codes
}

// journey queues the visa, departure, arrival and deployment. A few visas are sponsored by the destination
// agency, and a few workers are deployed to another employer than the job order's.
func (g *generator) journey(w *worker) {
	jo := w.jo
	sponsor := jo.employer
	if jo.destAgency != nil && g.chance(agencySponsorship) {
		sponsor = jo.destAgency
	}
	g.add(w.visa, &domain.VisaIssued{WorkerID: w.id, Country: w.dst.code, SponsorID: sponsor.id})
	g.add(w.departed, &domain.WorkerDeparted{WorkerID: w.id, FromCountry: w.src.code, ToCountry: w.dst.code})
	g.add(w.arrived, &domain.WorkerArrived{WorkerID: w.id, Country: w.dst.code})
	employer, site := jo.employer, w.terms.Worksite
	if others := g.w.employersIn[employer.dest]; len(others) > 1 && g.chance(redeployedShare) {
		if other := pick(g, others); other != employer {
			employer, site = other, domain.Worksite{Country: w.dst.code, City: other.city}
		}
	}
	g.add(w.deployed, &domain.WorkerDeployed{WorkerID: w.id, EmployerID: employer.id, Worksite: site})
}

// sometime is an office-hours instant on a day in [from, to), at least an hour after from and an hour
// before to.
func (g *generator) sometime(from, to time.Time) time.Time {
	t := g.officeHours(g.within(from, to))
	if t.Before(from.Add(hour)) {
		t = from.Add(hour + time.Duration(g.intn(60))*time.Minute)
	}
	if t.After(to.Add(-hour)) {
		t = to.Add(-hour)
	}
	return t
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
