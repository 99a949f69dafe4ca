// Package api is fairtrail's HTTP API for recorders and auditors: employers and agencies post recruitment
// events from their own systems, brands and their auditors read workers' histories, flags and audits, and
// dashboards scrape metrics. It owns the routes (gin), the request and response types, authentication by
// organisation keys with roles and the scoping of every read and write to the caller's supply chains, the
// Prometheus metrics, the OpenAPI document, and the one place where errors become HTTP statuses (errors.go).
//
// Writes go to an eventstore.Store; reads come from a projections.Live model kept up to date with it, or, for
// "as of" and "known at" queries, from a model replayed under that filter. Data outside a caller's scope
// answers 404, exactly as data that does not exist, so existence does not leak from one tenant to another.
package api
