// Package embedded is fairtrail's default event store: one append-only log file in a data directory, needing
// no server.
//
// Every event is one record of events.log: a length, a CRC-32C and a payload holding the global position, the
// stream revision, recorded_at, occurred_at, the event id, the chain hash, the stream, type, recorded_by and the
// canonical JSON data, which stays readable in the file. A single writer goroutine group-commits concurrent
// appends: it encodes every waiting request, writes them with one write and one fdatasync, and only then
// acknowledges them, so an acknowledged event is on disk. The indexes (position to offset, stream to
// positions, event id to position) are kept in memory and rebuilt by scanning the log when it is opened.
//
// Recovery on open: an incomplete record at the end (a write cut short by a crash) was never acknowledged and
// is cut off; a complete last record whose checksum fails is moved to a quarantine file and cut off, with a
// warning; a damaged record followed by good ones is tampering or media damage, and the store refuses to open
// for writing (reads report it as eventstore.CorruptError, and verify names the event).
package embedded
