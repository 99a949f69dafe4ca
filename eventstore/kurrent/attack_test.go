package kurrent_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// The attacks of issue 9, done to the database behind the KurrentDB backend (the wire double): the attacker
// rewrites the events, recomputing every chain hash in the metadata, as a restore of an edited backup would.

type meta struct {
	Version    int    `json:"fairtrail"`
	OccurredAt string `json:"occurred_at"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	Hash       string `json:"hash"`
}

// attacked is an event as the attacker edits it.
type attacked struct {
	ev kurrenttest.StoredEvent
	m  meta
}

var kurrentAttacks = []struct {
	name string
	edit func([]attacked) []attacked
	leaf int64 // first leaf that differs; -1 for a log shorter than the checkpoint
}{
	{"data rewritten, chain recomputed", func(a []attacked) []attacked {
		a[9].ev.Data = []byte(strings.Replace(string(a[9].ev.Data), `"MY"`, `"SG"`, 1))
		return a
	}, 9},
	{"occurred_at moved", func(a []attacked) []attacked {
		at, _ := time.Parse(time.RFC3339Nano, a[9].m.OccurredAt)
		a[9].m.OccurredAt = at.Add(240 * time.Hour).Format(time.RFC3339Nano)
		return a
	}, 9},
	{"recorded_by edited", func(a []attacked) []attacked { a[4].m.RecordedBy = "someone-else"; return a }, 4},
	{"recorded_at edited", func(a []attacked) []attacked { a[4].m.RecordedAt = "2020-01-01T00:00:00Z"; return a }, 4},
	{"the last event deleted", func(a []attacked) []attacked { return a[:len(a)-1] }, -1},
	{"a stream deleted", func(a []attacked) []attacked {
		return slices.DeleteFunc(a, func(x attacked) bool { return x.ev.Stream == "worker-kb" })
	}, 1},
	{"two events swapped", func(a []attacked) []attacked { a[9], a[10] = a[10], a[9]; return a }, 9},
}

// rechain edits the stored events with edit and recomputes every stream's chain hashes.
func rechain(t *testing.T, edit func([]attacked) []attacked) func([]kurrenttest.StoredEvent) []kurrenttest.StoredEvent {
	return func(evs []kurrenttest.StoredEvent) []kurrenttest.StoredEvent {
		var as []attacked
		for _, e := range evs {
			var m meta
			if err := json.Unmarshal(e.Metadata, &m); err != nil {
				t.Errorf("metadata of %x: %v", e.ID, err)
			}
			as = append(as, attacked{ev: e, m: m})
		}
		heads := map[string]eventstore.StreamHead{}
		var out []kurrenttest.StoredEvent
		for _, a := range edit(as) {
			at, _ := time.Parse(time.RFC3339Nano, a.m.OccurredAt)
			p := eventstore.Proposed{ID: domain.EventID(a.ev.ID), Type: a.ev.Type, OccurredAt: at, Data: a.ev.Data}
			head := heads[a.ev.Stream]
			h := eventstore.ChainHash(head, p.Canonical())
			heads[a.ev.Stream] = eventstore.StreamHead{Exists: true, Last: head.Last + 1, Hash: h}
			a.m.Hash = hex.EncodeToString(h[:])
			b, _ := json.Marshal(a.m)
			a.ev.Metadata = b
			out = append(out, a.ev)
		}
		return out
	}
}

// attackedDouble fills a double through the backend (its tree cached in cache), signs a checkpoint (which a
// witness keeps in state, when given), then rewrites the database.
func attackedDouble(t *testing.T, signer note.Signer, verifier note.Verifier, cache, state string, edit func([]attacked) []attacked) (*kurrenttest.Server, checkpoint.Checkpoint) {
	t.Helper()
	ctx := context.Background()
	s, srv := openDouble(t, kurrenttest.Options{SystemEvery: 4}, kurrent.Options{CacheDir: cache})
	for i := range 15 {
		w := []string{"ka", "kb", "kc"}[i%3]
		ev := storetest.Event(t, w, time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
		if _, err := s.Append(ctx, eventstore.AppendRequest{Stream: "worker-" + w, Events: []eventstore.Proposed{ev}}); err != nil {
			t.Fatal(err)
		}
	}
	_, signed, err := checkpoint.Sign(ctx, s, signer)
	if err != nil {
		t.Fatal(err)
	}
	kept, _, err := checkpoint.Open(signed, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if state != "" {
		if _, err := checkpoint.Witness(ctx, storeSource{s, signer}, verifier, state, ""); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	srv.Rewrite(rechain(t, edit))
	return srv, kept
}

func reopen(t *testing.T, srv *kurrenttest.Server, cache string) *kurrent.Store {
	t.Helper()
	s, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet(), CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestCheckpointCatchesEveryAttackThroughKurrentDB(t *testing.T) {
	t.Parallel()
	signer, verifier := testKeys(t)
	for _, tc := range kurrentAttacks {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cache := t.TempDir()
			srv, kept := attackedDouble(t, signer, verifier, cache, "", tc.edit)
			s := reopen(t, srv, cache)
			if rep, err := eventstore.Verify(context.Background(), s); err != nil || rep.Bad != nil {
				t.Fatalf("the attacker's rewrite left a broken chain (%v, %v): the test would prove nothing", rep.Bad, err)
			}
			rep, err := checkpoint.Verify(context.Background(), s, kept)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case rep.OK():
				t.Fatalf("verify passed a rewritten database: %s", rep)
			case tc.leaf < 0 && !strings.Contains(rep.String(), "shorter"):
				t.Fatalf("report %q does not say the log is shorter", rep)
			case tc.leaf >= 0 && (rep.Leaf != tc.leaf || rep.Event == nil):
				t.Fatalf("report names leaf %d (%s), want %d", rep.Leaf, rep, tc.leaf)
			}
		})
	}
}

// storeSource is the backend as a witness would reach it through the API.
type storeSource struct {
	s      *kurrent.Store
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

func TestWitnessRefusesEveryAttackThroughKurrentDB(t *testing.T) {
	t.Parallel()
	signer, verifier := testKeys(t)
	for _, tc := range kurrentAttacks {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cache, state := t.TempDir(), t.TempDir()
			srv, _ := attackedDouble(t, signer, verifier, cache, state, tc.edit)
			s := reopen(t, srv, cache)
			ev := storetest.Event(t, "kz", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
			if _, err := s.Append(ctx, eventstore.AppendRequest{Stream: "worker-kz", Events: []eventstore.Proposed{ev}}); err != nil {
				t.Fatal(err)
			}
			if _, err := checkpoint.Witness(ctx, storeSource{s, signer}, verifier, state, ""); !errors.Is(err, checkpoint.ErrInconsistent) {
				t.Fatalf("witness after the attack: %v, want ErrInconsistent", err)
			}
		})
	}
}

func testKeys(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := checkpoint.GenerateKey("fairtrail.test/log")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}
