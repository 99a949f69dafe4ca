// Package eventstore is fairtrail's store port: appending events to streams with optimistic concurrency and
// idempotency by event id, reading a stream or the global order, catch-up subscriptions, the per-stream hash
// chain of spec section 5 and its verification, and the one ingest of outside input (ingest.go: validate,
// settle ids, decide, append) that `fairtrail import`, POST /v1/import and POST /v1/events all call. Backends
// live in sub-packages (embedded, the default; KurrentDB) and all pass the conformance suite in storetest.
package eventstore
