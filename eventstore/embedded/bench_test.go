package embedded

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// contractEvent is a realistic event of about 800 bytes of data: a ContractSigned with full terms.
func contractEvent(b testing.TB, worker string, n int) eventstore.Proposed {
	yes, months, hours, rest := true, 24, 48, 1
	e := &domain.ContractSigned{
		ContractID:     fmt.Sprintf("contract-%s-%d", worker, n),
		DocumentSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Language:       "ne",
		Stage:          domain.StagePreDeparture,
		WorkerCopy:     &yes,
		WorkerID:       worker,
		Terms: domain.Terms{
			Benefits: []string{"employer-provided dormitory within walking distance of the worksite",
				"two meals a day on working days", "annual return flight after twelve months of service"},
			Deductions: []domain.Deduction{
				{Amount: "100.00", Currency: "MYR", Kind: "accommodation", Per: domain.PerMonth},
				{Amount: "60.00", Currency: "MYR", Kind: "utilities", Per: domain.PerMonth},
			},
			DurationMonths:  &months,
			EmployerID:      "org-employer-0042",
			HoursPerWeek:    &hours,
			Position:        "production operator, surface-mount assembly line",
			RestDaysPerWeek: &rest,
			Wage:            domain.Wage{Amount: "1700.00", Currency: "MYR", Per: domain.PerMonth},
			Worksite:        domain.Worksite{City: "Bayan Lepas, Penang", Country: "MY"},
		},
	}
	if err := domain.Validate(e); err != nil {
		b.Fatal(err)
	}
	data, err := domain.EncodeData(e)
	if err != nil {
		b.Fatal(err)
	}
	at := day.Add(time.Duration(n) * time.Minute)
	id, err := domain.NewEventID(at, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return eventstore.Proposed{ID: id, Type: e.EventType(), OccurredAt: at, Data: data, RecordedBy: "org-agency-0007"}
}

// contractBatch is 1000 events: ten for each of 100 workers, one request per worker.
func contractBatch(b testing.TB, batch int) []eventstore.AppendRequest {
	reqs := make([]eventstore.AppendRequest, 100)
	for w := range reqs {
		worker := fmt.Sprintf("wk-%06d-%03d", batch, w)
		reqs[w].Stream = domain.WorkerStream(worker)
		for i := range 10 {
			reqs[w].Events = append(reqs[w].Events, contractEvent(b, worker, i))
		}
	}
	return reqs
}

func reportEventsPerSecond(b *testing.B, events int) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkAppendBatch(b *testing.B) {
	s := openStore(b, b.TempDir(), Options{})
	b.Logf("event data: %d bytes", len(contractEvent(b, "wk-size", 0).Data))
	ctx := context.Background()
	events := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		reqs := contractBatch(b, i)
		b.StartTimer()
		if _, err := s.AppendBatch(ctx, reqs); err != nil {
			b.Fatal(err)
		}
		events += 1000
	}
	reportEventsPerSecond(b, events)
}

func BenchmarkConcurrentAppend(b *testing.B) {
	const goroutines = 16
	s := openStore(b, b.TempDir(), Options{})
	ctx := context.Background()
	// Events are made before the timer starts; the goroutines take them in turn, each to its own stream.
	evs := make([]eventstore.Proposed, b.N)
	for i := range evs {
		evs[i] = contractEvent(b, fmt.Sprintf("wk-concurrent-%02d", i%goroutines), i)
	}
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range goroutines {
		wg.Go(func() {
			stream := domain.WorkerStream(fmt.Sprintf("wk-concurrent-%02d", g))
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				req := eventstore.AppendRequest{Stream: stream, Events: evs[n-1 : n]}
				if _, err := s.Append(ctx, req); err != nil {
					failed.Store(&err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if errp := failed.Load(); errp != nil {
		b.Fatal(*errp)
	}
	reportEventsPerSecond(b, b.N)
}

func BenchmarkReadAll(b *testing.B) {
	const batches = 50 // 50,000 events, about 50 MB
	s := openStore(b, b.TempDir(), Options{})
	ctx := context.Background()
	for i := range batches {
		if _, err := s.AppendBatch(ctx, contractBatch(b, i)); err != nil {
			b.Fatal(err)
		}
	}
	events := 0
	for b.Loop() {
		for _, err := range s.ReadAll(ctx, eventstore.Start) {
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
	}
	if events%(batches*1000) != 0 {
		b.Fatalf("read %d events, not a multiple of %d", events, batches*1000)
	}
	reportEventsPerSecond(b, events)
}
