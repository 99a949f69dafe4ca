package synth

import (
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Shares of what happens after deployment.
const (
	employerOfHolds       = 0.80 // of retained passports (destination.passportHeld): by the employer, else its agency
	recruiterHoldsIDCard  = 0.02 // of workers whose passport is not held
	passportReturnedShare = 0.05 // of retained passports: returned during employment
	idCardReturnedShare   = 0.40
	returnedAtExitShare   = 0.85 // of documents still held when the worker leaves (not absconding)
	lumpSumShare          = 0.10 // of reimbursements: not tied to one fee
)

// Repayment of fees is concentrated where a buyer runs a remediation programme, and rare elsewhere.
const (
	remediationShare = 0.125 // of employers: under a buyer's remediation programme
	programmeRepaid  = 0.98  // of the fees their workers paid: repaid
	programmePartial = 0.05  // of those repayments: part of the fee
	strayRepaid      = 0.01  // of the fees other workers paid: repaid all the same
	strayPartial     = 0.50
)

// hold is a document someone other than the worker holds.
type hold struct {
	document string
	by       string
	at       time.Time
}

// exitReasons lists the ways employment ends early, with their probabilities over a contract; absconding is
// likelier for workers whose contract was substituted or whose passport is held.
var exitReasons = []struct {
	reason string
	p      float64
}{
	{"resigned", 0.05}, {"terminated", 0.025}, {"repatriated", 0.015}, {"absconded", 0.03},
	{"deceased", 0.0015}, {"other", 0.005},
}

// retention queues a document held from the worker: a passport taken by the employer on deployment or by
// the destination agency on arrival, or an identity card kept by the recruiter as collateral.
func (g *generator) retention(w *worker) {
	held := w.dst.passportHeld
	switch r := g.rng.Float64(); {
	case r < held*employerOfHolds:
		w.hold = hold{domain.DocPassport, w.jo.employer.id, g.sometime(w.deployed, w.deployed.Add(days(3)))}
	case r < held:
		by := w.jo.employer.id
		if w.jo.destAgency != nil {
			by = w.jo.destAgency.id
		}
		w.hold = hold{domain.DocPassport, by, g.sometime(w.arrived, w.deployed)}
	case r < held+(1-held)*recruiterHoldsIDCard:
		w.hold = hold{domain.DocIDCard, w.recruiter.id, g.sometime(w.recruited, w.recruited.Add(days(10)))}
	default:
		return
	}
	g.add(w.hold.at, &domain.DocumentRetained{WorkerID: w.id, Document: w.hold.document, HeldBy: w.hold.by})
}

// ending queues how employment ends within the dataset, if it does: early (resigned, terminated,
// repatriated, absconded...), or at the end of the contract, when some renew instead.
func (g *generator) ending(w *worker) {
	end := w.deployed.AddDate(0, w.terms.Duration(), 0)
	reason := g.earlyExit(w)
	at := g.sometime(w.deployed.Add(days(20)), end)
	if reason == "" {
		if end.After(g.end) {
			return
		}
		if g.chance(renewalShare) {
			renewed := w.terms
			renewed.Wage = scaleWage(renewed.Wage, 100+g.between(3, 8), w.dst.unit)
			g.sign(w, g.sometime(end.Add(-days(40)), end.Add(-days(10))), domain.StageRenewal, renewed, 0.02, 0.02)
			return
		}
		reason, at = "contract_completed", g.sometime(end, end.Add(days(14)))
	}
	if at.After(g.end) {
		return
	}
	w.exited, w.exitReason = at, reason
	g.add(at, &domain.WorkerExited{WorkerID: w.id, Reason: reason})
}

// earlyExit draws whether, and why, employment ends before the contract does.
func (g *generator) earlyExit(w *worker) string {
	r := g.rng.Float64()
	for _, e := range exitReasons {
		p := e.p
		if e.reason == "absconded" && (w.substituted || w.hold.document == domain.DocPassport) {
			p *= 2.5
		}
		if r < p {
			return e.reason
		}
		r -= p
	}
	return ""
}

// returns queues the return of a held document: during employment for some, when the worker leaves for
// most (not to those who abscond or die).
func (g *generator) returns(w *worker) {
	h := w.hold
	if h.document == "" {
		return
	}
	leftOpenly := !w.exited.IsZero() && w.exitReason != "absconded" && w.exitReason != "deceased"
	share := passportReturnedShare
	if h.document == domain.DocIDCard {
		share = idCardReturnedShare
	}
	var at time.Time
	switch {
	case g.chance(share):
		at = g.sometime(h.at.Add(days(60)), h.at.Add(days(600)))
		if !w.exited.IsZero() && at.After(w.exited) {
			at = w.exited.Add(-time.Duration(g.between(60, 48*60)) * time.Minute)
		}
	case leftOpenly && g.chance(returnedAtExitShare):
		at = w.exited.Add(-time.Duration(g.between(60, 48*60)) * time.Minute)
	default:
		return
	}
	if !at.After(h.at) || at.After(g.end) {
		return
	}
	g.add(at, &domain.DocumentReturned{WorkerID: w.id, Document: h.document})
}

// reimbursements queues repayments of fees the worker paid, within the year or so after deployment: nearly
// all of them, mostly in full, where the job order's employer is under a buyer's remediation programme, and a
// few elsewhere; a few as a lump sum not tied to the fee; mostly by the employer, else by an agency.
func (g *generator) reimbursements(w *worker) {
	repaid, partial := strayRepaid, strayPartial
	if w.jo.employer.remediation {
		repaid, partial = programmeRepaid, programmePartial
	}
	for _, f := range w.paid {
		if !g.chance(repaid) {
			continue
		}
		from := later(f.at, w.deployed).Add(days(14))
		at := g.sometime(from, from.Add(days(400)))
		if at.After(g.end) {
			continue
		}
		cents := f.cents
		if g.chance(partial) {
			cents = min(cents, g.share(cents, 40, 90, f.unit))
		}
		w.nRefunds++
		e := &domain.FeeReimbursed{
			WorkerID: w.id, ReimbursementID: w.id + "-r" + strconv.Itoa(w.nRefunds), FeeID: f.id,
			Amount: money(cents, f.cur), PaidBy: g.reimburser(w),
		}
		if g.chance(lumpSumShare) {
			e.FeeID = ""
		}
		g.add(at, e)
	}
}

// reimburser is who repays a worker: the employer (70%), the origin agency (20%) or the destination agency.
func (g *generator) reimburser(w *worker) string {
	switch r := g.rng.Float64(); {
	case r < 0.2:
		return w.jo.originAgency[w.o].id
	case r < 0.3 && w.jo.destAgency != nil:
		return w.jo.destAgency.id
	}
	return w.jo.employer.id
}
