package synth

import (
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Shares of contracts.
const (
	noContractShare    = 0.08 // workers with no contract before departure
	lateContractShare  = 0.75 // of those, who sign one on arrival
	lateWorseShare     = 0.50 // of those, whose contract is less favourable than the job order
	substitutionShare  = 0.32 // workers who sign a less favourable contract on arrival (late signers included)
	belowJobOrderShare = 0.10 // first contracts already below the job order's terms
	atDepartureShare   = 0.10 // of contracts before departure: signed at the airport
	renewalShare       = 0.30 // of workers completing their contract within the dataset: renewed
	hashedShare        = 0.60 // contracts with a document hash
	// Of the contracts made less favourable on arrival: with a lower wage. With the first contracts below the
	// job order's, 30-50% of workers end up paid less than promised, as surveys find.
	wageCutShare = 0.85
	// Languages the worker does not speak, and no copy for the worker: before departure, and on arrival.
	foreignBefore, foreignAfter = 0.04, 0.10
	noCopyBefore, noCopyAfter   = 0.05, 0.10
)

// contracts queues the worker's contracts: usually one before departure (at the airport for some), and for
// some a less favourable one on arrival; a few workers sign nothing before departure.
func (g *generator) contracts(w *worker) {
	jo := w.jo
	onArrival := g.sometime(w.arrived, w.deployed)
	if g.chance(noContractShare) {
		if g.chance(lateContractShare) {
			if g.chance(lateWorseShare) {
				w.terms, w.substituted = g.worse(jo.terms, w.dst), true
			}
			g.sign(w, onArrival, domain.StagePostArrival, w.terms, foreignAfter, noCopyAfter)
		}
		return
	}
	first := jo.terms
	if g.chance(belowJobOrderShare) {
		first.Wage = scaleWage(first.Wage, g.between(85, 95), w.dst.unit)
	}
	at, stage := g.sometime(w.departed.Add(-days(20)), w.departed.Add(-day)), domain.StagePreDeparture
	if g.chance(atDepartureShare) {
		at, stage = w.departed.Add(-time.Duration(g.between(120, 360))*time.Minute), domain.StageAtDeparture
	}
	g.sign(w, at, stage, first, foreignBefore, noCopyBefore)
	w.terms = first
	const substituted = (substitutionShare - noContractShare*lateContractShare*lateWorseShare) / (1 - noContractShare)
	if g.chance(substituted) {
		w.terms, w.substituted = g.worse(first, w.dst), true
		g.sign(w, onArrival, domain.StagePostArrival, w.terms, foreignAfter, noCopyAfter)
	}
}

// sign queues a ContractSigned; with probability foreign its language is one the worker does not speak, and
// with probability noCopy the worker gets no copy.
func (g *generator) sign(w *worker, at time.Time, stage string, t domain.Terms, foreign, noCopy float64) {
	w.nContracts++
	workerCopy := &g.yes
	if g.chance(noCopy) {
		workerCopy = &g.no
	}
	c := &domain.ContractSigned{
		WorkerID: w.id, ContractID: w.id + "-c" + strconv.Itoa(w.nContracts), Stage: stage, Terms: t,
		Language: g.contractLanguage(w, foreign), WorkerCopy: workerCopy,
	}
	if g.chance(hashedShare) {
		c.DocumentSHA256 = g.sha256Hex()
	}
	g.add(at, c)
}

// contractLanguage is usually the worker's first language (or another they speak); with probability foreign,
// a language of the destination or English that the worker does not speak.
func (g *generator) contractLanguage(w *worker, foreign float64) string {
	if g.chance(foreign) {
		langs := w.dst.languages
		for i, k := 0, g.intn(len(langs)); i < len(langs); i++ {
			if l := langs[(k+i)%len(langs)]; !speaks(w.langs, l) {
				return l
			}
		}
		if !speaks(w.langs, "en") {
			return "en"
		}
	}
	if len(w.langs) > 1 && g.chance(0.25) {
		return w.langs[1]
	}
	return w.langs[0]
}

// speaks reports whether lang is one of langs.
func speaks(langs []string, lang string) bool {
	for _, l := range langs {
		if l == lang {
			return true
		}
	}
	return false
}
