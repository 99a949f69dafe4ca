package evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/evidence"
	"github.com/fairtrail/fairtrail/projections"
)

var judgedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// bundleOf imports the command line's scenario, signs a checkpoint and makes w-1's bundle; it returns the
// bundle, the verifier and the worker's report judged on the whole store.
func bundleOf(t testing.TB) ([]byte, note.Verifier, []byte) {
	t.Helper()
	ctx := context.Background()
	s, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f, err := os.Open("../../cmd/fairtrail/testdata/scenario.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := eventstore.Import(ctx, s, f, eventstore.ImportOptions{SpoolDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	skey, vkey, _ := note.GenerateKey(rand.Reader, "fairtrail.test/log")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	_, signed, err := checkpoint.Sign(ctx, s, signer)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	src := evidence.Source{Store: s, Log: s, Checkpoint: signed, Signer: signer, Verifier: verifier}
	if err := evidence.Make(ctx, src, "w-1", judgedAt, &b); err != nil {
		t.Fatal(err)
	}
	m := projections.New(projections.Filter{})
	for rec, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil || m.Apply(rec) != nil {
			t.Fatal(err)
		}
	}
	r, _ := m.View(judgedAt).History("w-1")
	full, _ := json.Marshal(r)
	return b.Bytes(), verifier, full
}

func TestBundleVerifiesOfflineAndMatchesTheStore(t *testing.T) {
	bundle, verifier, full := bundleOf(t)
	sum, err := evidence.Verify(bundle, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if sum.WorkerID != "w-1" || sum.Events < 9 || sum.Flags == 0 {
		t.Fatalf("summary %+v", sum)
	}
	// The bundled events judge the worker as the whole store does: nothing the judgement used is left out.
	files := unzip(t, bundle)
	var a, b any
	if json.Unmarshal(files["report.json"], &a) != nil || json.Unmarshal(full, &b) != nil {
		t.Fatal("reports do not decode")
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("bundle's report differs from the store's:\n%s\n%s", ja, jb)
	}
	_, otherVerifier := keys(t)
	if _, err := evidence.Verify(bundle, otherVerifier); !errors.Is(err, evidence.ErrFailed) {
		t.Fatalf("verified with another key: %v", err)
	}
}

// TestAnyChangedByteFails flips bytes across the bundle (every byte of its start and end, where the zip's
// headers and directory are, and a spread in between) and checks each changed bundle fails, saying what.
func TestAnyChangedByteFails(t *testing.T) {
	bundle, verifier, _ := bundleOf(t)
	var offsets []int
	for i := range len(bundle) {
		if i < 128 || i >= len(bundle)-512 || i%(len(bundle)/400+1) == 0 {
			offsets = append(offsets, i)
		}
	}
	seen := map[string]bool{}
	for _, off := range offsets {
		b := bytes.Clone(bundle)
		b[off] ^= 0x20
		_, err := evidence.Verify(b, verifier)
		if !errors.Is(err, evidence.ErrFailed) {
			t.Fatalf("byte %d of %d changed: %v, want ErrFailed", off, len(bundle), err)
		}
		seen[err.Error()[:min(60, len(err.Error()))]] = true
	}
	if len(seen) < 3 {
		t.Errorf("only %d different failure messages: %v", len(seen), seen)
	}
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	files, err := evidence.Files(b)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keys(t *testing.T) (note.Signer, note.Verifier) {
	skey, vkey, _ := note.GenerateKey(rand.Reader, "fairtrail.test/log")
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

// FuzzVerify feeds bundles from outside to Verify: it never panics, and a bundle other than the one made
// fails.
func FuzzVerify(f *testing.F) {
	bundle, verifier, _ := bundleOf(f)
	f.Add(bundle)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := evidence.Verify(b, verifier); err == nil && !bytes.Equal(b, bundle) {
			t.Fatal("a bundle other than the one made verified")
		}
	})
}
