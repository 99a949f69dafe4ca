package narrate

import (
	"fmt"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
)

// reportKinds says what each kind of report claims, after "the worker reported that".
var reportKinds = map[string]string{
	domain.ReportFeeNotRecorded:   "a fee they paid is not recorded",
	domain.ReportFeeAmountDiffers: "a fee they paid was recorded at another amount",
	domain.ReportContractDiffers:  "their contract differs from what they were promised",
	domain.ReportDocumentHeld:     "a document of theirs is held by someone else",
	domain.ReportDeception:        "they were deceived",
	domain.ReportThreat:           "they were threatened",
	domain.ReportOther:            "something is wrong",
}

// reportOutcomes says how a report was resolved.
var reportOutcomes = map[string]string{
	domain.OutcomeSubstantiated:    "substantiated",
	domain.OutcomeRemediated:       "remediated",
	domain.OutcomeNotSubstantiated: "not substantiated",
	domain.OutcomeWithdrawn:        "withdrawn by the worker",
}

// workerReported says what the worker reported, through which channel and in which language, then the fee, term
// and document the report names: "The worker reported (interview, in ne) that a fee they paid is not recorded:
// recruitment fee 150000.00 NPR paid to subagent-3 on 2024-12-02 by cash; report rep-1."
func workerReported(e *domain.WorkerReported) string {
	s := fmt.Sprintf("The worker reported (%s, in %s) that %s", words(e.Channel), e.Language, reportKinds[e.Kind])
	var parts []string
	if f := e.Fee; f != nil {
		fee := words(f.Category) + " " + money(f.Amount) + " paid"
		if f.PayeeID != "" {
			fee += " to " + f.PayeeID
		}
		if f.PaidOn != "" {
			fee += " on " + f.PaidOn
		}
		if f.Method != "" {
			fee += " by " + words(f.Method)
		}
		parts = append(parts, fee)
	}
	if t := e.ContractTerm; t != nil {
		parts = append(parts, fmt.Sprintf("%s promised %s, actually %s", words(t.Term), quoted(t.Promised), quoted(t.Actual)))
	}
	if d := e.Document; d != nil {
		doc := words(d.Document) + " held"
		if d.HeldBy != "" {
			doc += " by " + d.HeldBy
		}
		parts = append(parts, doc)
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	s += "; report " + e.ReportID
	if e.NoteSHA256 != "" {
		s += ", with a note on file"
	}
	return s + "."
}

// reportResolved says how a report ended.
func reportResolved(e *domain.WorkerReportResolved) string {
	s := fmt.Sprintf("Report %s resolved: %s", e.ReportID, reportOutcomes[e.Outcome])
	if e.NoteSHA256 != "" {
		s += ", with a note on file"
	}
	return s + "."
}

// quoted is the worker's own words in quotes, or "not said".
func quoted(s string) string {
	if s == "" {
		return "not said"
	}
	return `"` + s + `"`
}
