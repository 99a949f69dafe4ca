package readmodel

import (
	"context"
	"testing"
)

// TestContextSignatureIsKeptAsCounted: a rebuild keeps the signature of the context's rows of no job order in
// meta, as counting them gives it; a row of no job order added and noted (noteContext, as a catch-up that
// stores one does) changes it, and a model that has not kept it counts them.
func TestContextSignatureIsKeptAsCounted(t *testing.T) {
	t.Parallel()
	_, dir, _, _ := snapshotFixture(t)
	m := openInternal(t, dir)
	ctx := context.Background()
	same := func(when string) string {
		t.Helper()
		kept, err := contextSignature(ctx, m.db)
		if err != nil {
			t.Fatal(err)
		}
		counted, err := countContext(ctx, m.db)
		if err != nil {
			t.Fatal(err)
		}
		if kept != counted {
			t.Fatalf("%s: signature %s, counted %s", when, kept, counted)
		}
		return kept
	}
	built := same("after a rebuild")
	tx, err := m.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO context_events (commit_pos, prepare_pos, stream, revision,
		job_order_id, event_id, type, occurred_at, recorded_at, recorded_by, data)
		SELECT commit_pos + 1000000, prepare_pos + 1000000, stream, revision + 1, '', event_id, type, occurred_at,
		recorded_at, recorded_by, data FROM context_events WHERE job_order_id = '' LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := noteContext(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if noted := same("after a row noted"); noted == built {
		t.Fatalf("a row of no job order added left the signature %s", noted)
	}
	if _, err := m.wdb.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", contextSignatureKey); err != nil {
		t.Fatal(err)
	}
	same("without a kept signature")
}
