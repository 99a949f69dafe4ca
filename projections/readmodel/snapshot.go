package readmodel

import (
	"cmp"
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
// (policies, organisations, exchange rates), stored once more in their order as two values: the
// organisations' registrations (part "orgs") and the rest (part "rest"). A query reads one or two rows
// instead of some ten thousand (each column of each row a call into SQLite, most of a cold flags --worker at
// 600,000 workers), then decodes and applies the same records as from the rows, so its answers are the rows'
// by construction; a view of a few workers reads the rest alone and each organisation its workers name from
// the rows of its stream (orgLoader), where the organisations were most of a cold query's CPU, growing with
// the store. The parts are written with the checkpoint, in the transaction of a rebuild or of a catch-up that
// inserts policy or organisation events (the only ones that change the base context; a rates table rebuilds),
// under the context's signature; a part of another signature, or one that does not decode, is not used, and
// the rows are read instead.

// The parts of the context snapshot.
const (
	snapshotRest = "rest"
	snapshotOrgs = "orgs"
)

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
	rest, orgs := []byte{snapshotFormat}, []byte{snapshotFormat}
	for rows.Next() {
		rec, err := scanContext(rows)
		if err != nil {
			return err
		}
		if rec.Type == domain.TypeOrganisationRegistered {
			orgs = appendSnapshotRecord(orgs, rec)
		} else {
			rest = appendSnapshotRecord(rest, rec)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM context_snapshot"); err != nil {
		return fmt.Errorf("read model: context snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO context_snapshot (part, signature, events) VALUES (?, ?, ?), (?, ?, ?)",
		snapshotRest, sig, rest, snapshotOrgs, sig, orgs); err != nil {
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
		r.err = cmp.Or(r.err, fmt.Errorf("%w: a value runs past its end", errSnapshot))
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
	recs := make([]eventstore.Recorded, 0, len(b)/snapshotRecordSize)
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

// snapshotRecordSize is about the fewest bytes a record of a snapshot takes (an organisation's registration):
// its records are counted from its size, so that decoding does not grow their slice again and again.
const snapshotRecordSize = 128

// snapshotPart is the fewest records of a snapshot decoded on a core of their own.
const snapshotPart = 256

// applyBaseContext applies the base context to pm, the organisations' registrations with the rest unless
// withoutOrgs: from the snapshot's parts stored under sig when they decode, else from the rows.
func (m *Model) applyBaseContext(ctx context.Context, pm *projections.Model, sig string, withoutOrgs bool) error {
	parts := []string{snapshotRest, snapshotOrgs}
	where := "job_order_id = ''"
	if withoutOrgs {
		parts = parts[:1]
		where += " AND type != '" + domain.TypeOrganisationRegistered + "'"
	}
	var facts [][]projections.Fact
	for _, part := range parts {
		f, ok, err := m.snapshotPart(ctx, part, sig)
		if err != nil {
			return err
		}
		if !ok {
			return applyContext(ctx, m.db, pm, where)
		}
		facts = append(facts, f)
	}
	for _, part := range facts {
		for _, f := range part {
			pm.ApplyFact(f)
		}
	}
	return nil
}

// snapshotPart returns the facts of a part of the snapshot stored under sig; false when there is none that
// decodes.
func (m *Model) snapshotPart(ctx context.Context, part, sig string) ([]projections.Fact, bool, error) {
	var b []byte
	err := m.db.QueryRowContext(ctx, "SELECT events FROM context_snapshot WHERE part = ? AND signature = ?", part,
		sig).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read model: context snapshot: %w", err)
	}
	facts, err := decodeSnapshot(b)
	if err != nil {
		m.opts.Logger.Warn("read model: the context snapshot does not decode; reading the context's rows", "part", part,
			"err", err)
		return nil, false, nil
	}
	return facts, true, nil
}
