package evidence

import (
	"encoding/json"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// Format names the bundle layout in its manifest.
const Format = "fairtrail-evidence/1"

// The files of a bundle.
const (
	manifestName   = "manifest.note"
	checkpointName = "checkpoint.txt"
	eventsName     = "events.ndjson"
	reportName     = "report.json"
	flagsName      = "flags.json"
	readmeName     = "README.txt"
	proofDir       = "proofs/"
)

// manifest is the signed description of a bundle: what it is about and the SHA-256 of every other file.
type manifest struct {
	Format   string            `json:"format"`
	WorkerID string            `json:"worker_id"`
	JudgedAt time.Time         `json:"judged_at"`
	Origin   string            `json:"origin"`
	TreeSize int64             `json:"tree_size"`
	Files    map[string]string `json:"files"`
}

// event is one line of events.ndjson: a stored event with its metadata and its leaf.
type event struct {
	LeafIndex  int64           `json:"leaf_index"`
	EventID    string          `json:"event_id"`
	Type       string          `json:"type"`
	Stream     string          `json:"stream"`
	Revision   uint64          `json:"revision"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	RecordedBy string          `json:"recorded_by"`
	Hash       string          `json:"hash"`
	Data       json.RawMessage `json:"data"`
}

func eventOf(rec eventstore.Recorded, leaf int64) event {
	return event{LeafIndex: leaf, EventID: rec.ID.String(), Type: rec.Type, Stream: rec.Stream, Revision: rec.Revision,
		OccurredAt: rec.OccurredAt, RecordedAt: rec.RecordedAt, RecordedBy: rec.RecordedBy, Hash: rec.Hash, Data: rec.Data}
}

// recorded is the stored event the line describes; its position is its leaf's (leaf + 1), which keeps the
// global order.
func (e event) recorded() (eventstore.Recorded, error) {
	id, err := domain.ParseEventID(e.EventID)
	if err != nil {
		return eventstore.Recorded{}, err
	}
	pos := uint64(e.LeafIndex) + 1
	return eventstore.Recorded{ID: id, Type: e.Type, Stream: e.Stream, Revision: e.Revision,
		Position: eventstore.Position{Commit: pos, Prepare: pos}, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
		RecordedBy: e.RecordedBy, Data: []byte(e.Data), Hash: e.Hash}, nil
}

const readme = `fairtrail evidence bundle

What a bundle that passes "fairtrail evidence verify FILE.zip --key VERIFIER" proves:
- Every event in events.ndjson is, byte for byte with its metadata (when it happened, when the tracker
  recorded it, who recorded it), a leaf of the operator's log as of the signed checkpoint in checkpoint.txt:
  the operator cannot later remove or change it without the change showing against that checkpoint, which
  the operator signed and which witnesses may have cosigned.
- Each stream in the bundle is whole from its first event, and its hash chain holds.
- The report and flags in report.json and flags.json are what fairtrail's rules give for these events,
  judged at the time in the manifest: they were recomputed from the events and compared.
- Nothing in the zip was changed after the operator signed its manifest.

What it does not prove:
- That the events are true: the log shows what was recorded, by whom and when, not that it happened.
- That nothing is missing: an event never recorded, or recorded in a stream the bundle does not hold,
  cannot show. The bundle holds the worker's stream, its job order's, and every organisation's, policy's
  and rates table's stream as of the checkpoint.
- That the operator showed everyone the same log: compare checkpoint.txt with one a witness kept, or check
  it against a later checkpoint with a consistency proof (GET /v1/log/consistency).
`
