// Package interviews reads auditors' interview findings from a spreadsheet (CSV, or the first sheet of an
// XLSX workbook) and stores them as WorkerReported events (spec section 8), with each finding's free text in
// the erasable note store.
//
// One row is one finding. Row 1 is the header; its names are matched without regard to case, spaces and
// underscores being the same, in any order. Blank rows are skipped.
//
//	column     required            becomes
//	worker     yes                 worker_id (the worker must be in the store)
//	date       yes                 occurred_at: the day of the interview, 2025-03-04 (midnight UTC) or an
//	                               RFC 3339 date-time; in XLSX also a date cell
//	kind       yes                 kind: fee_not_recorded, fee_amount_differs, contract_differs, document_held,
//	                               deception, threat, other
//	category   with a fee          fee.category (recruitment_fee, medical, ..., other)
//	amount     with a fee          fee.amount.amount: a decimal such as 1500.00, >= 0, no separators
//	currency   with a fee          fee.amount.currency (ISO 4217)
//	payee      no                  fee.payee_id
//	paid_on    no                  fee.paid_on (a date)
//	method     no                  fee.method (cash, bank_transfer, loan, wage_deduction, other)
//	term       no                  contract_term.term (wage, hours_per_week, ...), with promised and actual
//	promised   no                  contract_term.promised (the worker's words)
//	actual     no                  contract_term.actual
//	document   no                  document.document (passport, id_card, work_permit, contract, other)
//	held_by    no                  document.held_by
//	channel    no (interview)      channel: interview, exit_interview, worker_organisation, hotline, other
//	language   no (--language)     language (ISO 639-1) the interview was held in
//	note       no                  the free text: saved in the note store; the event carries note_sha256
//	report_id  no (derived)        report_id
//
// A fee is recorded when any of category, amount, currency, payee, paid_on or method is given. The report_id
// and event id are derived from the row's content (and, for identical rows, their order), so importing the same
// sheet again adds nothing. recorded_by is the auditor or worker organisation that held the interviews.
//
// The whole sheet is checked before anything is stored: a sheet with any bad cell stores nothing, and every
// problem is named by its row (as the spreadsheet numbers it) and column letter. So does a sheet with a row whose
// event id is stored for a different event (Store: the row and event_id named).
package interviews
