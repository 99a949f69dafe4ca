package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	tdproof "github.com/transparency-dev/formats/proof"
	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/projections"
)

// Errors that callers branch on.
var (
	// ErrNoWorker: the store holds no event of the worker.
	ErrNoWorker = errors.New("no such worker")
	// ErrNotCovered: some of the events are newer than the checkpoint given; sign a newer one first.
	ErrNotCovered = errors.New("events newer than the checkpoint")
)

// Source is what a bundle is made from: the store and its log, a signed checkpoint covering the events (with
// any cosignatures), and the log's key, which signs the manifest.
type Source struct {
	Store      eventstore.Store
	Log        eventstore.Log
	Checkpoint []byte
	Signer     note.Signer
	Verifier   note.Verifier
}

// sharedPrefixes are the streams every judgement may use: organisations, policies and rates tables.
var sharedPrefixes = []string{"org-", "policy-", "rates-"}

// Make writes the bundle of a worker, judged at judgedAt, to w.
func Make(ctx context.Context, src Source, workerID string, judgedAt time.Time, w io.Writer) error {
	cp, _, err := checkpoint.Open(src.Checkpoint, src.Verifier)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	recs, err := collect(ctx, src.Store, workerID)
	if err != nil {
		return err
	}
	files := map[string][]byte{checkpointName: src.Checkpoint, readmeName: []byte(readme)}
	var lines []byte
	for _, rec := range recs {
		leaf, err := src.Log.LeafIndex(ctx, rec.Position)
		if err != nil {
			return fmt.Errorf("evidence: leaf of event %s: %w", rec.ID, err)
		}
		if leaf >= cp.Size {
			return fmt.Errorf("evidence: event %s is leaf %d, the checkpoint covers %d: %w", rec.ID, leaf, cp.Size, ErrNotCovered)
		}
		p, err := src.Log.ProveLeaf(ctx, leaf, cp.Size)
		if err != nil {
			return fmt.Errorf("evidence: proof of leaf %d: %w", leaf, err)
		}
		tp := tdproof.TLogProof{Index: uint64(leaf), Checkpoint: src.Checkpoint}
		for _, h := range p {
			tp.Hashes = append(tp.Hashes, h)
		}
		files[proofName(leaf)] = tp.Marshal()
		line, err := encode(eventOf(rec, leaf))
		if err != nil {
			return err
		}
		lines = append(lines, line...)
	}
	files[eventsName] = lines
	if err := judge(recs, workerID, judgedAt, files); err != nil {
		return err
	}
	m := manifest{Format: Format, WorkerID: workerID, JudgedAt: judgedAt.UTC(), Origin: cp.Origin, TreeSize: cp.Size,
		Files: make(map[string]string, len(files))}
	for name, b := range files {
		sum := sha256.Sum256(b)
		m.Files[name] = hex.EncodeToString(sum[:])
	}
	text, err := encode(m)
	if err != nil {
		return err
	}
	if files[manifestName], err = note.Sign(&note.Note{Text: string(text)}, src.Signer); err != nil {
		return fmt.Errorf("evidence: sign manifest: %w", err)
	}
	return writeZip(w, files)
}

func proofName(leaf int64) string { return fmt.Sprintf("%s%d.txt", proofDir, leaf) }

// collect reads the worker's stream, its job orders' streams and the shared streams, in global order.
func collect(ctx context.Context, s eventstore.Store, workerID string) ([]eventstore.Recorded, error) {
	recs, err := readStream(ctx, s, "worker-"+workerID)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("evidence: worker %s: %w", workerID, ErrNoWorker)
	}
	seen := map[string]bool{}
	for _, rec := range slices.Clone(recs) {
		ev, err := domain.DecodeData(rec.Type, rec.Data)
		jo := ""
		switch e := ev.(type) {
		case *domain.WorkerRecruited:
			jo = e.JobOrderID
		case domain.JobOrderEvent:
			jo = e.JobOrder()
		}
		if err != nil || jo == "" || seen[jo] {
			continue
		}
		seen[jo] = true
		more, err := readStream(ctx, s, "joborder-"+jo)
		if err != nil {
			return nil, err
		}
		recs = append(recs, more...)
	}
	for rec, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		if slices.ContainsFunc(sharedPrefixes, func(p string) bool { return strings.HasPrefix(rec.Stream, p) }) {
			recs = append(recs, rec)
		}
	}
	slices.SortFunc(recs, func(a, b eventstore.Recorded) int {
		switch {
		case a.Position.Less(b.Position):
			return -1
		case b.Position.Less(a.Position):
			return 1
		}
		return 0
	})
	return recs, nil
}

func readStream(ctx context.Context, s eventstore.Store, stream string) ([]eventstore.Recorded, error) {
	var out []eventstore.Recorded
	for rec, err := range s.ReadStream(ctx, stream, 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("evidence: read %s: %w", stream, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// judge replays exactly the bundled events and adds the worker's report and flags to files.
func judge(recs []eventstore.Recorded, workerID string, at time.Time, files map[string][]byte) error {
	m := projections.New(projections.Filter{})
	for _, rec := range recs {
		if err := m.Apply(rec); err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
	}
	r, ok := m.View(at).History(workerID)
	if !ok {
		return fmt.Errorf("evidence: worker %s: %w", workerID, ErrNoWorker)
	}
	var err error
	if files[reportName], err = encode(r); err != nil {
		return err
	}
	flags := r.Flags
	if flags == nil {
		flags = []domain.Flag{}
	}
	files[flagsName], err = encode(flags)
	return err
}

// encode is JSON without HTML escaping, with a final newline.
func encode(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("evidence: encode: %w", err)
	}
	return []byte(b.String()), nil
}
