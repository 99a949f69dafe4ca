package projections

import (
	"github.com/fairtrail/fairtrail/domain"
)

// baseline is what later contracts are compared with: the first contract signed before departure (at or
// before the moment the worker left), else the job order's terms the worker was recruited on.
type baseline struct {
	terms      domain.Terms
	contract   int // index of the baseline contract, -1 for the job order
	eventID    domain.EventID
	describeAs string
}

func baselineOf(ws *workerState) (baseline, bool) {
	// Contracts are in business-time order: if the first was not signed before departure, none was.
	if left := ws.departure(); len(ws.contracts) > 0 && (left == nil || !ws.contracts[0].OccurredAt.After(left.OccurredAt)) {
		c := ws.contracts[0]
		return baseline{terms: c.contract.Terms, contract: 0, eventID: c.ID,
			describeAs: "contract " + c.contract.ContractID}, true
	}
	if tv, ok := ws.promisedTerms(); ok {
		return baseline{terms: tv.Terms, contract: -1, eventID: tv.eventID, describeAs: "job order " + ws.jobOrderID()}, true
	}
	return baseline{}, false
}

// compareContracts compares each contract after the baseline with it: nil for the baseline, the contracts
// before it, and every contract of a worker without one.
func compareContracts(ws *workerState) []*Comparison {
	out := make([]*Comparison, len(ws.contracts))
	if !ws.hasBase {
		return out
	}
	for i, c := range ws.contracts {
		if i > ws.base.contract {
			cmp := Compare(ws.base.terms, c.contract.Terms)
			out[i] = &cmp
		}
	}
	return out
}

func (v *View) contractReports(ws *workerState) []ContractReport {
	out := make([]ContractReport, 0, len(ws.contracts))
	base, hasBase := ws.base, ws.hasBase
	left := ws.departure()
	for i, c := range ws.contracts {
		e := c.contract
		cr := ContractReport{EventID: c.ID.String(), ContractID: e.ContractID, Stage: e.Stage, SignedAt: c.OccurredAt,
			Language: e.Language, WorkerCopy: e.HasWorkerCopy(), Terms: e.Terms, Changes: []Change{},
			MonthlyWage:     domain.Money{Amount: domain.Amount(domain.FormatAmount(e.Terms.MonthlyWage(2))), Currency: e.Terms.Wage.Currency},
			SignedAfterLeft: left != nil && c.OccurredAt.After(left.OccurredAt)}
		switch cmp := ws.compared[i]; {
		case hasBase && base.contract == i:
			cr.Baseline = true
		case cmp != nil:
			cr.ComparedWith, cr.Changes, cr.WageShortfall = base.describeAs, orEmpty(cmp.Changes), cmp.Shortfall
			cr.LessFavourable = len(cmp.Changes) > 0
		}
		out = append(out, cr)
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
