package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// benchData is the generated dataset (the generate command's NDJSON), split for the benchmark. The bulk import
// reads the first importBytes of the file; the events after them are held back: whole worker streams for the
// concurrent writers (held), for the API's clients (posted) and for the writes of the API's mixed load (mixed),
// and the job orders' events (closures) for one batch appended after them. Every event of the dataset is stored
// exactly once. Once the tail is held back, the file is cut to the imported head, and the tail's reference data
// (the events of streams that are neither a worker's nor a job order's: rates tables, policies, organisations)
// is written after it, so that the import stores them: the generator writes its rates tables last, and a
// user imports the reference data before posting workers' events (a rates table or a policy posted after the
// import would make the next catch-up rebuild the whole read model, which is not the load measured).
type benchData struct {
	file         string
	bytes        int64
	events       int
	importBytes  int64
	importEvents int
	held         []heldStream
	posted       []heldStream
	mixed        []heldStream
	rest         []eventstore.AppendRequest
	// reference is the tail's reference data, as NDJSON lines, which the import stores after the head.
	reference [][]byte
}

// heldStream is one worker's events, in order, decoded and as their NDJSON lines.
type heldStream struct {
	stream string
	events []eventstore.Proposed
	lines  [][]byte
}

// countEvents counts the events of held-back worker streams.
func countEvents(hs []heldStream) int {
	n := 0
	for _, h := range hs {
		n += len(h.events)
	}
	return n
}

// benchRecordedBy is recorded_by of the events the benchmark appends itself.
const benchRecordedBy = "bench"

// heldBack is how many worker events, about, prepareData holds back for each use.
type heldBack struct{ hold, post, mixed int }

// prepareData writes the dataset of workers and seed to file and holds back, from its end, whole worker streams
// of about hb.hold events for the concurrent writers, hb.post for the API's clients and hb.mixed for the writes
// of the API's mixed load; the file is then cut to the head that the bulk import reads.
func prepareData(file string, workers int, seed int64, hb heldBack) (*benchData, error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lines := &lineStarts{w: f, starts: []int64{0}}
	n, err := generate(lines, workers, seed)
	if err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil { // an import file is on disk before it is imported
		return nil, err
	}
	if n != len(lines.starts)-1 {
		return nil, fmt.Errorf("bench: generated %d events but wrote %d lines", n, len(lines.starts)-1)
	}
	d := &benchData{file: file, bytes: lines.off, events: n}
	hold, post, mixed := min(hb.hold, n/4), min(hb.post, n/8), min(hb.mixed, n/16)
	split, err := d.holdBack(f, lines.starts, hold+post+mixed)
	if err != nil {
		return nil, err
	}
	d.importBytes, d.importEvents = lines.starts[split], split
	d.posted, d.held = takeStreams(d.held, post)
	d.mixed, d.held = takeStreams(d.held, mixed)
	if err := f.Truncate(d.importBytes); err != nil { // the tail is held in memory: import only the head
		return nil, fmt.Errorf("bench: cut %s to its imported head: %w", file, err)
	}
	if err := d.importReference(f); err != nil {
		return nil, fmt.Errorf("bench: add the reference data to %s: %w", file, err)
	}
	return d, nil
}

// importReference writes the tail's reference data after the imported head of f, and syncs it.
func (d *benchData) importReference(f *os.File) error {
	for _, line := range d.reference {
		if _, err := f.WriteAt(append(line, '\n'), d.importBytes); err != nil {
			return err
		}
		d.importBytes += int64(len(line)) + 1
		d.importEvents++
	}
	if len(d.reference) == 0 {
		return nil
	}
	return f.Sync()
}

// takeStreams splits off the first streams of hs that hold at least n events (all of them if fewer).
func takeStreams(hs []heldStream, n int) (taken, rest []heldStream) {
	k, events := 0, 0
	for ; k < len(hs) && events < n; k++ {
		events += len(hs[k].events)
	}
	return hs[:k], hs[k:]
}

// holdBack decodes lines from the end of the file until at least hold worker events are taken and the next line
// (going backwards) starts another stream, so that no stream is split; it returns the first line held back.
func (d *benchData) holdBack(f io.ReaderAt, starts []int64, hold int) (int, error) {
	var tail []tailLine // backwards
	workerEvents, prev := 0, ""
	i := len(starts) - 2
	for ; i >= 0; i-- {
		line := make([]byte, starts[i+1]-starts[i]-1) // without the newline
		if _, err := f.ReadAt(line, starts[i]); err != nil {
			return 0, fmt.Errorf("bench: read line %d: %w", i+1, err)
		}
		env, err := eventstore.Decode(line)
		if err != nil {
			return 0, fmt.Errorf("bench: line %d: %w", i+1, err)
		}
		if workerEvents >= hold && env.Stream() != prev {
			break
		}
		if _, ok := env.Event.(domain.WorkerEvent); ok {
			workerEvents++
		}
		tail, prev = append(tail, tailLine{env, line}), env.Stream()
	}
	slices.Reverse(tail)
	return i + 1, d.group(tail)
}

// group sorts the held-back events into worker streams (in order of first appearance), runs of job orders'
// streams and the reference data.
func (d *benchData) group(tail []tailLine) error {
	byStream := map[string]int{}
	for _, t := range tail {
		env := t.env
		p, err := eventstore.ProposedFrom(env, benchRecordedBy)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		stream := env.Stream()
		_, worker := env.Event.(domain.WorkerEvent)
		_, jobOrder := env.Event.(domain.JobOrderEvent)
		if !worker && !jobOrder {
			d.reference = append(d.reference, t.line)
			continue
		}
		if !worker {
			if n := len(d.rest); n > 0 && d.rest[n-1].Stream == stream {
				d.rest[n-1].Events = append(d.rest[n-1].Events, p)
			} else {
				d.rest = append(d.rest, eventstore.AppendRequest{Stream: stream, Expected: eventstore.Any(),
					Events: []eventstore.Proposed{p}})
			}
			continue
		}
		k, ok := byStream[stream]
		if !ok {
			k = len(d.held)
			byStream[stream] = k
			d.held = append(d.held, heldStream{stream: stream})
		}
		d.held[k].events = append(d.held[k].events, p)
		d.held[k].lines = append(d.held[k].lines, t.line)
	}
	return nil
}

// tailLine is a held-back line and its decoded envelope.
type tailLine struct {
	env  domain.Envelope
	line []byte
}

// lineStarts passes writes through to w and records the offset at which every line starts (and, last, the
// offset after the last line).
type lineStarts struct {
	w      io.Writer
	off    int64
	starts []int64
}

func (l *lineStarts) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		l.starts = append(l.starts, l.off+int64(i))
	}
	l.off += int64(n)
	return n, err
}
