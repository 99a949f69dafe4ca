package eventstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// arrivals is NDJSON of n WorkerArrived events with ids uuid(1..n), spread over workers w0..w(workers-1).
func arrivals(n, workers int) []byte {
	var in bytes.Buffer
	for i := 1; i <= n; i++ {
		in.WriteString(arrival(uuid(i), fmt.Sprintf("w%d", i%workers)) + "\n")
	}
	return in.Bytes()
}

// failingStore refuses every AppendBatch after the first ok ones.
type failingStore struct {
	eventstore.Store
	ok int
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) AppendBatch(ctx context.Context, reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	if f.ok == 0 {
		return nil, errDiskFull
	}
	f.ok--
	return f.Store.AppendBatch(ctx, reqs)
}

// TestImportStopsAtTheFirstFailedBatch: while the spool's next batch is read ahead, batches are still stored
// one at a time and in order, so a failed append leaves exactly the batches before it, and says how many.
func TestImportStopsAtTheFirstFailedBatch(t *testing.T) {
	s := openStore(t)
	rep, err := eventstore.Import(context.Background(), &failingStore{Store: s, ok: 2}, bytes.NewReader(arrivals(1000, 7)),
		eventstore.ImportOptions{BatchSize: 300})
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "after the first 600 valid events") {
		t.Fatalf("err = %v, want the disk's error after the first 600 events", err)
	}
	if rep.Appended != 600 {
		t.Fatalf("appended %d, want 600", rep.Appended)
	}
	got := storetest.ReadAll(t, s, eventstore.Start)
	if len(got) != 600 || got[599].ID.String() != uuid(600) {
		t.Fatalf("stored %d events, want the file's first 600", len(got))
	}
}

// TestImportStoresWhatAnAppendStores: the canonical bytes an import works out ahead give every event the hash
// a direct append of the same events gives it.
func TestImportStoresWhatAnAppendStores(t *testing.T) {
	imported := openStore(t)
	if _, err := eventstore.Import(context.Background(), imported, bytes.NewReader(arrivals(50, 3)), eventstore.ImportOptions{BatchSize: 7}); err != nil {
		t.Fatal(err)
	}
	appended := openStore(t)
	for _, rec := range storetest.ReadAll(t, imported, eventstore.Start) {
		_, err := appended.Append(context.Background(), eventstore.AppendRequest{Stream: rec.Stream, Expected: eventstore.Any(),
			Events: []eventstore.Proposed{{ID: rec.ID, Type: rec.Type, OccurredAt: rec.OccurredAt, Data: rec.Data, RecordedBy: rec.RecordedBy}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	want := storetest.ReadAll(t, appended, eventstore.Start)
	for i, rec := range storetest.ReadAll(t, imported, eventstore.Start) {
		if rec.Hash != want[i].Hash {
			t.Fatalf("event %s: imported hash %s, appended %s", rec.ID, rec.Hash, want[i].Hash)
		}
	}
}
