// Package api is fairtrail's HTTP API for recorders and auditors: employers and agencies post recruitment
// events from their own systems, brands and their auditors read workers' histories, flags and audits, and
// dashboards scrape metrics. It owns the routes (gin), the request and response types, authentication by
// organisation keys with roles and the scoping of every read and write to the caller's supply chains, the
// Prometheus metrics, the OpenAPI document, and the one place where errors become HTTP statuses (errors.go).
//
// Writes go to an eventstore.Store; reads come from its persisted read model (projections/readmodel) through
// the query layer (projections/query): listings, audits and metrics from the model's indexes and maintained
// rollups, one worker or job order from a partial model of its streams read back from the store, and "as of"
// and "known at" queries replayed worker by worker under that filter, so the server's memory does not grow
// with the store. Scope is decided on the same partial models. Data outside a caller's scope
// answers 404, exactly as data that does not exist, so existence does not leak from one tenant to another.
package api
