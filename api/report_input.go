package api

// WorkerReport is a report made on a worker's own page, as its form gives it: every field a string, checked
// when it is recorded. Free text (Note) never goes into the event: it is kept in the note store and the event
// carries its SHA-256 (spec section 8).
type WorkerReport struct {
	// Kind is one of section 8's kinds (fee_not_recorded, fee_amount_differs, contract_differs, ...).
	Kind string
	// Language is the page's language (ISO 639-1), recorded as the report's language.
	Language string
	// FeeCategory, FeeAmount, FeeCurrency and FeePaidOn describe a fee; all empty when the report names none.
	FeeCategory, FeeAmount, FeeCurrency, FeePaidOn string
	// Term, Promised and Actual describe a contract term, as the worker gave them.
	Term, Promised, Actual string
	// Document is a document the worker says someone holds.
	Document string
	// Note is what else the worker wrote.
	Note string
}
