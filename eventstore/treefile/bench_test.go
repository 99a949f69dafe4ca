package treefile_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

// BenchmarkInclusionProof measures RFC 6962 inclusion proofs read from a hashes file, at random leaves of a
// large tree, and reports the p50 and p99 per proof. The tree has 1M leaves; FAIRTRAIL_BENCH_LEAVES=9000000
// measures the 9M events (it writes a 576 MB file first). The file is read through the page cache,
// as a server's would be.
func BenchmarkInclusionProof(b *testing.B) {
	n := int64(1 << 20)
	if s := os.Getenv("FAIRTRAIL_BENCH_LEAVES"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 1 {
			b.Fatalf("FAIRTRAIL_BENCH_LEAVES=%q", s)
		}
		n = v
	}
	f, err := treefile.Open(filepath.Join(b.TempDir(), "tree.hashes"), false)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	const chunk = 1 << 16
	for f.Leaves() < n {
		if err := f.Append(leaves(int(f.Leaves()), int(min(chunk, n-f.Leaves()))), false); err != nil {
			b.Fatal(err)
		}
	}
	root, err := tlog.TreeHash(n, f)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		i := rng.Int64N(n)
		start := time.Now()
		p, err := tlog.ProveRecord(n, i, f)
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if err := tlog.CheckRecord(p, n, root, i, leaves(int(i), 1)[0]); err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(n), "leaves")
}
