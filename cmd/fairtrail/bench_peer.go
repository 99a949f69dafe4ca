package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
	// AppendEventsPerS is fairtrail appending the same decoded events as the peer, through its bulk path
	// (AppendBatch of the same runs, 2000 events a sync), into a new store: the like-for-like figure.
	AppendEventsPerS float64 `json:"append_events_per_s"`
	// PeerImportRatio is AppendEventsPerS over the peer's rate: both stores given the same decoded events.
	PeerImportRatio float64 `json:"peer_import_ratio"`
	// PeerEndToEndRatio is fairtrail's end-to-end import (parse, validate, append) over the peer's Save calls
	// alone: a bound that understates fairtrail.
	PeerEndToEndRatio float64 `json:"peer_end_to_end_import_ratio"`
	PeerReadRatio     float64 `json:"peer_read_ratio"`
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
		runtime.GC() // as before fairtrail's read
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
	fmt.Fprintf(progress, "bench: fairtrail: appending the same %d decoded events...\n", d.importEvents)
	err = prof.phase("append", func() (err error) {
		took, err = fairtrailAppend(ctx, filepath.Join(dir, "append"), storeDir, d.importEvents)
		return err
	})
	if err != nil {
		return pf, "", err
	}
	pf.AppendEventsPerS = perSecond(d.importEvents, took)
	pf.PeerImportRatio = pf.AppendEventsPerS / pf.PeerImportEventsPerS
	pf.PeerEndToEndRatio = w.ImportEventsPerS / pf.PeerImportEventsPerS
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

// fairtrailAppend appends the first n events of fairtrail's store into a new embedded store in dir, in the same
// runs as the peer is given, through the bulk path (AppendBatch of up to 2000 events, one sync each), and
// returns the time spent in AppendBatch.
func fairtrailAppend(ctx context.Context, dir, storeDir string, n int) (time.Duration, error) {
	src, err := embedded.Open(storeDir, embedded.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer src.Close()
	dst, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	var batch []eventstore.AppendRequest
	var appending time.Duration
	inBatch, seen := 0, 0
	flush := func() error {
		t := time.Now()
		_, err := dst.AppendBatch(ctx, batch)
		appending += time.Since(t)
		batch, inBatch = batch[:0], 0
		return err
	}
	for rec, err := range src.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return appending, fmt.Errorf("bench: read fairtrail's store: %w", err)
		}
		if seen == n {
			break
		}
		p := eventstore.Proposed{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt, Data: rec.Data, RecordedBy: rec.RecordedBy}
		if k := len(batch); k > 0 && batch[k-1].Stream == rec.Stream {
			batch[k-1].Events = append(batch[k-1].Events, p)
		} else {
			batch = append(batch, eventstore.AppendRequest{Stream: rec.Stream, Expected: eventstore.Any(), Events: []eventstore.Proposed{p}})
		}
		seen++
		if inBatch++; inBatch == 2000 {
			if err := flush(); err != nil {
				return appending, err
			}
		}
	}
	if inBatch > 0 {
		return appending, flush()
	}
	return appending, nil
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
