package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// An attacker with the data directory rewrites events.log as a whole: every record well formed, every
// stream's hash chain recomputed, positions and revisions renumbered, checksums recomputed. A checkpoint
// kept from before must catch each attack of issue 9.

const attackEvents = 30

var attackStreams = []string{"worker-a", "worker-b", "worker-c"}

// rewriteLog replaces the log with the events edit returns, chained, numbered and sealed as the store would.
func rewriteLog(t *testing.T, dir string, edit func([]eventstore.Recorded) []eventstore.Recorded) {
	t.Helper()
	s := openStore(t, dir, Options{ReadOnly: true})
	evs := edit(readAllOf(t, s))
	closeStore(t, s)
	buf := append([]byte(nil), fileMagic...)
	heads := make(map[string]eventstore.StreamHead)
	for i, rec := range evs {
		head := heads[rec.Stream]
		rec.Revision = 0
		if head.Exists {
			rec.Revision = head.Last + 1
		}
		rec.Position = eventstore.Position{Commit: uint64(i + 1), Prepare: uint64(i + 1)}
		p := eventstore.Proposed{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt, Data: rec.Data}
		h := eventstore.ChainHash(head, p.Canonical())
		heads[rec.Stream] = eventstore.StreamHead{Exists: true, Last: rec.Revision, Hash: h}
		buf = appendRecord(buf, &rec, h)
	}
	writeLog(t, dir, buf)
}

func readAllOf(t *testing.T, s *Store) []eventstore.Recorded {
	t.Helper()
	var out []eventstore.Recorded
	for rec, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

// attacks are the attacks of issue 9 and what verify --checkpoint must report: the first leaf that differs,
// or -1 for a log shorter than the checkpoint.
var attacks = []struct {
	name string
	edit func([]eventstore.Recorded) []eventstore.Recorded
	leaf int64
}{
	{"a fee's data rewritten with its stream's chain recomputed", func(evs []eventstore.Recorded) []eventstore.Recorded {
		evs[19].Data = []byte(strings.Replace(string(evs[19].Data), `"MY"`, `"SG"`, 1))
		return evs
	}, 19},
	{"occurred_at moved by ten days", func(evs []eventstore.Recorded) []eventstore.Recorded {
		evs[19].OccurredAt = evs[19].OccurredAt.Add(240 * time.Hour)
		return evs
	}, 19},
	{"recorded_by edited", func(evs []eventstore.Recorded) []eventstore.Recorded {
		evs[12].RecordedBy = "someone-else"
		return evs
	}, 12},
	{"recorded_at edited", func(evs []eventstore.Recorded) []eventstore.Recorded {
		evs[12].RecordedAt = evs[12].RecordedAt.Add(-time.Hour)
		return evs
	}, 12},
	{"the last record deleted", func(evs []eventstore.Recorded) []eventstore.Recorded {
		return evs[:len(evs)-1]
	}, -1},
	{"a whole stream deleted and the positions after it renumbered", func(evs []eventstore.Recorded) []eventstore.Recorded {
		return slices.DeleteFunc(evs, func(r eventstore.Recorded) bool { return r.Stream == "worker-b" })
	}, 1},
	{"two events of different streams swapped", func(evs []eventstore.Recorded) []eventstore.Recorded {
		evs[19], evs[20] = evs[20], evs[19]
		return evs
	}, 19},
}

func TestCheckpointCatchesEveryAttack(t *testing.T) {
	t.Parallel()
	signer, verifier := attackKeys(t)
	for _, rebuilt := range []bool{false, true} {
		for _, tc := range attacks {
			name := tc.name
			if rebuilt {
				name += ", tree rebuilt by the attacker"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir, kept, early := checkpointedTwice(t, signer, verifier)
				rewriteLog(t, dir, tc.edit)
				if rebuilt {
					must(t, os.Remove(filepath.Join(dir, hashesName)))
					closeStore(t, openStore(t, dir, Options{})) // the store rebuilds the tree from the log
				}
				s := openStore(t, dir, Options{ReadOnly: true})
				if rep, err := eventstore.Verify(context.Background(), s); err != nil || rep.Bad != nil {
					t.Fatalf("the attacker's rewrite left a broken chain (%v, %v): the test would prove nothing", rep.Bad, err)
				}
				rep, err := checkpoint.Verify(context.Background(), s, kept, early)
				if err != nil {
					t.Fatal(err)
				}
				checkAttackReport(t, rep, tc.leaf, rebuilt)
				if rebuilt && tc.leaf >= early.Size && !strings.Contains(rep.String(), "between leaf 10 and leaf 29") {
					t.Fatalf("report %q does not narrow the bad leaf down with the earlier checkpoint", rep)
				}
			})
		}
	}
}

func checkAttackReport(t *testing.T, rep checkpoint.Report, leaf int64, rebuilt bool) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("verify passed a tampered log: %s", rep)
	}
	switch {
	case leaf < 0 && !strings.Contains(rep.String(), "shorter"):
		t.Fatalf("report %q does not say the log is shorter", rep)
	case leaf >= 0 && !rebuilt && (rep.Leaf != leaf || rep.Event == nil):
		t.Fatalf("report names leaf %d (%s), want %d", rep.Leaf, rep, leaf)
	}
}

// checkpointedDir is a store of attackEvents events with a checkpoint of all of them, verified once.
func checkpointedDir(t *testing.T, signer note.Signer, verifier note.Verifier) (string, checkpoint.Checkpoint) {
	dir, kept, _ := checkpointedTwice(t, signer, verifier)
	return dir, kept
}

// checkpointedTwice is checkpointedDir with an earlier checkpoint, of the first 10 events.
func checkpointedTwice(t *testing.T, signer note.Signer, verifier note.Verifier) (string, checkpoint.Checkpoint, checkpoint.Checkpoint) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	populate(t, s, attackStreams, 10)
	early, _, err := checkpoint.Sign(context.Background(), s, signer)
	must(t, err)
	populate(t, s, attackStreams, attackEvents-10)
	_, signed, err := checkpoint.Sign(context.Background(), s, signer)
	must(t, err)
	closeStore(t, s)
	kept, _, err := checkpoint.Open(signed, verifier)
	must(t, err)
	ro := openStore(t, dir, Options{ReadOnly: true})
	if rep, err := checkpoint.Verify(context.Background(), ro, kept); err != nil || !rep.OK() {
		t.Fatalf("untouched store fails its checkpoint: %v %s", err, rep)
	}
	closeStore(t, ro)
	return dir, kept, early
}

func attackKeys(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := checkpoint.GenerateKey("fairtrail.test/log")
	must(t, err)
	signer, err := note.NewSigner(skey)
	must(t, err)
	verifier, err := note.NewVerifier(vkey)
	must(t, err)
	return signer, verifier
}

// storeSource is a store as a witness would reach it through the API: each fetch signs its current head.
type storeSource struct {
	s      *Store
	signer note.Signer
}

func (src storeSource) Latest(ctx context.Context) ([]byte, error) {
	_, signed, err := checkpoint.Sign(ctx, src.s, src.signer)
	return signed, err
}

func (src storeSource) Consistency(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	return src.s.ProveTree(ctx, from, to)
}

func (src storeSource) Cosign(context.Context, []byte) error { return nil }

// TestWitnessRefusesEveryAttack: a witness that kept a checkpoint before the attack refuses the log after it,
// once the attacker has rebuilt the tree so that the server runs and signs again, and the log has grown.
func TestWitnessRefusesEveryAttack(t *testing.T) {
	t.Parallel()
	signer, verifier := attackKeys(t)
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir, _ := checkpointedDir(t, signer, verifier)
			state := t.TempDir()
			s := openStore(t, dir, Options{})
			if _, err := checkpoint.Witness(ctx, storeSource{s, signer}, verifier, state, ""); err != nil {
				t.Fatalf("first witness run: %v", err)
			}
			closeStore(t, s)
			rewriteLog(t, dir, tc.edit)
			must(t, os.Remove(filepath.Join(dir, hashesName)))
			s = openStore(t, dir, Options{})
			populate(t, s, []string{"worker-z"}, 1)
			_, err := checkpoint.Witness(ctx, storeSource{s, signer}, verifier, state, "")
			if !errors.Is(err, checkpoint.ErrInconsistent) {
				t.Fatalf("witness after the attack: %v, want ErrInconsistent", err)
			}
		})
	}
}
