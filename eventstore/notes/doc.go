// Package notes is the erasable note store of spec section 8: the free text of worker reports, kept beside the
// log and never in it. An event carries only a note's SHA-256 (note_sha256, lower-case hex of the SHA-256 of the
// note's exact UTF-8 bytes, with no normalisation), so erasing a note leaves every event, hash chain, checkpoint
// and receipt as it was ("forgettable payload").
//
// The store is one SQLite file, notes.sqlite: in the embedded store's data directory, or for a KurrentDB store
// in its local cache directory (--cache, $FAIRTRAIL_CACHE). It holds each note's text once, which workers it
// belongs to (a note is saved with an event about a worker, so erasure by worker finds it), and the erasure
// journal.
//
// Every change is one SQLite transaction, durable at commit (synchronous FULL): a crash part way leaves the
// rollback journal, and the next open rolls the file back to the last commit, so a batch of notes is saved
// whole or not at all.
//
// Erasure removes the text's bytes from the file: the connection runs with SQLite's secure_delete, which
// overwrites deleted content with zeros, the rollback journal (which briefly holds the old pages) is deleted at
// commit, and the file is then rewritten by VACUUM so that no page keeps an old copy. Like any deletion it
// cannot reach freed blocks of the disk, file-system snapshots or backups: those are the operator's to manage.
//
// The erasure journal is append-only (triggers refuse to change or delete its rows): one row per note and
// worker erased, with the note's hash, the worker, when, who and why. Spec section 8 defines no event for an
// erasure, so it is recorded here and not in the log. An erased note cannot be saved again for the same worker
// (or at all, when it was erased by its hash): importing the same spreadsheet again does not bring it back.
package notes
