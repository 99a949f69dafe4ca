package readmodel

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// The context snapshot (table context_snapshot) is the base context, the context_events rows of no job order
// (policies, organisations, exchange rates), stored once more as one value in their order: a cold query
// reads one row instead of some ten thousand (each column of each row a call into SQLite, most of a cold
// flags --worker at 600,000 workers), then decodes and applies the same records as from the rows, so its
// answers are the rows' by construction. It is written with the checkpoint, in the transaction of a rebuild
// or of a catch-up that inserts policy or organisation events (the only ones that change the base context;
// a rates table rebuilds), under the context's signature; a snapshot of another signature, or one that does
// not decode, is not used, and the rows are read instead.

// snapshotFormat opens a snapshot: the encoding's version.
const snapshotFormat = 1

// errSnapshot: a stored snapshot does not decode (the rows are read instead).
var errSnapshot = errors.New("context snapshot unusable")

// rowQueryer is a database or a transaction.
type rowQueryer interface {
	queryer
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeContextSnapshot stores the base context's snapshot under its signature, replacing any other, and keeps
// the signature (noteContext).
func writeContextSnapshot(ctx context.Context, tx *sql.Tx) error {
	sig, err := noteContext(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+contextColumns+" FROM context_events WHERE job_order_id = '' "+
		"ORDER BY commit_pos, prepare_pos")
	if err != nil {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	defer rows.Close()
	b := []byte{snapshotFormat}
	for rows.Next() {
		rec, err := scanContext(rows)
		if err != nil {
			return err
		}
		b = appendSnapshotRecord(b, rec)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM context_snapshot"); err != nil {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO context_snapshot (signature, events) VALUES (?, ?)", sig, b); err != nil {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	return nil
}

// appendSnapshotRecord encodes a record: its position and revision as uvarints, then its stream, id, type,
// instants (RFC 3339, as the rows hold them), recorder and data, each a uvarint length and its bytes.
func appendSnapshotRecord(b []byte, rec eventstore.Recorded) []byte {
	b = binary.AppendUvarint(b, rec.Position.Commit)
	b = binary.AppendUvarint(b, rec.Position.Prepare)
	b = binary.AppendUvarint(b, rec.Revision)
	for _, s := range []string{rec.Stream, rec.ID.String(), rec.Type, rec.OccurredAt.Format(time.RFC3339Nano),
		rec.RecordedAt.Format(time.RFC3339Nano), rec.RecordedBy} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Data)))
	return append(b, rec.Data...)
}

// snapshotReader decodes a snapshot's records one by one.
type snapshotReader struct {
	b   []byte
	err error
}

func (r *snapshotReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: a number runs past its end", errSnapshot)
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *snapshotReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = cmpErr(r.err, fmt.Errorf("%w: a value runs past its end", errSnapshot))
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// next decodes the next record; ok is false at the end or on an error (r.err).
func (r *snapshotReader) next() (rec eventstore.Recorded, ok bool) {
	if r.err != nil || len(r.b) == 0 {
		return rec, false
	}
	rec.Position.Commit, rec.Position.Prepare, rec.Revision = r.uvarint(), r.uvarint(), r.uvarint()
	rec.Stream = string(r.bytes())
	id, typ, occurred, recorded := string(r.bytes()), string(r.bytes()), string(r.bytes()), string(r.bytes())
	rec.Type, rec.RecordedBy = typ, string(r.bytes())
	rec.Data = r.bytes()
	if r.err != nil {
		return rec, false
	}
	var err error
	if rec.ID, err = domain.ParseEventID(id); err == nil {
		if rec.OccurredAt, err = time.Parse(time.RFC3339Nano, occurred); err == nil {
			rec.RecordedAt, err = time.Parse(time.RFC3339Nano, recorded)
		}
	}
	if err != nil {
		r.err = fmt.Errorf("%w: event %s: %w", errSnapshot, id, err)
		return rec, false
	}
	return rec, true
}

// decodeSnapshot decodes every record of a snapshot, in order: the records read in turn, their data decoded
// on every core (a cold query's first cost: the snapshot at 600,000 workers holds some 12,000 organisations,
// policies and rates tables, whose JSON was half of a cold flags --worker's CPU).
func decodeSnapshot(b []byte) ([]projections.Fact, error) {
	if len(b) == 0 || b[0] != snapshotFormat {
		return nil, fmt.Errorf("%w: not of format %d", errSnapshot, snapshotFormat)
	}
	r := &snapshotReader{b: b[1:]}
	var recs []eventstore.Recorded
	for rec, ok := r.next(); ok; rec, ok = r.next() {
		recs = append(recs, rec)
	}
	if r.err != nil {
		return nil, r.err
	}
	facts := make([]projections.Fact, len(recs))
	errs := make([]error, len(recs))
	parts := min(runtime.GOMAXPROCS(0), max(len(recs)/snapshotPart, 1))
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			for i := p * len(recs) / parts; i < (p+1)*len(recs)/parts; i++ {
				facts[i], errs[i] = projections.Decode(recs[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errSnapshot, err)
		}
	}
	return facts, nil
}

// snapshotPart is the fewest records of a snapshot decoded on a core of their own.
const snapshotPart = 256

// applyBaseContext applies the base context to pm: from the snapshot stored under sig when there is one that
// decodes, else from the rows.
func (m *Model) applyBaseContext(ctx context.Context, pm *projections.Model, sig string) error {
	var b []byte
	err := m.db.QueryRowContext(ctx, "SELECT events FROM context_snapshot WHERE signature = ?", sig).Scan(&b)
	if err == nil {
		facts, derr := decodeSnapshot(b)
		if derr == nil {
			for _, f := range facts {
				pm.ApplyFact(f)
			}
			return nil
		}
		m.opts.Logger.Warn("read model: the context snapshot does not decode; reading the context's rows", "err", derr)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	return applyContext(ctx, m.db, pm, "job_order_id = ''")
}
