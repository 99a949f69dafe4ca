package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/cmd/fairtrail/internal/benchpeer"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// peerFigures compare fairtrail with the peer on the same events.
type peerFigures struct {
	PeerImportEventsPerS float64 `json:"peer_import_events_per_s"`
	PeerReadEventsPerS   float64 `json:"peer_read_events_per_s"`
	PeerImportRatio      float64 `json:"peer_import_ratio"`
	PeerReadRatio        float64 `json:"peer_read_ratio"`
}

// benchPeer stores the dataset in the peer and reads it back in global order. The peer is given the events
// fairtrail's import stored, in the same order, already decoded and validated, one Save (one transaction) per
// run of a stream's consecutive events, as fairtrail's import groups them into requests; only the Save calls
// are timed, so its import rate is an upper bound of an end-to-end import through it. The held-back events
// follow, stream by stream, untimed, so that both stores hold the same events for the read. It returns the
// peer's description.
func benchPeer(ctx context.Context, dir, storeDir string, d *benchData, w writeFigures, progress io.Writer, prof profiler) (peerFigures, string, error) {
	var pf peerFigures
	pdir := filepath.Join(dir, "peer")
	if err := os.Mkdir(pdir, 0o755); err != nil {
		return pf, "", err
	}
	p, err := benchpeer.Open(pdir)
	if err != nil {
		return pf, "", err
	}
	defer p.Close()
	fmt.Fprintf(progress, "bench: peer: saving %d events...\n", d.importEvents)
	var took time.Duration
	err = prof.phase("peer-import", func() (err error) {
		took, err = peerImport(ctx, p, storeDir, d.importEvents)
		return err
	})
	if err != nil {
		return pf, "", err
	}
	pf.PeerImportEventsPerS = perSecond(d.importEvents, took)
	if err := peerSaveHeld(p, d); err != nil {
		return pf, "", err
	}
	fmt.Fprintln(progress, "bench: peer: reading every event back in global order...")
	var n int
	err = prof.phase("peer-read", func() (err error) {
		start := time.Now()
		n, err = p.ReadAll(ctx)
		took = time.Since(start)
		return err
	})
	if err != nil {
		return pf, "", err
	}
	if n != d.events {
		return pf, "", fmt.Errorf("bench: peer read %d events back, want %d", n, d.events)
	}
	pf.PeerReadEventsPerS = perSecond(n, took)
	pf.PeerImportRatio = w.ImportEventsPerS / pf.PeerImportEventsPerS
	pf.PeerReadRatio = w.ReadEventsPerS / pf.PeerReadEventsPerS
	return pf, p.Describe(), nil
}

// peerImport saves the first n events of fairtrail's store into the peer and returns the time spent in Save.
func peerImport(ctx context.Context, p *benchpeer.Store, storeDir string, n int) (time.Duration, error) {
	s, err := embedded.Open(storeDir, embedded.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	var run []benchpeer.Event
	var saving time.Duration
	save := func() error {
		t := time.Now()
		err := p.Save(run)
		saving += time.Since(t)
		run = run[:0]
		return err
	}
	seen := 0
	for rec, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return saving, fmt.Errorf("bench: peer: read fairtrail's store: %w", err)
		}
		if seen == n {
			break
		}
		if len(run) > 0 && run[0].Stream != rec.Stream {
			if err := save(); err != nil {
				return saving, err
			}
		}
		run = append(run, peerEvent(rec.Stream, rec.Type, rec.Data, rec.ID.String(), rec.OccurredAt, rec.RecordedBy))
		seen++
	}
	return saving, save()
}

// peerSaveHeld saves the events held back from the import, a stream at a time.
func peerSaveHeld(p *benchpeer.Store, d *benchData) error {
	reqs := slices.Clone(d.rest)
	for _, h := range slices.Concat(d.held, d.posted) {
		reqs = append(reqs, eventstore.AppendRequest{Stream: h.stream, Events: h.events})
	}
	for _, r := range reqs {
		run := make([]benchpeer.Event, len(r.Events))
		for i, e := range r.Events {
			run[i] = peerEvent(r.Stream, e.Type, e.Data, e.ID.String(), e.OccurredAt, e.RecordedBy)
		}
		if err := p.Save(run); err != nil {
			return err
		}
	}
	return nil
}

// peerEvent is an event for the peer, its metadata the JSON {"event_id","occurred_at","recorded_by"}.
func peerEvent(stream, typ string, data []byte, id string, occurred time.Time, by string) benchpeer.Event {
	meta := make([]byte, 0, 128)
	meta = append(meta, `{"event_id":"`...)
	meta = append(meta, id...)
	meta = append(meta, `","occurred_at":"`...)
	meta = occurred.UTC().AppendFormat(meta, time.RFC3339Nano)
	meta = append(meta, `","recorded_by":`...)
	meta = strconv.AppendQuote(meta, by)
	meta = append(meta, '}')
	return benchpeer.Event{Stream: stream, Type: typ, Data: data, Meta: meta}
}
