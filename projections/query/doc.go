// Package query is the one query layer between fairtrail's front ends (the command line, the HTTP API and the
// web console) and its read side: they parse and format, and call these functions for everything else. It
// owns the time filter's parsing, reading listed flags back, and which model answers a query: the persisted
// read model (projections/readmodel) when no time filter is given, else a replay worker by worker from the
// store. The CSV layout of every answer is projections/export's.
package query
