package eventstore

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// storeSpool appends the validated events in order, in batches, counting new events and duplicates. A goroutine
// reads the next batch from the spool, and works out its events' canonical bytes, while the store appends the
// batch before: the store's writer, the one serial stage of an import, does only what needs the stream's head.
// Batches are still appended one at a time and in order, so what an interrupted import has stored is the
// events before the batch that failed.
func storeSpool(ctx context.Context, s Store, r *bufio.Reader, valid int, rep ImportReport, opts ImportOptions) (ImportReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the reader when an append fails
	batches := make(chan spooledBatch, 1)
	go readBatches(ctx, r, opts, batches)
	for b := range batches {
		if b.err != nil {
			return rep, fmt.Errorf("import: read spool: %w", b.err)
		}
		if err := appendSpooled(ctx, s, b.reqs, &rep, valid, opts); err != nil {
			return rep, err
		}
	}
	if err := ctx.Err(); err != nil { // the reader stopped without sending what was left
		return rep, fmt.Errorf("import: storing stopped after the first %d valid events: %w", rep.Appended+rep.Duplicates, err)
	}
	return rep, nil
}

// spooledBatch is a batch read back from the spool, or the error that stopped the reading.
type spooledBatch struct {
	reqs []AppendRequest
	err  error
}

// readBatches reads the spool into batches of opts.BatchSize events, laid out by Batch (input order, a request
// per run of a stream's events), and sends them in order; it closes out when the spool ends, after an error,
// or when ctx ends.
func readBatches(ctx context.Context, r *bufio.Reader, opts ImportOptions, out chan<- spooledBatch) {
	defer close(out)
	send := func(b spooledBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	b := NewBatch(nil)
	inBatch := 0
	for {
		stream, p, err := readSpooled(r, opts.RecordedBy)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			send(spooledBatch{err: err})
			return
		}
		p.canonical = p.Canonical()
		b.Add(stream, p)
		if inBatch++; inBatch >= opts.BatchSize {
			if !send(spooledBatch{reqs: b.Requests}) {
				return
			}
			b, inBatch = NewBatch(nil), 0
		}
	}
	if inBatch > 0 {
		send(spooledBatch{reqs: b.Requests})
	}
}

// appendSpooled appends one batch durably and counts it in rep.
func appendSpooled(ctx context.Context, s Store, batch []AppendRequest, rep *ImportReport, valid int, opts ImportOptions) error {
	results, err := s.AppendBatch(ctx, batch)
	appended, duplicates := Counted(results)
	rep.Appended, rep.Duplicates = rep.Appended+appended, rep.Duplicates+duplicates
	if err == nil && opts.Stored != nil {
		err = opts.Stored(ctx, results)
	}
	if err != nil {
		return fmt.Errorf("import: storing stopped after the first %d valid events (%s): %w", rep.Appended+rep.Duplicates,
			RetryHint(err, "the file"), err)
	}
	if opts.Progress != nil {
		opts.Progress(ImportProgress{Phase: "store", Lines: rep.Lines, Valid: valid,
			Stored: rep.Appended + rep.Duplicates, Appended: rep.Appended})
	}
	return nil
}

// RetryHint says what importing input ("the file", "the sheet") again would do after storing it stopped with err,
// its first batches stored: store the rest once when a retry can clear err (a full disk, a closed store, a failed
// receipt), but not past an event whose id is stored for a different event, which stops every retry at the same
// place. Every importer that stores in batches says it this way.
func RetryHint(err error, input string) string {
	if errors.Is(err, ErrEventIDReused) {
		return "those are stored; importing " + input + " again stops at the same event"
	}
	return "those are stored; importing " + input + " again stores the rest once"
}

func readSpooled(r *bufio.Reader, recordedBy string) (string, Proposed, error) {
	var fixed [24]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return "", Proposed{}, err
	}
	var p Proposed
	copy(p.ID[:], fixed[:16])
	p.OccurredAt = time.Unix(0, int64(binary.LittleEndian.Uint64(fixed[16:]))).UTC()
	var parts [3][]byte
	for i := range parts {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return "", Proposed{}, io.ErrUnexpectedEOF
		}
		parts[i] = make([]byte, n)
		if _, err := io.ReadFull(r, parts[i]); err != nil {
			return "", Proposed{}, io.ErrUnexpectedEOF
		}
	}
	p.Type, p.Data, p.RecordedBy = string(parts[0]), parts[2], recordedBy
	return string(parts[1]), p, nil
}
