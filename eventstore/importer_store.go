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

// storeSpool appends the validated events in order, in batches, counting new events and duplicates.
func storeSpool(ctx context.Context, s Store, r *bufio.Reader, valid int, rep ImportReport, opts ImportOptions) (ImportReport, error) {
	var batch []AppendRequest
	inBatch := 0
	flush := func() error {
		if inBatch == 0 {
			return nil
		}
		results, err := s.AppendBatch(ctx, batch)
		for _, res := range results {
			for _, a := range res.Events {
				if a.Duplicate {
					rep.Duplicates++
				} else {
					rep.Appended++
				}
			}
		}
		if err == nil && opts.Stored != nil {
			err = opts.Stored(ctx, results)
		}
		if err != nil {
			return fmt.Errorf("import: storing stopped after the first %d valid events (those are stored; importing the file again stores the rest once): %w", rep.Appended+rep.Duplicates, err)
		}
		batch, inBatch = batch[:0], 0
		if opts.Progress != nil {
			opts.Progress(ImportProgress{Phase: "store", Lines: rep.Lines, Valid: valid,
				Stored: rep.Appended + rep.Duplicates, Appended: rep.Appended})
		}
		return nil
	}
	for {
		stream, p, err := readSpooled(r, opts.RecordedBy)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("import: read spool: %w", err)
		}
		if n := len(batch); n > 0 && batch[n-1].Stream == stream {
			batch[n-1].Events = append(batch[n-1].Events, p)
		} else {
			batch = append(batch, AppendRequest{Stream: stream, Expected: Any(), Events: []Proposed{p}})
		}
		if inBatch++; inBatch >= opts.BatchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
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
