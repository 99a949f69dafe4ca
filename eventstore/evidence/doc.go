// Package evidence makes and checks a worker's evidence bundle: a zip an auditor can verify offline, holding
// the worker's events and those its judgement used (its job order's, and every organisation's, policy's and
// rates table's) with their metadata, an RFC 6962 inclusion proof of each (C2SP tlog-proof) under a signed
// checkpoint of the log, the report and flags as judged, and a manifest signed with the log's key that hashes
// every file. The zip is written in one canonical form, so any changed byte fails verification.
package evidence
