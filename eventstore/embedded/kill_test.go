package embedded

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

const killChildEnv = "FAIRTRAIL_TEST_KILL_CHILD_DIR"

// TestKillChildWriter is the child of TestSIGKILLDuringWritesAndCheckpoints: it appends small batches to the
// store named by the environment, persisting the index every few events, and prints each acknowledged
// event's id, until it is killed.
func TestKillChildWriter(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("run by TestSIGKILLDuringWritesAndCheckpoints")
	}
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	s.checkpointAt = 7
	s.treeSyncAt = 5 // the writer syncs the tree every few commits, so kills land in those syncs too
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		stream := fmt.Sprintf("worker-%d", i%5)
		ev := storetest.Event(t, fmt.Sprintf("K%06d", i), day.Add(time.Duration(i)*time.Second))
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: stream, Events: []eventstore.Proposed{ev}}); err != nil {
			fmt.Fprintln(out, "append:", err)
			out.Flush()
			os.Exit(2)
		}
		fmt.Fprintln(out, ev.ID)
		out.Flush()
	}
}

// TestSIGKILLDuringWritesAndCheckpoints kills a writer process that persists its index and syncs its tree
// every few events at random moments (during an append, its sync, the tree's sync, or the index's write and
// rename), several times over one directory. After each kill the store opens (read-only and writable) with
// every acknowledged event, an index equal to a scan of the log, a passing verify, and a tree that holds the
// checkpoints signed before the kill, also when every hash not synced was lost as a power loss can lose it.
func TestSIGKILLDuringWritesAndCheckpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	t.Parallel()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(8, 3))
	signer, verifier := attackKeys(t)
	var acked []domain.EventID
	var kept []checkpoint.Checkpoint
	for round := range 4 {
		acked = append(acked, killChildAfter(t, dir, 20+rng.IntN(60), time.Duration(rng.IntN(3000))*time.Microsecond)...)
		if round%2 == 1 {
			loseUnsyncedHashes(t, dir, kept[len(kept)-1].Size)
		}
		for _, opts := range []Options{{ReadOnly: true}, {}} {
			s := openStore(t, dir, opts)
			evs := storetest.ReadAll(t, s, eventstore.Start)
			stored := map[domain.EventID]bool{}
			for _, e := range evs {
				stored[e.ID] = true
			}
			for _, id := range acked {
				if !stored[id] {
					t.Fatalf("round %d: acknowledged event %s is missing after the kill", round, id)
				}
			}
			ix, err := s.index()
			if err != nil {
				t.Fatal(err)
			}
			if ix.baseN() < 14 { // the child persisted the index after its 7th and 14th events at least
				t.Fatalf("round %d: open took only %d events from %s", round, ix.baseN(), indexName)
			}
			sameIndex(t, ix, scannedIndex(t, s), evs)
			mustVerify(t, s, len(evs))
			holdsCheckpoints(t, s, kept)
			if !opts.ReadOnly {
				kept = append(kept, signCheckpoint(t, s, signer, verifier))
			}
			closeStore(t, s)
		}
	}
}

// loseUnsyncedHashes zeroes the tree's hashes of every leaf after the last checkpoint (whose hashes were synced
// before it was signed), the worst a power loss can do to them now that commits sync the log alone.
func loseUnsyncedHashes(t *testing.T, dir string, synced int64) {
	t.Helper()
	f, err := treefile.Open(filepath.Join(dir, hashesName), true)
	must(t, err)
	leaves := f.Leaves()
	must(t, f.Close())
	zeroLeaves(t, dir, synced, leaves)
	t.Logf("zeroed the hashes of leaves %d to %d", synced, leaves-1)
}

// holdsCheckpoints checks that a store still holds every checkpoint kept (a clean checkpoint.Verify).
func holdsCheckpoints(t *testing.T, s *Store, kept []checkpoint.Checkpoint) {
	t.Helper()
	for _, cp := range kept {
		rep, err := checkpoint.Verify(context.Background(), s, cp)
		if err != nil || !rep.OK() {
			t.Fatalf("checkpoint of %d signed before the kill: %v %s", cp.Size, err, rep)
		}
	}
}

// signCheckpoint signs the store's current head as an auditor would keep it.
func signCheckpoint(t *testing.T, s *Store, signer note.Signer, verifier note.Verifier) checkpoint.Checkpoint {
	t.Helper()
	_, signed, err := checkpoint.Sign(context.Background(), s, signer)
	must(t, err)
	cp, _, err := checkpoint.Open(signed, verifier)
	must(t, err)
	return cp
}

// killChildAfter runs the child writer and kills it with SIGKILL a little after its n-th acknowledgement,
// returning the ids it acknowledged.
func killChildAfter(t *testing.T, dir string, n int, delay time.Duration) []domain.EventID {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChildWriter$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var ids []domain.EventID
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		id, err := domain.ParseEventID(sc.Text())
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child writer: %s", sc.Text())
		}
		ids = append(ids, id)
		if len(ids) == n {
			time.Sleep(delay)
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(ids) < n {
		t.Fatalf("child writer stopped after %d acknowledgements, want %d", len(ids), n)
	}
	t.Logf("killed after %d acknowledgements + %s", n, strconv.Quote(delay.String()))
	return ids
}
