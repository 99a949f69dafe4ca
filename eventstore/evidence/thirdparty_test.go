package evidence_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	tdlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// TestBundleChecksWithoutFairtrail checks a bundle as an auditor holding only spec section 6 and third-party
// code would: the checkpoint with transparency-dev's C2SP parser, each proof file read as C2SP tlog-proof
// text, and each leaf rebuilt from the event's own fields in events.ndjson (canonical JSON: keys sorted, no
// white space, recorded_at in UTC as the bundle gives it), never with fairtrail's Leaf. So the leaves the log
// commits to are the ones the spec defines from what the bundle shows, not merely the ones fairtrail's maker
// and verifier agree on.
func TestBundleChecksWithoutFairtrail(t *testing.T) {
	bundle, verifier, _ := bundleOf(t)
	files := unzip(t, bundle)
	cp, _, _, err := tdlog.ParseCheckpoint(files["checkpoint.txt"], verifier.Name(), verifier)
	if err != nil {
		t.Fatalf("transparency-dev rejects the bundle's checkpoint: %v", err)
	}
	var root tlog.Hash
	copy(root[:], cp.Hash)
	sc := bufio.NewScanner(bytes.NewReader(files["events.ndjson"]))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var e struct {
			LeafIndex  int64  `json:"leaf_index"`
			EventID    string `json:"event_id"`
			Stream     string `json:"stream"`
			Revision   uint64 `json:"revision"`
			RecordedAt string `json:"recorded_at"`
			RecordedBy string `json:"recorded_by"`
			Hash       string `json:"hash"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339Nano, e.RecordedAt)
		if err != nil || at.UTC().Format(time.RFC3339Nano) != e.RecordedAt {
			t.Fatalf("event %s: recorded_at %q is not RFC 3339 in UTC: %v", e.EventID, e.RecordedAt, err)
		}
		if len(e.Hash) != 64 || strings.ToLower(e.Hash) != e.Hash {
			t.Fatalf("event %s: hash %q is not 64 lower-case hex digits", e.EventID, e.Hash)
		}
		leaf, err := json.Marshal(map[string]any{"event_id": e.EventID, "hash": e.Hash, "recorded_at": e.RecordedAt,
			"recorded_by": e.RecordedBy, "revision": e.Revision, "stream": e.Stream})
		if err != nil {
			t.Fatal(err)
		}
		index, hashes, signed := parseTLogProof(t, files[fmt.Sprintf("proofs/%d.txt", e.LeafIndex)])
		if index != e.LeafIndex || !bytes.Equal(signed, files["checkpoint.txt"]) {
			t.Fatalf("proof of leaf %d names leaf %d or another checkpoint", e.LeafIndex, index)
		}
		if err := tlog.CheckRecord(hashes, int64(cp.Size), root, index, tlog.RecordHash(leaf)); err != nil {
			t.Fatalf("tlog: leaf %d (%s) is not in the checkpoint: %v", index, leaf, err)
		}
		raw := make([][]byte, len(hashes))
		for i := range hashes {
			raw[i] = hashes[i][:]
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(index), cp.Size,
			rfc6962.DefaultHasher.HashLeaf(leaf), raw, cp.Hash); err != nil {
			t.Fatalf("transparency-dev: leaf %d is not in the checkpoint: %v", index, err)
		}
		n++
	}
	if n < 9 {
		t.Fatalf("checked %d events", n)
	}
}

// parseTLogProof reads C2SP tlog-proof text: the header line, an optional extra line, "index N", the proof's
// hashes in base64 one a line, an empty line and the signed checkpoint.
func parseTLogProof(t *testing.T, b []byte) (int64, tlog.RecordProof, []byte) {
	t.Helper()
	head, signed, ok := strings.Cut(string(b), "\n\n")
	lines := strings.Split(head, "\n")
	if !ok || len(lines) < 2 || lines[0] != "c2sp.org/tlog-proof@v1" {
		t.Fatalf("not a C2SP tlog-proof:\n%s", b)
	}
	lines = lines[1:]
	if strings.HasPrefix(lines[0], "extra ") {
		lines = lines[1:]
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "index "), 10, 64)
	if err != nil || !strings.HasPrefix(lines[0], "index ") {
		t.Fatalf("no index line in:\n%s", b)
	}
	var p tlog.RecordProof
	for _, l := range lines[1:] {
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != tlog.HashSize {
			t.Fatalf("proof hash %q: %v", l, err)
		}
		p = append(p, tlog.Hash(h))
	}
	return index, p, []byte(signed)
}
