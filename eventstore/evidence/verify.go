package evidence

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	tdproof "github.com/transparency-dev/formats/proof"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// ErrFailed: the bundle did not verify; the message says what failed.
var ErrFailed = errors.New("evidence bundle fails")

// Summary is what a verified bundle holds.
type Summary struct {
	WorkerID string
	Origin   string
	TreeSize int64
	Events   int
	Flags    int
	// Cosigned names the witnesses (of those given) whose cosignatures verified.
	Cosigned []string
}

func failf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFailed, fmt.Sprintf(format, args...))
}

// Verify checks a bundle offline with the log's verifier key (and witnesses' cosignature verifiers, when
// given): the manifest's signature and every file's hash, the checkpoint's signature, every event's leaf and
// inclusion proof, every stream's hash chain from its first event, the report and flags re-judged from the
// bundled events, and the zip's own bytes. The first failure is an ErrFailed saying what failed.
func Verify(bundle []byte, operator note.Verifier, witnesses ...note.Verifier) (Summary, error) {
	var sum Summary
	files, err := readZip(bundle)
	if err != nil {
		return sum, failf("not a readable zip: %v", err)
	}
	m, err := checkManifest(files, operator)
	if err != nil {
		return sum, err
	}
	sum.WorkerID, sum.Origin, sum.TreeSize = m.WorkerID, m.Origin, m.TreeSize
	cp, n, err := checkpoint.Open(files[checkpointName], operator, witnesses...)
	if err != nil {
		return sum, failf("%s: %v", checkpointName, err)
	}
	if cp.Size != m.TreeSize || cp.Origin != m.Origin {
		return sum, failf("%s is of tree size %d, the manifest says %d", checkpointName, cp.Size, m.TreeSize)
	}
	for _, w := range witnesses {
		if slices.ContainsFunc(n.Sigs, func(s note.Signature) bool { return s.Name == w.Name() && s.Hash == w.KeyHash() }) {
			sum.Cosigned = append(sum.Cosigned, w.Name())
		}
	}
	recs, err := checkEvents(files, cp)
	if err != nil {
		return sum, err
	}
	sum.Events = len(recs)
	if err := checkChains(recs); err != nil {
		return sum, err
	}
	if sum.Flags, err = checkJudgement(files, recs, m); err != nil {
		return sum, err
	}
	var canonical bytes.Buffer
	if err := writeZip(&canonical, files); err != nil {
		return sum, err
	}
	if !bytes.Equal(canonical.Bytes(), bundle) {
		return sum, failf("the zip's own bytes (entry headers, directory or comment) differ from the canonical form the " +
			"bundle was written in: edited after it was made")
	}
	return sum, nil
}

// checkManifest checks the manifest's signature and that it lists exactly the other files, with their hashes.
func checkManifest(files map[string][]byte, operator note.Verifier) (manifest, error) {
	var m manifest
	raw, ok := files[manifestName]
	if !ok {
		return m, failf("no %s", manifestName)
	}
	n, err := note.Open(raw, note.VerifierList(operator))
	if err != nil {
		return m, failf("%s: not signed by %s: %v", manifestName, operator.Name(), err)
	}
	if err := json.Unmarshal([]byte(n.Text), &m); err != nil || m.Format != Format {
		return m, failf("%s: not a %s manifest", manifestName, Format)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name == manifestName {
			continue
		}
		want, listed := m.Files[name]
		if !listed {
			return m, failf("%s is not listed in the manifest (added after it was signed)", name)
		}
		got := sha256.Sum256(files[name])
		if hex.EncodeToString(got[:]) != want {
			return m, failf("%s: its SHA-256 differs from the manifest's (changed after it was signed)", name)
		}
	}
	for name := range m.Files {
		if _, ok := files[name]; !ok {
			return m, failf("%s is listed in the manifest but missing", name)
		}
	}
	return m, nil
}

// checkEvents decodes events.ndjson and checks each event's leaf against its inclusion proof and the
// checkpoint.
func checkEvents(files map[string][]byte, cp checkpoint.Checkpoint) ([]eventstore.Recorded, error) {
	var recs []eventstore.Recorded
	sc := bufio.NewScanner(bytes.NewReader(files[eventsName]))
	sc.Buffer(make([]byte, 64<<10), maxFile)
	for line := 1; sc.Scan(); line++ {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, failf("%s line %d: %v", eventsName, line, err)
		}
		rec, err := e.recorded()
		if err != nil {
			return nil, failf("%s line %d: event_id: %v", eventsName, line, err)
		}
		if err := checkProof(files, rec, e.LeafIndex, cp); err != nil {
			return nil, failf("%s line %d, event %s (stream %s, revision %d): %v", eventsName, line, rec.ID,
				rec.Stream, rec.Revision, err)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, failf("%s: %v", eventsName, err)
	}
	return recs, nil
}

func checkProof(files map[string][]byte, rec eventstore.Recorded, leaf int64, cp checkpoint.Checkpoint) error {
	raw, ok := files[proofName(leaf)]
	if !ok {
		return fmt.Errorf("no inclusion proof %s", proofName(leaf))
	}
	var p tdproof.TLogProof
	if err := p.Unmarshal(raw); err != nil {
		return fmt.Errorf("%s: %v", proofName(leaf), err)
	}
	if int64(p.Index) != leaf || !bytes.Equal(p.Checkpoint, files[checkpointName]) {
		return fmt.Errorf("%s proves leaf %d under another checkpoint", proofName(leaf), p.Index)
	}
	hashes := make(tlog.RecordProof, len(p.Hashes))
	for i, h := range p.Hashes {
		hashes[i] = h
	}
	if err := tlog.CheckRecord(hashes, cp.Size, cp.Root, leaf, eventstore.LeafHash(eventstore.Leaf(rec))); err != nil {
		return fmt.Errorf("its leaf %d is not in the checkpointed tree (the event or its metadata differ from what was logged): %v", leaf, err)
	}
	return nil
}

// checkChains recomputes every stream's hash chain from its first event.
func checkChains(recs []eventstore.Recorded) error {
	heads := map[string]eventstore.StreamHead{}
	for _, rec := range recs {
		head := heads[rec.Stream]
		want := uint64(0)
		if head.Exists {
			want = head.Last + 1
		}
		if rec.Revision != want {
			return failf("stream %s: revision %d where %d was expected (an event of the stream is missing)", rec.Stream, rec.Revision, want)
		}
		p := eventstore.Proposed{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt, Data: rec.Data}
		h := eventstore.ChainHash(head, p.Canonical())
		if hex.EncodeToString(h[:]) != rec.Hash {
			return failf("stream %s revision %d (event %s): its hash chain breaks", rec.Stream, rec.Revision, rec.ID)
		}
		heads[rec.Stream] = eventstore.StreamHead{Exists: true, Last: rec.Revision, Hash: h}
	}
	return nil
}

// checkJudgement re-judges the worker from the bundled events and compares the report and flags.
func checkJudgement(files map[string][]byte, recs []eventstore.Recorded, m manifest) (int, error) {
	again := map[string][]byte{}
	if err := judge(recs, m.WorkerID, m.JudgedAt, again); err != nil {
		return 0, failf("re-judging worker %s: %v", m.WorkerID, err)
	}
	for _, name := range []string{reportName, flagsName} {
		if !bytes.Equal(again[name], files[name]) {
			return 0, failf("%s differs from the report re-judged from the bundled events at %s", name, m.JudgedAt.Format("2006-01-02T15:04:05Z07:00"))
		}
	}
	var flags []json.RawMessage
	if err := json.Unmarshal(files[flagsName], &flags); err != nil {
		return 0, failf("%s: %v", flagsName, err)
	}
	return len(flags), nil
}
