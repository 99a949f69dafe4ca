package console

import (
	"net/http"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// english is the catalogue's text in English, by key. Another language is a map like it, added to catalogue
// under its tag; printer picks the visitor's language from Accept-Language.
var english = map[string]string{
	"app.name":   "fairtrail",
	"app.footer": "fairtrail — an open record of how migrant workers are recruited. Every figure comes from recorded events.",
	"nav.skip":   "Skip to content", "nav.label": "Main", "nav.overview": "Overview", "nav.flags": "Flags",
	"nav.audit": "Audit", "nav.agencies": "Agencies", "nav.signout": "Sign out",

	"signin.title":   "Sign in",
	"signin.intro":   "Sign in with your organisation's fairtrail API key. The key stays on the server; your browser keeps only a session cookie.",
	"signin.key":     "API key",
	"signin.submit":  "Sign in",
	"signin.missing": "Enter an API key.",
	"signin.unknown": "That key is unknown or has been revoked.",
	"signin.role":    "Metrics keys cannot sign in to the console.",

	"error.notfound":    "Not found",
	"error.invalid":     "That query cannot be answered",
	"error.csrf":        "The form has expired; go back, reload the page and try again",
	"error.crosssite":   "Cross-site request refused",
	"error.session":     "Your session has ended; sign in again",
	"error.unavailable": "The service cannot answer now; retry shortly",
	"error.internal":    "Something went wrong on our side",
	"error.back":        "Back to the overview",

	"filter.label": "Filters", "filter.time": "Point in time", "filter.asof": "As of (business date)",
	"filter.knownat": "Known at (record date)", "filter.apply": "Apply", "filter.buyer": "Buyer",
	"filter.choose": "Choose a buyer", "filter.what": "Which flags", "filter.code": "Code or prefix",
	"filter.employer": "Employer", "filter.agency": "Agency", "filter.joborder": "Job order",

	"overview.title": "Overview", "overview.figures": "Key figures", "overview.open": "Open flags",
	"overview.flagged": "Workers flagged", "overview.ofworkers": "%d of %d",
	"overview.paid": "Fees paid by workers", "overview.reimbursed": "Paid back",
	"overview.owed": "Still owed back", "overview.charts": "Charts",
	"overview.bycode": "Open flags by code", "overview.bycode.label": "Code",
	"overview.bymonth": "New flags per month", "overview.bymonth.label": "Month",
	"overview.worst": "Most flagged workers", "overview.employers": "Employers", "overview.agencies": "Agencies",
	"chart.count": "Flags", "chart.empty": "No flags.",

	"flags.title": "Flags", "flags.count": "%d flags match.", "flags.caption": "Flags %d to %d of %d",
	"flags.none": "No flags match these filters.", "flags.pages": "Pages", "flags.prev": "Previous page",
	"flags.next": "Next page", "flags.page": "Page %d", "table.pages": "Pages of the table",
	"download.csv": "Download CSV", "download.json": "Download JSON",

	"audit.title": "Audit", "audit.rollup": "Roll-up", "audit.by": "Group by", "audit.caption": "Groups %d to %d of %d",
	"agencies.title": "Agencies", "agencies.scope": "Scope",
	"agencies.minworkers": "Least workers for the clean list",
	"agencies.intro":      "Each agency's workers are those it recruited and those of every job order it is engaged on. Substitution counts workers with a contract.substitution or contract.below_job_order flag; months are the median recruitment cost in months of wages.",
	"agencies.clean":      "Clean agencies: at least %d workers, no fee, contract or document flag",
	"agencies.cleanline":  "%d workers on %d job orders", "agencies.noclean": "No agency meets this yet.",
	"agencies.scorecards": "Scorecards", "agencies.caption": "Agencies %d to %d of %d", "agencies.cleantag": "clean",
	"agencies.order.risk":    "Riskiest first: share of workers flagged, then substitution rate, then worker-paid fees in the reporting currency, then flagged workers.",
	"agencies.order.workers": "Most workers first.", "agencies.order.name": "By name.",
	"agencies.notconverted": "not converted: %s",
	"licence.licensed":      "licensed to %s", "licence.expired": "expired on %s", "licence.none": "no licence",
	"licence.not_registered": "not registered",
	"col.agency":             "Agency", "col.licence": "Licence", "col.shareflagged": "Flagged workers",
	"col.substitution": "Substituted contracts", "col.inreporting": "Worker-paid in %s", "col.months": "Months of wages (median)",
	"group.buyer": "Buyer", "group.employer": "Employer", "group.agency": "Agency", "group.job-order": "Job order",

	"currency.legend": "Money", "currency.label": "Also in", "currency.original": "Original currencies only",
	"currency.note":         "Converted into %s: each amount at its own date through the latest rates published on or before that day, rounded to cents per amount, then added up.",
	"currency.notconverted": "Not converted (no rate on or before the day): %s",
	"overview.incurrency":   "In %s",
	"overview.overdue":      "Overdue",
	"audit.remediation":     "Remediation in %s",
	"audit.months":          "Recruitment cost in months of wages",
	"col.inpaid":            "Worker-paid", "col.owedback": "Owed back", "col.outstanding": "Outstanding",
	"col.repaid": "Repaid", "col.overdue": "Overdue", "col.notconverted": "Not converted", "col.median": "Median",
	"col.mean": "Mean", "col.abovemonth": "Above 1 month", "col.withfigure": "Workers with a figure",
	"col.converted":     "In %s",
	"worker.months":     "Recruitment cost: %s months of wages (paid %s; monthly wage %s, from %s).",
	"worker.nomonths":   "Recruitment cost in months of wages: none (%s).",
	"worker.incurrency": "In %s: paid by the worker %s; owed back %s; paid back %s; still owed %s; overdue %s.",
	"col.code":          "Code", "col.raised": "Raised", "col.worker": "Worker", "col.joborder": "Job order",
	"col.buyers": "Buyers", "col.amounts": "Amounts", "col.org": "Organisation", "col.flagged": "Flagged workers",
	"col.workers": "Workers", "col.key": "Group", "col.joborders": "Job orders", "col.paid": "Worker-paid fees",
	"col.owed": "Owed back", "col.shortfall": "Wage shortfall", "col.employer": "Employer",
	"col.recruitedby": "Recruited by", "col.origin": "Origin", "col.status": "Status", "col.term": "Term",
	"col.date": "Date", "col.fee": "Fee", "col.amount": "Amount", "col.paidby": "Paid by", "col.paidto": "Paid to",
	"col.method": "Method", "col.reimbursed": "Paid back", "col.deadline": "Pay back by", "col.label": "Label",

	"worker.title": "Worker %s", "worker.flags": "Flags", "worker.noflags": "No flags.",
	"worker.raised": "raised %s", "worker.evidence": "Evidence:",
	"worker.contracts":        "Contract versions",
	"worker.contractscaption": "Each contract the worker signed, side by side; a term marked changed is worse than the baseline.",
	"worker.baseline":         "baseline", "worker.changed": "changed: %s", "worker.shortfall": "Estimated wage shortfall",
	"worker.nocontracts": "No contract recorded.", "worker.fees": "Fee ledger",
	"worker.feescaption": "Fees paid, what must be paid back and by when", "worker.nofees": "No fees recorded.",
	"worker.totals":    "Paid by the worker: %s. Paid back: %s. Still owed: %s.",
	"worker.documents": "Documents held", "worker.document": "%s held by %s since %s",
	"worker.returned": "(returned %s)", "worker.nodocuments": "No documents held by others.",
	"worker.reports":        "Reports",
	"worker.reportscaption": "What the worker reported, through which channel, and how each report was resolved",
	"worker.noreports":      "No reports.", "worker.reportopen": "open since %s",
	"worker.reportresolved": "%s on %s, by %s",
	"col.report":            "Report", "col.what": "What was reported", "col.recordedby": "Recorded by",
	"col.resolution":  "Resolution",
	"worker.timeline": "Timeline", "worker.isevidence": "evidence of a flag",
	"worker.recorded": "recorded %s by %s",
	"worker.receipt":  "Log leaf %d, event hash",

	"link.heading": "Worker's access links", "link.caption": "Links made for this worker; a revoked or expired link opens nothing",
	"link.id": "Link", "link.by": "Made by", "link.created": "Made", "link.until": "Works until",
	"link.revoke": "Revoke", "link.revokeone": "Revoke link %s",
	"link.status.live": "live", "link.status.revoked": "revoked", "link.status.expired": "expired",
	"link.make":     "Make an access link for this worker",
	"link.makehelp": "The worker opens their own record and can report a problem through it, in their language. The link is shown once: print it on the worker's copy of the contract.",
	"link.title":    "Access link for worker %s", "link.once": "This link is shown only now. Print it or copy it before leaving this page.",
	"link.print": "Print this code and link on the worker's copy of the contract.", "link.url": "Link",
	"link.expires": "The link works until %s, unless it is revoked.", "link.back": "Back to the worker",
	"link.qr": "QR code of the link",

	"joborder.title": "Job order %s", "joborder.headcount": "Headcount", "joborder.origins": "Origin countries",
	"joborder.closed": "Closed", "joborder.chain": "Recruitment chain",
	"joborder.chainhelp":   "Who engaged whom, from the employer down, with the workers each recruited. An agency marked undisclosed recruited workers without being engaged on this job order.",
	"joborder.undisclosed": "undisclosed", "joborder.recruited": "recruited %d", "joborder.flagged": "flagged",
	"joborder.terms": "Terms versions", "joborder.from": "From %s:", "joborder.noterms": "No terms recorded.",
	"joborder.payments": "Payments", "joborder.nopayments": "No payments recorded.",
}

// catalogue holds every language's text, built at the first page rather than when the package starts: every
// command of the binary would otherwise build it (about a third of a cold CLI process's package set-up).
var catalogue = sync.OnceValue(buildCatalogue)

func buildCatalogue() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, v := range english {
		_ = b.SetString(language.English, k, v) // a plain string: it cannot fail
	}
	return b
}

// printer prints in the language of the request that the catalogue has, English otherwise.
func printer(r *http.Request) *message.Printer {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	tag, _, _ := catalogue().Matcher().Match(tags...)
	return message.NewPrinter(tag, message.Catalog(catalogue()))
}
