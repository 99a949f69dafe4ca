// Package query is the one query layer between fairtrail's front ends (the command line, the HTTP API and the
// web console) and its read side: they parse and format, and call these functions for everything else. It
// owns the time filter's parsing, the flag listing (its order, its cursor, its CSV columns), the audit table
// and its CSV columns, the text of money, and which model answers a query: the persisted read model
// (projections/readmodel) when no time filter is given, else a replay worker by worker from the store.
package query
