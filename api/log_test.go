package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/evidence"
)

// logFixture is the scenario served with a checkpoint journal, and a checkpoint signed of it.
func logFixture(t *testing.T, opts ...func(*api.Config)) (*fixture, *checkpoint.Journal, note.Signer, note.Verifier, []map[string]any) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "fairtrail.test/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	j, err := checkpoint.OpenJournal(filepath.Join(t.TempDir(), "checkpoints.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, false, func(c *api.Config) {
		c.Checkpoints, c.LogVerifier, c.LogSigner = j, verifier, signer
		for _, o := range opts {
			o(c)
		}
	})
	w := f.mustPost("admin", scenario())
	var answer struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
		t.Fatal(err)
	}
	c, signed, err := checkpoint.Sign(context.Background(), f.store, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Add(c, signed, time.Now()); err != nil {
		t.Fatal(err)
	}
	return f, j, signer, verifier, answer.Events
}

func TestLogRoutes(t *testing.T) {
	f, _, _, verifier, receipts := logFixture(t)
	w := f.get("/v1/log/checkpoint", "buyerA")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /v1/log/checkpoint: %d %s", w.Code, w.Body)
	}
	cp, _, err := checkpoint.Open(w.Body.Bytes(), verifier)
	if err != nil || cp.Size != int64(len(receipts)) {
		t.Fatalf("served checkpoint: %v (size %d, %d events posted)", err, cp.Size, len(receipts))
	}
	var workerLeaf, otherLeaf int
	for i, r := range receipts {
		if r["hash"] == "" || r["leaf_hash"] == "" || int(r["leaf_index"].(float64)) != i {
			t.Fatalf("receipt %d: %v", i, r)
		}
		switch r["stream"] {
		case "worker-w-a1":
			workerLeaf = i
		case "worker-w-b1":
			otherLeaf = i
		}
	}
	cases := []struct {
		name, path, key string
		status          int
	}{
		{"a buyer proves its worker's event", fmt.Sprintf("/v1/log/inclusion?leaf=%d&size=%d", workerLeaf, cp.Size), "buyerA", 200},
		{"another buyer's worker is not found", fmt.Sprintf("/v1/log/inclusion?leaf=%d&size=%d", otherLeaf, cp.Size), "buyerA", 404},
		{"a leaf past the end is not found", fmt.Sprintf("/v1/log/inclusion?leaf=%d&size=%d", cp.Size, cp.Size), "admin", 404},
		{"a size below the leaf is invalid", fmt.Sprintf("/v1/log/inclusion?leaf=%d&size=%d", workerLeaf, workerLeaf), "admin", 400},
		{"a missing size is invalid", "/v1/log/inclusion?leaf=0", "admin", 400},
		{"consistency", fmt.Sprintf("/v1/log/consistency?from=3&to=%d", cp.Size), "auditorA", 200},
		{"consistency beyond the log is invalid", fmt.Sprintf("/v1/log/consistency?from=3&to=%d", cp.Size+1), "admin", 400},
		{"checkpoints since 0", "/v1/log/checkpoints?since=0", "agA", 200},
		{"metrics keys read no log", "/v1/log/checkpoint", "metrics", 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if w := f.get(tc.path, tc.key); w.Code != tc.status {
				t.Fatalf("GET %s as %s: %d %s, want %d", tc.path, tc.key, w.Code, w.Body, tc.status)
			}
		})
	}
	var proof struct {
		LeafHash string `json:"leaf_hash"`
	}
	w = f.get(fmt.Sprintf("/v1/log/inclusion?leaf=%d&size=%d", workerLeaf, cp.Size), "buyerA")
	if err := json.Unmarshal(w.Body.Bytes(), &proof); err != nil || proof.LeafHash != receipts[workerLeaf]["leaf_hash"] {
		t.Fatalf("proof's leaf hash %s, receipt's %v (%v)", proof.LeafHash, receipts[workerLeaf]["leaf_hash"], err)
	}
}

func TestCosignaturesAreKeptAndServed(t *testing.T) {
	f, _, _, verifier, _ := logFixture(t)
	signed := f.get("/v1/log/checkpoint", "auditorA").Body.Bytes()
	wkey, _, err := note.GenerateKey(rand.Reader, "witness.test")
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := checkpoint.Cosign(signed, verifier, wkey)
	if err != nil {
		t.Fatal(err)
	}
	post := func(body []byte) *httptest.ResponseRecorder {
		return f.do("POST", "/v1/log/cosignatures", "auditorA", body, map[string]string{"Content-Type": "text/plain"})
	}
	if w := post([]byte("not a note")); w.Code != http.StatusBadRequest {
		t.Fatalf("garbage: %d %s", w.Code, w.Body)
	}
	if w := post(signed); w.Code != http.StatusBadRequest {
		t.Fatalf("no cosignature: %d %s", w.Code, w.Body)
	}
	if w := post(cosigned); w.Code != http.StatusCreated {
		t.Fatalf("cosigned: %d %s", w.Code, w.Body)
	}
	served := f.get("/v1/log/checkpoint", "buyerA").Body.String()
	if !strings.Contains(served, "— witness.test ") {
		t.Fatalf("served checkpoint lacks the cosignature:\n%s", served)
	}
}

// TestCosignaturesOfWitnessesTheLogDoesNotKnowAreRefused: with the log's witnesses configured, a post holding
// a line none of them signed is refused whole (its known witness's line is not kept either), and a known
// witness's line, or a forged line in its name, is judged by its signature.
func TestCosignaturesOfWitnessesTheLogDoesNotKnowAreRefused(t *testing.T) {
	witness := func(name string) (string, note.Verifier) {
		skey, vkey, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := checkpoint.CosignatureVerifier(vkey)
		if err != nil {
			t.Fatal(err)
		}
		return skey, v
	}
	knownKey, known := witness("witness.known")
	strangerKey, _ := witness("witness.stranger")
	f, _, _, verifier, _ := logFixture(t, func(c *api.Config) { c.Witnesses = []note.Verifier{known} })
	signed := f.get("/v1/log/checkpoint", "auditorA").Body.Bytes()
	cosign := func(body []byte, key string) []byte {
		out, err := checkpoint.Cosign(body, verifier, key)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	post := func(body []byte) *httptest.ResponseRecorder {
		return f.do("POST", "/v1/log/cosignatures", "auditorA", body, map[string]string{"Content-Type": "text/plain"})
	}
	served := func() string { return f.get("/v1/log/checkpoint", "buyerA").Body.String() }

	both := cosign(cosign(signed, knownKey), strangerKey)
	if w := post(both); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `\"witness.stranger\"`) {
		t.Fatalf("a stranger's cosignature beside a known one: %d %s", w.Code, w.Body)
	}
	if s := served(); strings.Contains(s, "— witness.") {
		t.Fatalf("a refused post kept a line:\n%s", s)
	}
	// A line in the known witness's name and key hash whose signature is another's.
	forged := strings.Replace(string(cosign(signed, strangerKey)), "— witness.stranger ", "— witness.known ", 1)
	if w := post([]byte(forged)); w.Code != http.StatusBadRequest {
		t.Fatalf("a forged line in the known witness's name: %d %s", w.Code, w.Body)
	}
	if w := post(cosign(signed, knownKey)); w.Code != http.StatusCreated {
		t.Fatalf("the known witness's cosignature: %d %s", w.Code, w.Body)
	}
	if s := served(); !strings.Contains(s, "— witness.known ") || strings.Contains(s, "witness.stranger") {
		t.Fatalf("served checkpoint:\n%s", s)
	}
}

func TestEvidenceRoute(t *testing.T) {
	f, _, _, verifier, _ := logFixture(t)
	w := f.get("/v1/workers/w-a1/evidence", "buyerA")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("GET evidence: %d %s", w.Code, w.Body)
	}
	sum, err := evidence.Verify(w.Body.Bytes(), verifier)
	if err != nil || sum.WorkerID != "w-a1" {
		t.Fatalf("the served bundle: %+v %v", sum, err)
	}
	if w := f.get("/v1/workers/w-a1/evidence", "buyerB"); w.Code != http.StatusNotFound {
		t.Fatalf("another buyer's worker: %d", w.Code)
	}
	f.mustPost("admin", []any{fee(90, "w-a1", "medical", "10.00")})
	if w := f.get("/v1/workers/w-a1/evidence", "buyerA"); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("a worker with events newer than the checkpoint: %d %s", w.Code, w.Body)
	}
}
