package main

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// TestImportSurvivesSIGKILL kills `fairtrail import` with SIGKILL in the middle of a large import, three times
// over the same data directory. After every kill, every event the import had reported as durably stored must be
// there, verify must pass, and so must verify --checkpoint against the checkpoint signed after the previous
// kill; the next import resumes, and the last one completes with every event stored exactly once.
//
// The dataset is TestBinary's (1,000 workers, 20,124 events, 11 of the import's batches), generated once for
// both: every round kills within a batch's write and sync with batches before and after it, whatever the size.
func TestImportSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports ~20k events")
	}
	t.Parallel()
	bin := fairtrailBinary(t)
	file := generatedNDJSON(t, 1_000, 3)
	ids := fileEventIDs(t, file)
	dir := filepath.Join(t.TempDir(), "data")
	rng := rand.New(rand.NewPCG(1, 2))
	batches := len(ids) / 2000 // the import's batch size
	done := 0                  // batches stored so far: each round kills while new events are being written
	for round := range 3 {
		at := done + 1 + rng.IntN(max(1, (batches-done)/2))
		acked := importUntilKilled(t, bin, dir, file, at, time.Duration(rng.IntN(20))*time.Millisecond)
		stored := storedIDs(t, dir)
		for i, id := range ids[:acked] {
			if !stored[id] {
				t.Fatalf("round %d: event %d (%s) was acknowledged before the kill but is missing", round, i, id)
			}
		}
		checkpointAcrossKills(t, bin, dir, round) // verifies every hash chain, and the log against the last checkpoint
		t.Logf("round %d: killed after %d acknowledged events; %d stored", round, acked, len(stored))
		done = len(stored) / 2000
	}
	if out, err := exec.Command(bin, "import", "--data", dir, file).CombinedOutput(); err != nil {
		t.Fatalf("final import: %v\n%s", err, out)
	}
	stored := storedIDs(t, dir)
	if len(stored) != len(ids) {
		t.Fatalf("%d events stored, want %d", len(stored), len(ids))
	}
	if out, err := exec.Command(bin, "verify", "--data", dir).CombinedOutput(); err != nil {
		t.Fatalf("final verify: %v\n%s", err, out)
	}
}

// checkpointAcrossKills verifies the store: every hash chain, and from the second round the log against the
// checkpoint signed in the previous round, in one run of verify (which checks the chains before the
// checkpoint); in the first round it makes the operator's key. Then it signs a new checkpoint.
func checkpointAcrossKills(t *testing.T, bin, dir string, round int) {
	t.Helper()
	vkey, cp := filepath.Join(filepath.Dir(dir), "operator.pub"), filepath.Join(filepath.Dir(dir), "checkpoint")
	if round == 0 {
		if out, err := exec.Command(bin, "verify", "--data", dir).CombinedOutput(); err != nil {
			t.Fatalf("round %d: verify after the kill: %v\n%s", round, err, out)
		}
		writeCommandOutput(t, vkey, bin, "log", "keygen", "--data", dir, "--origin", "crash.test/log")
	} else if out, err := exec.Command(bin, "verify", "--data", dir, "--checkpoint", cp, "--key", vkey).CombinedOutput(); err != nil {
		t.Fatalf("round %d: verify --checkpoint signed before the kill: %v\n%s", round, err, out)
	}
	writeCommandOutput(t, cp, bin, "log", "checkpoint", "--data", dir)
}

func writeCommandOutput(t *testing.T, file, bin string, args ...string) {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

var storedLine = regexp.MustCompile(`stored (\d+) of (\d+) events durably`)

// importUntilKilled starts an import and kills it a little after it reports the given number of durable
// batches (so the kill lands anywhere in the next batch's write and sync), returning how many events (in file
// order) it had reported stored.
func importUntilKilled(t *testing.T, bin, dir, file string, batches int, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(bin, "import", "--data", dir, "--progress", "lines", file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked, seen := 0, 0
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		m := storedLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		acked, _ = strconv.Atoi(m[1])
		if seen++; seen == batches {
			time.Sleep(delay)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	_ = cmd.Wait() // killed, or finished early when the import had little left to do
	return acked
}

func fileEventIDs(t *testing.T, file string) []domain.EventID {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []domain.EventID
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var env struct {
			EventID domain.EventID `json:"event_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, env.EventID)
	}
	return ids
}

func storedIDs(t *testing.T, dir string) map[domain.EventID]bool {
	t.Helper()
	s, err := embedded.Open(dir, embedded.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer s.Close()
	out := map[domain.EventID]bool{}
	for rec, err := range s.ReadAll(context.Background(), eventstore.Start) {
		if err != nil {
			t.Fatalf("read after kill: %v", err)
		}
		out[rec.ID] = true
	}
	return out
}
