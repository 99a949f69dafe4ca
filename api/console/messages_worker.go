package console

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// workerLang is a language of the worker's pages: its ISO 639-1 code (as WorkerRecruited.languages and
// WorkerReported.language carry it), its own name, as the switcher shows it, and its text.
type workerLang struct {
	Code string
	Name string
	Text map[string]string
}

// Tag is the language's tag in the catalogue.
func (l workerLang) Tag() language.Tag { return language.Make(l.Code) }

// workerLanguages are the languages of the worker's pages, in the order the switcher lists them. Every
// language but English was drafted without a native speaker and awaits review by one (README, "Worker access
// links and the worker's own page"); each file messages_worker_<code>.go says so at its top.
var workerLanguages = []workerLang{
	{"en", "English", workerEnglish},
	{"ne", "नेपाली", workerNepali},
	{"bn", "বাংলা", workerBengali},
	{"hi", "हिन्दी", workerHindi},
	{"id", "Bahasa Indonesia", workerIndonesian},
	{"tl", "Tagalog", workerTagalog},
}

// workerEnglish is the worker's pages' text in English, by key. The pages never use the console's catalogue:
// a test renders them in a pseudo-language and finds no English left.
var workerEnglish = map[string]string{
	"w.app":          "fairtrail",
	"w.skip":         "Skip to your record",
	"w.langs":        "Language",
	"w.footer":       "This page shows only what has been recorded about your recruitment. Nobody else can see it through this link. Keep the link private.",
	"w.title":        "Your recruitment record",
	"w.intro":        "This is what employers and agencies have recorded about your recruitment. If something is wrong or missing, tell us below.",
	"w.report.link":  "Report a problem",
	"w.closed.title": "This link does not work",
	"w.closed.body":  "The link may be mistyped, or it may have expired or been withdrawn. Ask the organisation that gave you the contract, or a worker organisation you trust, for a new link.",
	"w.busy.title":   "Too many attempts",
	"w.busy.body":    "Please wait a minute, then try again.",
	"w.error.title":  "This page cannot be shown now",
	"w.error.body":   "Please try again later.",
	"w.csrf":         "The form has expired. Go back, reload the page and try again.",

	"w.promised":        "What you were promised",
	"w.promised.intro":  "The job you were recruited for, as the employer offered it.",
	"w.promised.none":   "No job offer has been recorded.",
	"w.term.position":   "Job",
	"w.term.employer":   "Employer",
	"w.term.wage":       "Monthly wage",
	"w.term.hours":      "Hours of work a week",
	"w.term.rest":       "Rest days a week",
	"w.term.duration":   "Length of the contract",
	"w.term.months":     "%d months",
	"w.term.worksite":   "Place of work",
	"w.term.deductions": "Deductions from your wage",
	"w.term.benefits":   "Benefits",
	"w.none":            "none",

	"w.contracts":          "Your contracts",
	"w.contracts.none":     "No contract has been recorded.",
	"w.contract":           "Contract %s, signed on %s",
	"w.stage":              "Stage: %s",
	"w.contract.same":      "No term of this contract is worse than what you were promised.",
	"w.contract.vsjob":     "Compared with the job offer:",
	"w.contract.vsearlier": "Compared with your earlier contract %s:",
	"w.contract.short":     "You may be paid %s less over the contract than you were promised.",
	"w.diff.wage":          "Your monthly wage is %s; you were promised %s.",
	"w.diff.hours":         "You work %d hours a week; you were promised %d.",
	"w.diff.rest":          "You have %d rest days a week; you were promised %d.",
	"w.diff.duration":      "Your contract lasts %d months; you were promised %d.",
	"w.diff.position":      "Your job is %s; you were promised %s.",
	"w.diff.employer":      "Your employer is %s; you were promised %s.",
	"w.diff.worksite":      "You work in %s; you were promised %s.",
	"w.diff.deduction":     "A deduction from your wage for %s is %s; you were promised %s.",
	"w.diff.other":         "The term %s changed.",
	"w.deduction":          "%s: %s",

	"w.fees":          "Fees you paid",
	"w.fees.intro":    "Fees recorded as paid by you. Under the rules that apply, some must be paid back to you.",
	"w.fees.none":     "No fee paid by you has been recorded.",
	"w.fee":           "You paid %s for %s to %s on %s.",
	"w.fee.owed":      "%s must be paid back to you by %s.",
	"w.fee.owednodue": "%s must be paid back to you.",
	"w.fee.back":      "%s has been paid back so far.",
	"w.fee.total":     "In all you paid %s. Paid back: %s. Still owed to you: %s.",

	"w.docs":      "Your documents held by others",
	"w.docs.none": "No document of yours is recorded as held by anyone else.",
	"w.doc":       "Your %s has been held by %s since %s.",
	"w.doc.back":  "It was given back on %s.",

	"w.receipts":       "Proof of each record",
	"w.receipts.intro": "Each record is kept in a public log that cannot be changed without it showing. This number and code prove the record exists, now and later.",
	"w.receipt":        "Receipt: log entry %s, code %s",
	"w.receipt.none":   "This record has no receipt yet.",
	"w.record":         "%s, on %s",

	"w.report.title":    "Report a problem",
	"w.report.intro":    "Tell us what is wrong. Your report is recorded with your record. Answer only what you know; all fields but the first are optional.",
	"w.report.kind":     "What is the problem?",
	"w.report.fee":      "About a fee",
	"w.report.category": "What was the fee for?",
	"w.report.amount":   "How much did you pay?",
	"w.report.currency": "Currency (for example NPR, MYR)",
	"w.report.paidon":   "When did you pay?",
	"w.report.term":     "About your contract",
	"w.report.which":    "Which term?",
	"w.report.promised": "What were you promised?",
	"w.report.actual":   "What do you actually get?",
	"w.report.doc":      "About a document",
	"w.report.document": "Which document?",
	"w.report.note":     "Anything else you want to say",
	"w.report.notehelp": "This text is kept apart from your record and can be deleted if you ask.",
	"w.report.send":     "Send the report",
	"w.report.choose":   "Choose",
	"w.report.sent":     "Thank you. Your report was recorded.",
	"w.report.problem":  "Please correct: %s",
	"w.report.back":     "Back to your record",
	"w.report.off":      "Reports cannot be sent from this page yet.",

	"w.bad.kind":     "choose what the problem is",
	"w.bad.category": "choose what the fee was for",
	"w.bad.amount":   "write the amount as a number, such as 25000 or 1500.50",
	"w.bad.currency": "write the currency as three letters, such as NPR",
	"w.bad.date":     "write the date as year-month-day",
	"w.bad.term":     "choose which term",
	"w.bad.document": "choose which document",
	"w.bad.text":     "this text is too long",

	"w.kind.fee_not_recorded":   "I paid a fee that is not recorded",
	"w.kind.fee_amount_differs": "I paid more than is recorded",
	"w.kind.contract_differs":   "My contract is different from what I was promised",
	"w.kind.document_held":      "Someone is keeping my passport or another document",
	"w.kind.deception":          "I was deceived about the job",
	"w.kind.threat":             "I was threatened",
	"w.kind.other":              "Something else",

	"w.cat.recruitment_fee": "recruitment fee", "w.cat.medical": "medical check", "w.cat.insurance": "insurance",
	"w.cat.skills_test": "skills test", "w.cat.training": "training", "w.cat.equipment": "equipment",
	"w.cat.travel": "travel", "w.cat.visa": "visa", "w.cat.documents": "documents and permits",
	"w.cat.deposit": "deposit or bond", "w.cat.bribe": "bribe", "w.cat.other": "something else",

	"w.doc.passport": "passport", "w.doc.id_card": "identity card", "w.doc.work_permit": "work permit",
	"w.doc.contract": "contract", "w.doc.other": "document",

	"w.termname.wage": "wage", "w.termname.hours_per_week": "hours of work", "w.termname.rest_days_per_week": "rest days",
	"w.termname.duration_months": "length of the contract", "w.termname.position": "job",
	"w.termname.employer_id": "employer", "w.termname.worksite": "place of work", "w.termname.deductions": "deductions",

	"w.stage.pre_departure": "before departure", "w.stage.at_departure": "at departure",
	"w.stage.post_arrival": "after arrival", "w.stage.renewal": "renewal",

	"w.per.hour": "%s an hour", "w.per.day": "%s a day", "w.per.week": "%s a week", "w.per.month": "%s a month",

	"w.type.WorkerRecruited": "You were recruited", "w.type.FeePaid": "A fee was paid",
	"w.type.FeeReimbursed": "Money was paid back to you", "w.type.LoanTaken": "A loan was taken",
	"w.type.ContractSigned": "A contract was signed", "w.type.VisaIssued": "A visa was issued",
	"w.type.WorkerDeparted": "You left your country", "w.type.WorkerArrived": "You arrived",
	"w.type.WorkerDeployed": "You started work", "w.type.DocumentRetained": "A document of yours was kept",
	"w.type.DocumentReturned": "A document was given back", "w.type.WorkerExited": "Your employment ended",
	"w.type.WorkerReported":       "You or someone for you reported a problem",
	"w.type.WorkerReportResolved": "A report was answered", "w.type.other": "A record",

	"w.reports": "Your reports", "w.reported": "On %s you reported: “%s”", "w.report.open": "Not answered yet.",
	"w.outcome.substantiated": "Answered: it was found to be true.", "w.outcome.remediated": "Answered: it was put right.",
	"w.outcome.not_substantiated": "Answered: it could not be shown to be true.",
	"w.outcome.withdrawn":         "Answered: the report was withdrawn.",
}

// workerCatalogue holds the worker's pages' text in every language of workerLanguages, built at the first
// page (see catalogue).
var workerCatalogue = sync.OnceValue(buildWorkerCatalogue)

func buildWorkerCatalogue() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, l := range workerLanguages {
		for k, v := range l.Text {
			_ = b.SetString(l.Tag(), k, v) // a plain string: it cannot fail
		}
	}
	return b
}

// workerLanguage picks the language of a worker's page: the one the visitor chose (lang=), else the first of
// the worker's recorded languages the pages have, else the browser's, else English.
func workerLanguage(r *http.Request, recorded []string) workerLang {
	if l, ok := supportedLanguage(r.FormValue("lang")); ok {
		return l
	}
	for _, code := range recorded {
		if l, ok := supportedLanguage(code); ok {
			return l
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	for _, t := range tags {
		if base, conf := t.Base(); conf != language.No {
			if l, ok := supportedLanguage(base.String()); ok {
				return l
			}
		}
	}
	return workerLanguages[0]
}

// supportedLanguage finds a language of the pages by its code ("fil", Filipino, is read as Tagalog).
func supportedLanguage(code string) (workerLang, bool) {
	code = strings.ToLower(code)
	if code == "fil" {
		code = "tl"
	}
	i := slices.IndexFunc(workerLanguages, func(l workerLang) bool { return l.Code == code })
	if i < 0 {
		return workerLang{}, false
	}
	return workerLanguages[i], true
}

// workerPrinter prints the worker's pages in one of workerLanguages.
func workerPrinter(l workerLang) *message.Printer {
	return message.NewPrinter(l.Tag(), message.Catalog(workerCatalogue()))
}
