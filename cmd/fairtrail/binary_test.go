package main

import (
	"bytes"
	"crypto/sha256"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBinary builds the fairtrail binary as it ships and checks it: it holds the KurrentDB backend and
// goccy/go-json's decoder but not the test double, and on a generated dataset of 1,000 workers it answers `flags --format json` byte for byte the
// same on the embedded store and on KurrentDB.
//
// The dataset holds every type of event the generator writes (20,124 events; 2,000 workers wrote 44,646 and
// 6,000 workers 102,815 of the same 21 types), 20 system events of the double among them and 11 of the import's
// batches of 2,000, and its 9,916 flags (12 MB of JSON) hold every one of the 14 codes that 2,000 and 6,000
// workers raise: what the two stores could answer differently, whatever the size.
func TestBinary(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	bin := fairtrailBinary(t)
	t.Run("contains the KurrentDB backend and goccy's decoder but not the test double", func(t *testing.T) {
		out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool nm: %v\n%s", err, out)
		}
		const backend = "github.com/fairtrail/fairtrail/eventstore/kurrent.Open"
		if !bytes.Contains(out, []byte(backend)) {
			t.Fatalf("no symbol %s in the binary: this check would not see the double either", backend)
		}
		// The replay decoder is goccy/go-json's in every build but the race detector's (projections/decode_race.go),
		// and nothing else imports it.
		const decoder = "github.com/goccy/go-json.Unmarshal"
		if !bytes.Contains(out, []byte(decoder)) {
			t.Errorf("no symbol %s in the binary: it replays stored events with another decoder", decoder)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "eventstore/kurrent/kurrenttest") {
				t.Fatalf("the binary contains the test double: %s", strings.TrimSpace(line))
			}
		}
	})
	t.Run("flags are identical on the embedded store and KurrentDB for 1,000 workers", func(t *testing.T) {
		if testing.Short() {
			t.Skip("imports ~20k events twice")
		}
		file := generatedNDJSON(t, 1_000, 3)
		n := countLines(t, file)
		srv := startKurrentChild(t, 1000) // the double in a process of its own, outside the race detector
		dir := filepath.Join(tmp, "data")
		stores := [][]string{{"--data", dir}, {"--store", srv.URL()}}
		var outputs [2][]byte
		for i, where := range stores {
			start := time.Now()
			if out, err := exec.Command(bin, append([]string{"import", "--progress", "none", file}, where...)...).CombinedOutput(); err != nil {
				t.Fatalf("import %v: %v\n%s", where, err, out)
			}
			imported := time.Since(start)
			start = time.Now()
			outputs[i] = runBin(t, bin, append([]string{"flags", "--format", "json"}, where...)...)
			t.Logf("%s: imported %d events in %s (%.0f events/s), flags in %s (%d bytes of JSON)", where[0], n,
				imported.Round(time.Millisecond), float64(n)/imported.Seconds(), time.Since(start).Round(time.Millisecond), len(outputs[i]))
		}
		if got := srv.Events(t); got != n {
			t.Fatalf("KurrentDB holds %d events, want %d", got, n)
		}
		if !bytes.Equal(outputs[0], outputs[1]) || len(outputs[0]) < 1<<20 {
			t.Fatalf("flags differ: embedded %d bytes (sha256 %x), KurrentDB %d bytes (sha256 %x)", len(outputs[0]),
				sha256.Sum256(outputs[0]), len(outputs[1]), sha256.Sum256(outputs[1]))
		}
	})
}
