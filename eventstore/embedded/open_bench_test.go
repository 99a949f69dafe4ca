package embedded

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// benchStore is the store BenchmarkOpen opens: FAIRTRAIL_BENCH_STORE names an existing data directory (a
// `fairtrail import` of `fairtrail generate --workers 600000` is about 9M events; it is opened, never
// changed, and must not be in use by a writer), else one of FAIRTRAIL_BENCH_EVENTS events (default 100,000)
// is built in a temporary directory.
func benchStore(b *testing.B) (string, string) {
	if dir := os.Getenv("FAIRTRAIL_BENCH_STORE"); dir != "" {
		return dir, ""
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("FAIRTRAIL_BENCH_EVENTS")); err == nil && v >= 1000 {
		n = v
	}
	dir := b.TempDir()
	s := openStore(b, dir, Options{})
	for i := range n / 1000 {
		if _, err := s.AppendBatch(context.Background(), contractBatch(b, i)); err != nil {
			b.Fatal(err)
		}
	}
	closeStore(b, s)
	return dir, domain.WorkerStream("wk-000000-042")
}

// BenchmarkOpen prints what opening a store costs: a cold read-only open that reads one stream (what a query
// command does) with the persisted index, the same with the index rebuilt by a scan of the log (as every open
// did before events.idx), a read-only open's first tree hash (what log checkpoint and evidence pay), and a
// writable open (which still checks every record's checksum and the tree's last leaves).
func BenchmarkOpen(b *testing.B) {
	dir, stream := benchStore(b)
	ctx := context.Background()
	var events uint64
	readOne := func(b *testing.B, s *Store) {
		ix, err := s.index()
		if err != nil {
			b.Fatal(err)
		}
		events = ix.last()
		if stream == "" && ix.base != nil && ix.base.streams > 0 {
			name, err := ix.base.streamName(ix.base.streams / 2)
			if err != nil {
				b.Fatal(err)
			}
			stream = string(bytes.Clone(name))
		}
		for name := range ix.streams {
			if stream == "" {
				stream = name
			}
		}
		for _, err := range s.ReadStream(ctx, stream, 0) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("read-only with events.idx", func(b *testing.B) {
		for b.Loop() {
			s := openStore(b, dir, Options{ReadOnly: true})
			readOne(b, s)
			closeStore(b, s)
		}
		reportOpen(b, events)
	})
	b.Run("read-only scanning the log", func(b *testing.B) {
		for b.Loop() {
			s := openStore(b, dir, Options{ReadOnly: true})
			ix, _, _, err := scanIndex(s.f, newIndex(nil), false)
			if err != nil {
				b.Fatal(err)
			}
			s.ix = ix
			s.ixOnce.Do(func() {})
			readOne(b, s)
			closeStore(b, s)
		}
		reportOpen(b, events)
	})
	b.Run("read-only, first tree hash", func(b *testing.B) {
		// What a query that signs or proves pays once: the last treeRecheck leaves checked against the log.
		for b.Loop() {
			s := openStore(b, dir, Options{ReadOnly: true})
			n, err := s.TreeSize(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.TreeHash(ctx, n); err != nil {
				b.Fatal(err)
			}
			events = uint64(n)
			closeStore(b, s)
		}
		reportOpen(b, events)
	})
	b.Run("writable with events.idx", func(b *testing.B) {
		for b.Loop() {
			s := openStore(b, dir, Options{})
			readOne(b, s)
			closeStore(b, s)
		}
		reportOpen(b, events)
	})
}

func reportOpen(b *testing.B, events uint64) {
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/open")
	b.ReportMetric(float64(events), "events")
	if rss := vmRSS(); rss != "" {
		b.Logf("%d events; process VmRSS after the last open: %s", events, rss)
	}
}

// vmRSS is the process's resident set size as /proc reports it ("" where there is no /proc).
func vmRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}
