// Package embedded is fairtrail's default event store: one append-only log file in a data directory, needing
// no server.
//
// Every event is one record of events.log: a length, a CRC-32C and a payload holding the global position, the
// stream revision, recorded_at, occurred_at, the event id, the chain hash, the stream, type, recorded_by and the
// canonical JSON data, which stays readable in the file. A single writer goroutine group-commits concurrent
// appends: it encodes every waiting request, writes them with one write and one fdatasync, and only then
// acknowledges them, so an acknowledged event is on disk. Callers it just answered often append again at once;
// while it has gathered fewer requests than its last commit answered, it yields the processor a few times so
// that they join the commit rather than wait for the next sync.
//
// The indexes (position to offset, stream to positions and last hash, event id to position) persist in
// events.idx: sorted fixed-width tables, checksummed block by block (4 KiB, a CRC-32C each; the sums'
// own CRC in the checksummed header), mapped into memory and searched in place, covering the log up to some
// position. A block is checked when a lookup first reads it, so a query touches only the pages it needs; one
// failing its check is never used: a read-only store drops the file and indexes the log by a scan, a writable
// open (which checks every block) rebuilds it. The writer rewrites it (a temporary file synced and renamed)
// at Close and whenever as many events were appended as it covers (at least 1M, at most 4M), and keeps the
// events after it in Go maps. An open checks the file against the log (the record at its last position must be there, whole, with its hash,
// ending where the file says the log ended) and scans only the log after it; a missing, corrupt, stale or
// ahead-of-the-log file is rebuilt from a scan, never trusted. A read-only open (the query commands) reads
// nothing of the log the file covers; a writable open still reads every record and checks its checksum and
// position (no decoding, no maps), so that a log edited under its index is refused as before.
//
// The log's Merkle tree (spec section 6) keeps its hashes in events.hashes, about two 32-byte hashes per
// event, appended by the same group commit before its records (the tree's right edge is kept in memory, so the
// append reads nothing back). The tree is derived state: a record determines
// its leaf, so the log alone carries an acknowledged event's durability, and a commit fdatasyncs only
// events.log. The hashes file is fdatasynced when treeSyncEvery (8192) leaves are unsynced, at close, and
// before any tree hash or proof is handed out (TreeHash, ProveLeaf, ProveTree; a read-only store syncs the
// log's file too), so a signed checkpoint, or a proof a client keeps, never covers hashes a crash could lose.
// A crash can lose only hashes written after the last sync: they are missing (the file is short), cut inside
// an entry, or read back as zeros (blocks written but never synced; a 32-byte hash never straddles a sector).
// Before a commit at most treeSyncEvery-1 leaves are unsynced and a commit adds at most maxGroupEvents, so
// every hash a crash can have touched belongs to the last treeRecheck leaves. An open therefore recomputes
// those leaves' hashes from the log and compares them with the file's: a missing or torn tail is computed, an
// all-zero hash is a hole and is recomputed from its leaf on, and any other difference contradicts the log,
// which an edit of the log after it was written does; the writable open then refuses (ErrTreeMismatch) and
// leaves the file as it is, the evidence verify --checkpoint reads. Hashes past the log's end (a crash after
// the hashes were written, before the records) are cut off. A read-only store looks for holes in the same
// leaves before it uses the file (recomputing them is left to the writable open and to verify), and computes
// the tree in memory when the file is short or has one.
//
// Recovery on open: an incomplete record at the end (a write cut short by a crash) was never acknowledged and
// is cut off; a complete last record whose checksum fails is moved to a quarantine file and cut off, with a
// warning; a damaged record followed by good ones is tampering or media damage, and the store refuses to open
// for writing (reads report it as eventstore.CorruptError, and verify names the event).
package embedded
