// Package projections replays fairtrail's events into the audit read model: per worker the timeline, contract
// versions with their term-by-term diff against the baseline, the fee ledger, reimbursements, loans, documents
// held and place in the recruitment chain; per job order the agency chain and payments; the policy index with
// effective dates; every flag of spec section 4 with its evidence; and audit rollups per buyer, employer,
// agency and job order. Calibration measures a dataset the way published surveys of recruitment measure
// workers (passports held, pay below the promise, cost per corridor, loans, repayment).
//
// A Model indexes events as they arrive in global order (Apply). Judgements are made on demand by a View at a
// clock, from each worker's events sorted by business time (occurred_at), so events recorded late or out of
// order are judged where they happened. A Filter restricts the model to what had happened "as of" a time
// (occurred_at <= T) or what the tracker knew "known at" a time (recorded_at <= T).
//
// Judging is fold, then rules, then judgements. What an event changes is decided in one place, Model.ApplyFact:
// the aggregate it joins and the cached judgements it makes stale. Each aggregate folds its events in its own
// apply function (workerState.apply, JobOrder.apply, policyVersions.apply). Each flag code is one entry of a rule
// table (rules.go) that reads that state, never a report, and returns flags whose details are the code's own
// type (details.go). A worker's judgement is cached in a judgementCache until an event drops it.
package projections
