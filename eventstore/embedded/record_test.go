package embedded

import (
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

var update = flag.Bool("update", false, "rewrite the golden record")

// TestRecordGolden freezes the on-disk record format (version 1): a change to the layout fails here, and must
// come with a new version number and a reader for the old one.
func TestRecordGolden(t *testing.T) {
	id, _ := domain.ParseEventID("0190b6a4-0000-7000-8000-000000000008")
	rec := eventstore.Recorded{
		ID: id, Type: "FeePaid", Stream: "worker-w-1", Revision: 3,
		Position:   eventstore.Position{Commit: 42, Prepare: 42},
		OccurredAt: time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC),
		RecordedAt: time.Date(2026, 11, 22, 13, 15, 0, 123456789, time.UTC),
		RecordedBy: "import",
		Data:       []byte(`{"amount":{"amount":"80000.00","currency":"NPR"},"category":"recruitment_fee","fee_id":"fee-1","method":"loan","payee_id":"agency-np","payer":"worker","worker_id":"w-1"}`),
	}
	var hash [32]byte
	copy(hash[:], []byte("0123456789abcdef0123456789abcdef"))
	got := hex.EncodeToString(appendRecord(nil, &rec, hash))
	const path = "testdata/record_v1.hex"
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("record encoding changed:\n got %s\nwant %s", got, want)
	}
	raw, _ := hex.DecodeString(got)
	back, err := decodeRecord(raw[headerSize:])
	if err != nil {
		t.Fatal(err)
	}
	rec.Hash = hex.EncodeToString(hash[:])
	if back.ID != rec.ID || back.Stream != rec.Stream || back.Revision != rec.Revision || back.Position != rec.Position ||
		!back.OccurredAt.Equal(rec.OccurredAt) || !back.RecordedAt.Equal(rec.RecordedAt) || back.RecordedBy != rec.RecordedBy ||
		string(back.Data) != string(rec.Data) || back.Hash != rec.Hash || back.Type != rec.Type {
		t.Fatalf("decoded %+v, want %+v", back, rec)
	}
}
