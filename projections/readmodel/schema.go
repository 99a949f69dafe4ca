package readmodel

// Schema creates the tables and their indexes; SchemaVersion is recorded with the rules, so a model of another
// layout is rebuilt.
const Schema = tablesSchema + indexSchema

// tablesSchema creates the tables without their secondary indexes, which a rebuild creates once the rows are
// in (indexSchema): an index built by sorting every row at once costs a fraction of one kept up row by row.
const tablesSchema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS context_events (
	commit_pos INTEGER NOT NULL, prepare_pos INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
	job_order_id TEXT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, occurred_at TEXT NOT NULL,
	recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, data TEXT NOT NULL,
	PRIMARY KEY (commit_pos, prepare_pos)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS context_snapshot (part TEXT PRIMARY KEY, signature TEXT NOT NULL, events BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (org_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
	sort_name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workers (
	worker_id TEXT PRIMARY KEY, job_order_id TEXT NOT NULL, employer_id TEXT NOT NULL, buyer_ids TEXT NOT NULL,
	agencies TEXT NOT NULL, flags INTEGER NOT NULL, unclocked INTEGER NOT NULL, clocked_from BLOB,
	contribution TEXT NOT NULL, ledger TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recruitments (worker_id TEXT NOT NULL, job_order_id TEXT NOT NULL,
	PRIMARY KEY (worker_id, job_order_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS job_orders (job_order_id TEXT PRIMARY KEY, contribution TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flags (` + flagColumns + `, PRIMARY KEY (k)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flag_rules (id INTEGER PRIMARY KEY, rules TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scopes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS flag_scopes (scope INTEGER NOT NULL, k BLOB NOT NULL, PRIMARY KEY (scope, k)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollups (
	scope TEXT NOT NULL, grouping TEXT NOT NULL, key TEXT NOT NULL, workers INTEGER NOT NULL,
	flagged_workers INTEGER NOT NULL, flags TEXT NOT NULL, money TEXT NOT NULL,
	substituted_workers INTEGER NOT NULL, job_orders INTEGER NOT NULL,
	PRIMARY KEY (scope, grouping, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_months (
	scope TEXT NOT NULL, grouping TEXT NOT NULL, key TEXT NOT NULL, months TEXT NOT NULL, workers INTEGER NOT NULL,
	PRIMARY KEY (scope, grouping, key, months)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_job_orders (
	scope TEXT NOT NULL, grouping TEXT NOT NULL, key TEXT NOT NULL, job_order_id TEXT NOT NULL, refs INTEGER NOT NULL,
	PRIMARY KEY (scope, grouping, key, job_order_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flag_months (
	scope TEXT NOT NULL, month TEXT NOT NULL, code TEXT NOT NULL, flags INTEGER NOT NULL,
	PRIMARY KEY (scope, month, code)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flag_raised (code TEXT PRIMARY KEY, flags INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS money_currencies (currency TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS money_totals (
	currency TEXT NOT NULL, figure TEXT NOT NULL, deadline TEXT NOT NULL, in_currency TEXT NOT NULL,
	scale INTEGER NOT NULL, amounts INTEGER NOT NULL, total TEXT NOT NULL,
	PRIMARY KEY (currency, figure, deadline, in_currency, scale)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_money (
	scope TEXT NOT NULL, grouping TEXT NOT NULL, key TEXT NOT NULL, currency TEXT NOT NULL, figure TEXT NOT NULL,
	deadline TEXT NOT NULL, in_currency TEXT NOT NULL, scale INTEGER NOT NULL, amounts INTEGER NOT NULL,
	total TEXT NOT NULL,
	PRIMARY KEY (scope, grouping, currency, key, figure, deadline, in_currency, scale)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS money_months (months TEXT PRIMARY KEY, workers INTEGER NOT NULL) WITHOUT ROWID;
`

// flagColumns are the columns of a flag's row, in flags. flags is clustered by k,
// the listing order (schema 13): a listing of every flag reads the table in order, where a rowid table read
// through an index of k looked each row up at a random place (at 600,000 workers, most of the listing's time).
const flagColumns = `k BLOB NOT NULL, code TEXT NOT NULL, worker_id TEXT NOT NULL, job_order_id TEXT NOT NULL,
	buyer_ids TEXT, event_ids TEXT, raised_s INTEGER NOT NULL, raised_n INTEGER NOT NULL, clocked INTEGER NOT NULL,
	rules INTEGER, rest TEXT NOT NULL`

// flagWorkerCovers are the columns of flags that flags_worker holds after (worker_id, k): every other one, so
// that a worker's flags are read from the index alone, next to one another (schema 16). An index of
// (worker_id, k) alone sent each of them to its own place in flags, clustered by k: at 100,000 workers a random
// worker's flags cost 0.12-0.15 ms of SQLite's CPU and a p99 of 2-4 ms on a loaded machine (a page read for
// each), and 0.04-0.05 ms and 0.2-0.3 ms through the covering index, which costs about half the flags table's
// size again.
const flagWorkerCovers = "code, job_order_id, buyer_ids, event_ids, raised_s, raised_n, clocked, rules, rest"

// indexSchema creates the secondary indexes.
const indexSchema = `
CREATE INDEX IF NOT EXISTS context_events_job_order ON context_events (job_order_id);
CREATE INDEX IF NOT EXISTS context_events_org ON context_events (stream) WHERE type = 'OrganisationRegistered';
CREATE INDEX IF NOT EXISTS workers_job_order ON workers (job_order_id);
CREATE INDEX IF NOT EXISTS recruitments_job_order ON recruitments (job_order_id);
CREATE INDEX IF NOT EXISTS flags_worker ON flags (worker_id, k, ` + flagWorkerCovers + `);
CREATE INDEX IF NOT EXISTS flags_job_order ON flags (job_order_id, k);
CREATE INDEX IF NOT EXISTS rollups_workers ON rollups (scope, grouping, workers DESC, key);
CREATE INDEX IF NOT EXISTS rollups_flagged ON rollups (scope, grouping, flagged_workers DESC, key);
CREATE INDEX IF NOT EXISTS rollups_job_orders ON rollups (scope, grouping, job_orders DESC, key);
CREATE INDEX IF NOT EXISTS rollups_risk ON rollups (scope, grouping, ` + shareFlaggedSQL + ` DESC, ` +
	shareSubstitutedSQL + ` DESC, flagged_workers DESC, key);
CREATE INDEX IF NOT EXISTS orgs_name ON orgs (sort_name, name, org_id) WHERE name != '';
`

// rollupMonthsSQL is a rollups row's histogram of months of wages, as JSON (workers by value): its rows of
// rollup_months (schema 16), one per value, so that a catch-up changes the values a worker's change touches
// rather than writing again a histogram that grows with the store.
const rollupMonthsSQL = `(SELECT json_group_object(m.months, m.workers) FROM rollup_months m
	WHERE m.scope = rollups.scope AND m.grouping = rollups.grouping AND m.key = rollups.key)`

// scopeIDSQL is the id in scopes of the flag scope named by its argument ("buyer:ID", ...).
const scopeIDSQL = "(SELECT id FROM scopes WHERE name = ?)"

// SchemaVersion changes with Schema, and with what its columns hold (19: a worker's months of wages, in its
// contribution and ledger, rollup_months and money_months, are "1.00+" for a figure of 1.00 whose worker paid
// more than one month's wage; a model of 18 counted that worker as not above one month).
const SchemaVersion = "19"

// dataTables are dropped and created again by a rebuild (flag_raised, a counter, is not: a rebuild adds to it;
// nor is money_currencies, the reporting currencies asked for, whose totals a rebuild writes again).
var dataTables = []string{"meta", "context_events", "context_snapshot", "orgs", "workers", "recruitments", "job_orders", "flags", "flag_rules", "scopes", "flag_scopes",
	"rollups", "rollup_months", "rollup_job_orders", "flag_months", "report_counts", "money_totals", "rollup_money", "money_months"}

// recruitedForSQL selects the workers recruited for the job order ?1: those the workers table records it
// for (their first recruitment) and those recruitments records (a later one, for another job order), as a
// whole model's job order lists them.
const recruitedForSQL = `SELECT worker_id FROM workers WHERE job_order_id = ?1
UNION SELECT worker_id FROM recruitments WHERE job_order_id = ?1`
