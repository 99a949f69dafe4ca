package projections

import (
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// contractFlags raises the contract.* flags from the contract reports.
func (v *View) contractFlags(ws *workerState, r *WorkerReport) []domain.Flag {
	var out []domain.Flag
	base := ws.base
	for i, cr := range r.Contracts {
		c := ws.contracts[i]
		if cr.LessFavourable {
			f := flagFor(domain.FlagContractSubstitution, ws.owner(), c.OccurredAt, base.eventID, c.ID)
			f.Details = map[string]any{"contract_id": cr.ContractID, "stage": cr.Stage, "baseline": base.describeAs,
				"changes": cr.Changes}
			if cr.WageShortfall != nil {
				f.Amounts = []domain.Money{*cr.WageShortfall}
				f.Details["estimated_wage_shortfall"] = cr.WageShortfall
			}
			out = append(out, f)
		}
		if len(r.Languages) > 0 && !slices.Contains(r.Languages, c.contract.Language) {
			f := flagFor(domain.FlagContractLanguage, ws.owner(), c.OccurredAt, c.ID)
			f.Details = map[string]any{"contract_id": cr.ContractID, "language": c.contract.Language,
				"worker_languages": r.Languages}
			out = append(out, f)
		}
		if !c.contract.HasWorkerCopy() {
			f := flagFor(domain.FlagContractNoWorkerCopy, ws.owner(), c.OccurredAt, c.ID)
			f.Details = map[string]any{"contract_id": cr.ContractID, "stage": cr.Stage}
			out = append(out, f)
		}
	}
	out = append(out, belowJobOrder(ws)...)
	return append(out, departureFlags(ws)...)
}

// belowJobOrder: the first contract signed is less favourable than the job order's terms the worker was
// recruited on.
func belowJobOrder(ws *workerState) []domain.Flag {
	if len(ws.contracts) == 0 {
		return nil
	}
	promised, ok := ws.promisedTerms()
	if !ok {
		return nil
	}
	first := ws.contracts[0]
	cmp := Compare(promised.Terms, first.contract.Terms)
	if len(cmp.Changes) == 0 {
		return nil
	}
	f := flagFor(domain.FlagContractBelowJobOrder, ws.owner(), first.OccurredAt, promised.eventID, first.ID)
	f.Details = map[string]any{"contract_id": first.contract.ContractID, "stage": first.contract.Stage,
		"job_order_terms_event_id": promised.EventID, "changes": cmp.Changes}
	if cmp.Shortfall != nil {
		f.Amounts = []domain.Money{*cmp.Shortfall}
		f.Details["estimated_wage_shortfall"] = cmp.Shortfall
	}
	return []domain.Flag{f}
}

// departureFlags: contract.missing_before_departure (the worker left or was deployed with no contract signed
// by that moment) and contract.signed_after_departure (the first contract came after the worker left).
func departureFlags(ws *workerState) []domain.Flag {
	left := ws.departure()
	if left == nil {
		return nil
	}
	var out []domain.Flag
	if len(ws.contracts) == 0 || ws.contracts[0].OccurredAt.After(left.OccurredAt) {
		f := flagFor(domain.FlagContractMissingBefore, ws.owner(), left.OccurredAt, left.ID)
		f.Details = map[string]any{"left_by": left.Type, "left_at": left.OccurredAt}
		out = append(out, f)
	}
	if len(ws.contracts) > 0 && ws.contracts[0].OccurredAt.After(left.OccurredAt) {
		first := ws.contracts[0]
		f := flagFor(domain.FlagContractSignedAfter, ws.owner(), first.OccurredAt, left.ID, first.ID)
		f.Details = map[string]any{"contract_id": first.contract.ContractID, "stage": first.contract.Stage,
			"signed_at": first.OccurredAt, "left_at": left.OccurredAt}
		out = append(out, f)
	}
	return out
}
