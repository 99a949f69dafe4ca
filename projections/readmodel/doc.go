// Package readmodel keeps fairtrail's read model on disk, in a SQLite database in WAL mode, up to date with an
// event store: per worker its judgement (projections.Judgement), per job order its own flags, an ordered flag
// index with the scopes a listing seeks within, and audit rollups per buyer, employer, agency and job order
// maintained as judgements change. Its checkpoint is written in the transaction that writes what it
// describes, so a crash loses nothing but the events after it, which the next CatchUp applies again.
//
// A model is rebuilt from the store, never trusted, when it was written by other rules (projections.Rules),
// is missing, or is ahead of the store or holds at its checkpoint an event the store does not (a store
// restored from a backup). A model opened with Options.ReadOnly (a finished import read by a benchmark, a
// backup, a read-only mount) is never written: a catch-up only checks it is current, and fails with
// ErrReadOnly where it would apply events or rebuild.
//
// A rebuild of a store larger than a shard that no other process shares the model with (each holds a shared
// flock on readmodel.sqlite.lock while it has the model open) writes the new model into readmodel.sqlite.rebuild, with no journal, and renames
// it over the model once it is complete and on disk: each byte written once, where a rebuild inside the model
// writes it into the write-ahead log and the checkpoint copies it again. A process that opens the model waits
// for such a rebuild; a rebuild killed midway leaves the old model and the file, removed by the next open or
// rebuild. Shared with another process, a rebuild writes inside the model in one transaction, as readers of
// the other process see nothing of it until it commits. See modelfile.go for why the rename is safe for this
// process's reads in progress.
//
// The tables are meant to be read by an auditor with the sqlite3 shell as well (see Schema):
//
//	meta               key/value: rules, checkpoint (commit, prepare, stream, revision, event id)
//	context_events     every event that is not a worker's (job orders, policies, organisations, exchange
//	                   rates), as stored; the organisations' registrations indexed by stream (schema 17)
//	context_snapshot   two rows (part): the context_events of no job order, the organisations' ("orgs") and
//	                   the policies and rates ("rest"), each in order as one value (see snapshot.go), under the
//	                   signature of the rows it was made from; a cold query reads them instead of those rows,
//	                   a view of a few workers "rest" alone and each organisation it names from its rows
//	orgs               organisation id, name and role (the last registration), and the name in lower case
//	                   (sort_name) the agencies' order by name seeks in
//	workers            per worker: job order, employer, buyers, agencies (JSON), flag count, its
//	                   contribution to the rollups (JSON: flag counts by code, money per currency, months of
//	                   wages) and its ledger (compact JSON, see encodeLedger: every amount with the instant it
//	                   converts at, and its months of wages), which an audit in a reporting currency converts
//	                   without judging the worker again
//	recruitments       (worker, job order) for each job order a worker was recruited for besides the one
//	                   workers records (an admin's later recruitment for another job order): a job order's
//	                   workers are those of both tables
//	job_orders         per job order: its contribution to the rollups (JSON)
//	flags              every flag, clustered in listing order by its key k (raised_at, code, worker, job order,
//	                   evidence; WITHOUT ROWID, so a listing reads the table in order): its code, worker,
//	                   job order, buyers and evidence, raised_at (raised_s, raised_n), and in rest its JSON
//	                   after raised_at, its details' rules array referenced by id (see flagRow);
//	                   clocked=1 for fee.reimbursement_overdue and worker.report_open, raised only once the
//	                   clock has passed raised_at
//	flags_json         a view: every flag's JSON as the CLI and API print it, put together as IndexedFlag.AppendJSON does
//	flag_rules         (id, rules): each rules array of the flags' details, stored once
//	scopes             (id, name): the flag scopes, "buyer:ID", "employer:ID" or "agency:ID"
//	flag_scopes        (scope, k) for a listing scoped to a scope, by its id in scopes
//	rollups            per (scope, grouping, key): workers, flagged workers, flags by code, money, and workers
//	                   with a contract substitution flag; scope is "" for every supply chain or a buyer id for
//	                   that buyer's; grouping "all" (key "") is the scope's total, each worker counted once;
//	                   job_orders counts its rollup_job_orders rows. Indexes on (scope, grouping) and workers,
//	                   flagged workers, job orders or the risk order's shares let a page of the audit or of the
//	                   agencies seek its rows in its order (window.go)
//	rollup_job_orders  the job orders counted in each rollup, with how many contributions name each
//	rollup_months      per rollup row and months of wages, the workers it counts with that value (schema 15):
//	                   the row's histogram, a median is read from (rollupMonthsSQL reads it as JSON); a value
//	                   is a worker's Ledger.Months, "1.00+" for a figure of 1.00 above one month's wage
//	                   (schema 19, projections.MonthsOfWages.CountedAs)
//	money_currencies   the reporting currencies whose money the model keeps (serve's --currency, and each
//	                   one an audit or the agencies asked for of a writable model); a rebuild keeps it
//	money_totals       per reporting currency kept, figure, deadline (an outstanding line's), currency the
//	                   total is in and scale: how many amounts and their exact sum (see money.go)
//	rollup_money       money_totals per rollup row of the audit's groupings (scope, grouping, key; schema
//	                   14): an audit in a kept currency reads the rows of the groups it returns
//	money_months       the workers by their recruitment cost in months of wages, valued as in rollup_months
//	flag_months        per (scope, month, code): the flags raised in that month (YYYY-MM, UTC) listed under
//	                   that flag scope ("" for every flag), counting the clocked flags whose time is still
//	                   to come; the overview's charts and a listing's total read it
//	flag_raised        per code, how many flags (other than the clocked ones) were ever added: a
//	                   catch-up counts each flag of a code and time its owner did not hold, a rebuild the growth of
//	                   each code; it only grows, and /metrics reports it as fairtrail_flags_raised_total
//
// A catch-up (a POST /v1/events answers once one has applied its events) judges again the workers its events
// touch and writes their rows and flags: a worker's or a job order's events, the workers they are about; a
// policy's or an organisation's, the workers and job orders whose judgement reads it (see reach.go), unless
// they are more than Options.ReachShare of the workers; an exchange-rates table rebuilds. Their contributions to the rollups, the old one subtracted and the new
// one added, are summed per rollup row first: a row whose changes cancel out is neither read nor written; the
// others are read and written back with their changes added to the stored text of the money (the changed
// entries parsed and written again, the others copied), to their rows of rollup_months (a value's count) and
// of rollup_job_orders (a reference's count, the row's job_orders moved on when one comes to or falls from
// none): what a post writes does not grow with the groups its worker counts under. Text the model writes is in
// the form json.Marshal writes.
package readmodel
