// Package checkpoint holds the operator of a fairtrail store to what it recorded (spec section 6): it signs
// the log's tree head as a C2SP tlog-checkpoint in a signed note, keeps every checkpoint and the witnesses'
// cosignatures in append-only files, verifies a kept checkpoint against the events stored now (naming the
// first leaf that differs, or the truncation), checks writers' receipts, and runs the witness's side of the
// exchange. Notes and keys are golang.org/x/mod/sumdb/note's; cosignatures are C2SP tlog-cosignature
// (github.com/transparency-dev/formats/note).
package checkpoint
