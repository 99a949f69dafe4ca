package projections

import (
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// substitutionFlags: contract.substitution, a contract after the baseline less favourable than it.
func substitutionFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	var out []domain.Flag
	for i, c := range ws.contracts {
		cmp := ws.compared[i]
		if cmp == nil || len(cmp.Changes) == 0 {
			continue
		}
		f := flagFor(domain.FlagContractSubstitution, ws.owner(), c.OccurredAt, ws.base.eventID, c.ID)
		f.Details = ContractSubstitutionDetails{Baseline: ws.base.describeAs, Changes: cmp.Changes,
			ContractID: c.contract.ContractID, EstimatedWageShortfall: cmp.Shortfall, Stage: c.contract.Stage}
		if cmp.Shortfall != nil {
			f.Amounts = []domain.Money{*cmp.Shortfall}
		}
		out = append(out, f)
	}
	return out
}

// languageFlags: contract.language, a contract in none of the languages the worker reads (not judged when the
// recruitment names none).
func languageFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	langs := ws.languages()
	if len(langs) == 0 {
		return nil
	}
	var out []domain.Flag
	for _, c := range ws.contracts {
		if slices.Contains(langs, c.contract.Language) {
			continue
		}
		f := flagFor(domain.FlagContractLanguage, ws.owner(), c.OccurredAt, c.ID)
		f.Details = ContractLanguageDetails{ContractID: c.contract.ContractID, Language: c.contract.Language,
			WorkerLanguages: langs}
		out = append(out, f)
	}
	return out
}

// noWorkerCopyFlags: contract.no_worker_copy, a contract the worker was given no copy of.
func noWorkerCopyFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, c := range ws.contracts {
		if c.contract.HasWorkerCopy() {
			continue
		}
		f := flagFor(domain.FlagContractNoWorkerCopy, ws.owner(), c.OccurredAt, c.ID)
		f.Details = NoWorkerCopyDetails{ContractID: c.contract.ContractID, Stage: c.contract.Stage}
		out = append(out, f)
	}
	return out
}

// belowJobOrderFlags: contract.below_job_order, the first contract signed is less favourable than the job
// order's terms the worker was recruited on.
func belowJobOrderFlags(ws *workerState, _ *ruleContext) []domain.Flag {
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
	f.Details = BelowJobOrderDetails{Changes: cmp.Changes, ContractID: first.contract.ContractID,
		EstimatedWageShortfall: cmp.Shortfall, JobOrderTermsEventID: promised.EventID, Stage: first.contract.Stage}
	if cmp.Shortfall != nil {
		f.Amounts = []domain.Money{*cmp.Shortfall}
	}
	return []domain.Flag{f}
}

// missingBeforeFlags: contract.missing_before_departure, the worker left (or was deployed) with no contract
// signed by that moment.
func missingBeforeFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	left := ws.departure()
	if left == nil || len(ws.contracts) > 0 && !ws.contracts[0].OccurredAt.After(left.OccurredAt) {
		return nil
	}
	f := flagFor(domain.FlagContractMissingBefore, ws.owner(), left.OccurredAt, left.ID)
	f.Details = MissingBeforeDepartureDetails{LeftAt: left.OccurredAt, LeftBy: left.Type}
	return []domain.Flag{f}
}

// signedAfterFlags: contract.signed_after_departure, the first contract came after the worker left.
func signedAfterFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	left := ws.departure()
	if left == nil || len(ws.contracts) == 0 || !ws.contracts[0].OccurredAt.After(left.OccurredAt) {
		return nil
	}
	first := ws.contracts[0]
	f := flagFor(domain.FlagContractSignedAfter, ws.owner(), first.OccurredAt, left.ID, first.ID)
	f.Details = SignedAfterDepartureDetails{ContractID: first.contract.ContractID, LeftAt: left.OccurredAt,
		SignedAt: first.OccurredAt, Stage: first.contract.Stage}
	return []domain.Flag{f}
}
