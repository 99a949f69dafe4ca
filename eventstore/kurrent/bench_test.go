package kurrent_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// The rates through the test double measure the backend and the client over loopback gRPC, not KurrentDB:
//
//	go test ./eventstore/kurrent -run '^$' -bench . -benchtime 3x

// BenchmarkImport imports a generated dataset (1,000 workers, ~15k events) through eventstore.Import.
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	n, err := synth.Generate(&buf, synth.Options{Workers: 1000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		srv := kurrenttest.Start(b, kurrenttest.Options{})
		s, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := eventstore.Import(context.Background(), s, bytes.NewReader(buf.Bytes()), eventstore.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		srv.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppend appends one event per call, as the API does, over 100 worker streams.
func BenchmarkAppend(b *testing.B) {
	srv := kurrenttest.Start(b, kurrenttest.Options{})
	s, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		w := fmt.Sprintf("a%d", i%100)
		ev := storetest.Event(b, w, at.Add(time.Duration(i)*time.Second))
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: "worker-" + w, Events: []eventstore.Proposed{ev}}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReadAll reads a store of ~15k events from the start.
func BenchmarkReadAll(b *testing.B) {
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Workers: 1000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	srv := kurrenttest.Start(b, kurrenttest.Options{})
	s, err := kurrent.Open(context.Background(), srv.URL(), kurrent.Options{Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := eventstore.Import(context.Background(), s, &buf, eventstore.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		for _, err := range s.ReadAll(context.Background(), eventstore.Start) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
