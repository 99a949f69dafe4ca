package checkpoint_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tdlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

const origin = "fairtrail.test/log"

func keys(t *testing.T, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func filled(t *testing.T, n int) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range n {
		w := []string{"a", "b", "c"}[i%3]
		ev := storetest.Event(t, w, time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-" + w,
			Events: []eventstore.Proposed{ev}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestThirdPartyVerifiers checks fairtrail's checkpoints and proofs with verifiers that are not fairtrail's:
// transparency-dev's checkpoint parser and RFC 6962 proof verifiers.
func TestThirdPartyVerifiers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	signer, verifier := keys(t, origin)
	s := filled(t, 13)
	old, _, err := checkpoint.Sign(ctx, s, signer)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		ev := storetest.Event(t, "d", time.Date(2025, 2, 1, i, 0, 0, 0, time.UTC))
		if _, err := s.Append(ctx, eventstore.AppendRequest{Stream: "worker-d", Events: []eventstore.Proposed{ev}}); err != nil {
			t.Fatal(err)
		}
	}
	cur, signed, err := checkpoint.Sign(ctx, s, signer)
	if err != nil {
		t.Fatal(err)
	}
	cp, _, _, err := tdlog.ParseCheckpoint(signed, origin, verifier)
	if err != nil {
		t.Fatalf("transparency-dev rejects the checkpoint: %v\n%s", err, signed)
	}
	if cp.Size != 21 || string(cp.Hash) != string(cur.Root[:]) {
		t.Fatalf("parsed size %d root %x, signed %d %v", cp.Size, cp.Hash, cur.Size, cur.Root)
	}
	for i := range cur.Size {
		rec, err := s.LeafEvent(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.ProveLeaf(ctx, i, cur.Size)
		if err != nil {
			t.Fatal(err)
		}
		leaf := rfc6962.DefaultHasher.HashLeaf(eventstore.Leaf(rec))
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), cp.Size, leaf, hashes(p), cp.Hash); err != nil {
			t.Fatalf("inclusion of leaf %d: %v", i, err)
		}
	}
	tp, err := s.ProveTree(ctx, old.Size, cur.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(old.Size), cp.Size, hashes(tp), old.Root[:], cp.Hash); err != nil {
		t.Fatalf("consistency %d -> %d: %v", old.Size, cp.Size, err)
	}
}

func hashes(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

func TestOpenRefusesWhatTheKeyDidNotSign(t *testing.T) {
	t.Parallel()
	signer, verifier := keys(t, origin)
	_, otherVerifier := keys(t, origin)
	_, signed, err := checkpoint.Sign(context.Background(), filled(t, 2), signer)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte(strings.Replace(string(signed), "\n2\n", "\n3\n", 1))
	cases := []struct {
		name     string
		signed   []byte
		verifier note.Verifier
	}{
		{"another key of the same name", signed, otherVerifier},
		{"the size edited", edited, verifier},
		{"not a note", []byte("hello\n"), verifier},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := checkpoint.Open(tc.signed, tc.verifier); !errors.Is(err, checkpoint.ErrSignature) {
				t.Fatalf("err %v, want ErrSignature", err)
			}
		})
	}
	if c, _, err := checkpoint.Open(signed, verifier); err != nil || c.Size != 2 {
		t.Fatalf("the genuine checkpoint: %v %v", c, err)
	}
}

func TestJournalKeepsCheckpointsAndCosignatures(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "checkpoints.ndjson")
	j, err := checkpoint.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := keys(t, origin)
	s := filled(t, 3)
	c, signed, err := checkpoint.Sign(context.Background(), s, signer)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if added, err := j.Add(c, signed, at); err != nil || !added {
		t.Fatalf("add: %v %v", added, err)
	}
	if added, _ := j.Add(c, signed, at); added {
		t.Fatal("the same size was kept twice")
	}
	if err := j.AddCosignature(c, "— witness.test abcd\n"); err != nil {
		t.Fatal(err)
	}
	other := c
	other.Root[0] ^= 1
	if err := j.AddCosignature(other, "— witness.test efgh\n"); err == nil {
		t.Fatal("a cosignature of a root never signed was kept")
	}
	again, err := checkpoint.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	latest, ok, err := again.Latest()
	if err != nil || !ok || latest.Size != 3 || len(latest.Cosignatures) != 1 {
		t.Fatalf("reopened journal: %+v %v %v", latest, ok, err)
	}
	if !strings.HasSuffix(string(latest.Signed()), "— witness.test abcd\n") {
		t.Fatalf("served note lacks the cosignature:\n%s", latest.Signed())
	}
}

// TestCosignatureVerifierFromAKeyOrAFile: a witness's verifier key is taken as it is printed or from the file
// it was saved in (`evidence verify --witness witness.pub`, `serve --witness-key`), and checks that witness's
// cosignature; a path that is not there is named.
func TestCosignatureVerifierFromAKeyOrAFile(t *testing.T) {
	t.Parallel()
	skey, vkey, err := note.GenerateKey(rand.Reader, "witness.test")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "witness.pub")
	if err := os.WriteFile(file, []byte(vkey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, verifier := keys(t, origin)
	_, signed, err := checkpoint.Sign(context.Background(), filled(t, 3), signer)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := checkpoint.Cosign(signed, verifier, skey)
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{vkey, file} {
		w, err := checkpoint.CosignatureVerifier(arg)
		if err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		_, n, err := checkpoint.Open(cosigned, verifier, w)
		if err != nil || !checkpoint.SignedByOneOf(n, checkpoint.OtherSignatures(cosigned, n, verifier)[0], []note.Verifier{w}) {
			t.Fatalf("%s: the witness's cosignature does not verify: %v", arg, err)
		}
	}
	missing := filepath.Join(t.TempDir(), "gone.pub")
	if _, err := checkpoint.CosignatureVerifier(missing); err == nil || !strings.Contains(err.Error(), "gone.pub") {
		t.Fatalf("a missing file: %v", err)
	}
}
