// Package kurrent is fairtrail's KurrentDB (formerly EventStoreDB) backend: it implements eventstore.Store
// on a KurrentDB node or cluster through the official client, github.com/EventStore/EventStore-Client-Go/v4.
//
// # Mapping
//
// A fairtrail stream is a KurrentDB stream of the same name (worker-, joborder-, org-, policy-, rates-), after an
// optional namespace (Options.Namespace) that lets several fairtrail stores share a database. Each event is
// stored with its event id as KurrentDB's event id, its type as the event type, content type JSON, its
// canonical data as the event data, and fairtrail's own metadata as the event's user metadata: a JSON object
// holding a format version, occurred_at, recorded_at (RFC 3339 with nanoseconds), recorded_by and the chain
// hash (metadata.go). KurrentDB's stream revision and $all commit/prepare position are the event's revision and
// position; positions are compared as pairs and never computed.
//
// # Appends
//
// The hash chain (spec section 5) is computed here: an append reads the stream, checks the caller's expected
// revision and the event ids already stored, hashes the new events from the stream's last hash, and appends
// with the exact revision it read. A concurrent writer therefore makes KurrentDB answer "wrong expected
// version" instead of breaking the chain; the append is then re-planned from a fresh read when the caller
// expected any revision or an existing stream, and reported as eventstore.ErrConflict otherwise. Idempotency by
// event id is checked against the target stream (fairtrail's streams are small): an id already in it is a
// duplicate with its original revision and position, or eventstore.ErrEventIDReused when the content differs.
//
// Every append is read back from the stream before the next. KurrentDB answers an append with the position of
// its last event only (each event has its own position, commit = prepare), and it takes an append whose ids
// are already the ones after the expected revision as a retry, answered as a success without writing: two
// writers that planned the same event id with different content on the same stream state are both told they
// succeeded. The read-back gives every position, and the writer whose event is not the stored one gets
// ErrEventIDReused. An append KurrentDB could not confirm (Aborted "Operation timed out", or the client's
// deadline) may or may not be written: the stream is read again and the request re-planned, so its events are
// stored once and answered as new either way. Appends are split under Options.MaxAppendBytes, counted as the
// server counts an append's size (data, metadata and twice the type's length per event).
//
// What cannot be atomic on KurrentDB, and is documented rather than hidden:
//   - AppendBatch appends its requests in order, one stream at a time. KurrentDB has no transaction across
//     streams, so a batch that fails part way has stored the requests before the failure (they are returned)
//     and none after it; retrying the batch stores the rest, the stored ones being duplicates.
//   - One request whose events exceed KurrentDB's append size limit (Options.MaxAppendBytes) is written in
//     several appends, each atomic and each chained on the previous one; a failure in between leaves a prefix.
//   - The duplicate check covers the target stream. An id reused for an event of another stream is not found
//     (KurrentDB has no index by event id); fairtrail derives the stream from the event's data, so this needs
//     a different event under a reused id.
//
// # Clusters
//
// Every call carries the gRPC metadata requires-leader: true (client v4.2.0 never sends it). A follower would
// otherwise forward writes to the leader but answer reads, including the read an append is planned on and its
// read-back, from its own copy, which may lag; it refuses instead with not-leader, naming the leader, and the
// call is made again there, whether the refusal came at once or in a read's first answer.
//
// # Reading
//
// ReadAll, Subscribe and Head see only the store's events: fairtrail's streams in its namespace, event types
// not starting with '$' (KurrentDB's system events, links and tombstones are skipped). Subscribe is a catch-up
// subscription to $all with a server-side stream-prefix filter; when it drops, it resubscribes from the last
// event delivered, with exponential backoff, and gives up (returning the error, so projections.Live can
// resubscribe from its own checkpoint) after Options.SubscribeRetries attempts in a row that deliver nothing.
// Events at or before the last position delivered are never delivered again.
//
// Every stream with fairtrail's prefixes in the namespace must belong to fairtrail: an event there
// without fairtrail's metadata is reported as an eventstore.CorruptError. The user in the connection string
// needs to read $all (an admin by default). Streams must never be deleted: a tombstoned stream reads as not
// found and refuses appends.
package kurrent
