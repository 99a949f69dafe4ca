package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// testConcurrentIngests checks the record-id rule under concurrent writers (eventstore.Ingest, as POST
// /v1/events runs it): writers ingesting, at once, each its own fee under one (worker_id, fee_id) store exactly
// one of them, and every other writer is refused for the reused id, not stored beside it.
func testConcurrentIngests(t *testing.T, s eventstore.Store) {
	const writers = 8
	ctx := context.Background()
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		in := []eventstore.Admitted{admitFee(t, w)}
		wg.Go(func() { _, errs[w] = eventstore.Ingest(ctx, s, in, eventstore.IngestOptions{}) })
	}
	wg.Wait()
	stored := 0
	for _, err := range errs {
		switch {
		case err == nil:
			stored++
		case !errors.Is(err, eventstore.ErrFeeIDReused):
			t.Fatalf("a racing writer refused with %v, want ErrFeeIDReused", err)
		}
	}
	fees := 0
	for rec, err := range s.ReadStream(ctx, "worker-racing", 0) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == domain.TypeFeePaid {
			fees++
		}
	}
	if stored != 1 || fees != 1 {
		t.Fatalf("%d writers stored their fee, the stream holds %d fees; want 1 and 1", stored, fees)
	}
}

// admitFee is writer w's FeePaid of fee_id f-1 for worker racing, with its own event id and amount.
func admitFee(t *testing.T, w int) eventstore.Admitted {
	t.Helper()
	id, err := domain.NewEventID(time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, err := eventstore.Admit(fmt.Appendf(nil, `{"event_id":%q,"type":"FeePaid","occurred_at":"2025-03-04T09:00:00Z",`+
		`"data":{"worker_id":"racing","fee_id":"f-1","category":"visa","amount":{"amount":"%d.00","currency":"NPR"},`+
		`"payer":"worker","payee_id":"agency-1","method":"cash"}}`, id.String(), 100+w))
	if err != nil {
		t.Fatal(err)
	}
	a.Event.RecordedBy = "test"
	return a
}
