package readmodel_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestHelperWriter is not a test: TestCatchUpSurvivesSIGKILL runs the test binary on it as a writer to kill.
// It imports the dataset a slice at a time into the store in $FAIRTRAIL_HELPER_DIR, catching the model up
// after each, with a small IncrementalLimit so that some catch-ups rebuild.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv("FAIRTRAIL_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestCatchUpSurvivesSIGKILL")
	}
	ls := lines(t)
	s := openStore(t, dir)
	m := openModel(t, dir, readmodel.Options{IncrementalLimit: 300})
	step, _ := strconv.Atoi(os.Getenv("FAIRTRAIL_HELPER_STEP"))
	for from := 0; from < len(ls); from += step {
		importLines(t, s, ls[from:min(from+step, len(ls))])
		catchUp(t, m, s)
	}
}

// TestCatchUpSurvivesSIGKILL kills, with SIGKILL, a process that imports and catches the model up, at random
// moments once it has made progress, three times over one directory, then lets a fourth finish. After each,
// the model opens, catches up, and answers exactly as a model rebuilt in memory from the store.
func TestCatchUpSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills a writer process")
	}
	t.Parallel()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 8))
	var reached uint64
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FAIRTRAIL_HELPER_DIR="+dir, "FAIRTRAIL_HELPER_STEP="+strconv.Itoa(40+rng.IntN(60)))
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var err error
		if round < 3 {
			err = killAfterProgress(t, cmd, exited, dir, reached+200, time.Duration(rng.IntN(100))*time.Millisecond)
		} else {
			err = <-exited
		}
		if err != nil && !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: writer failed: %v\n%s", round, err, out.String())
		}
		s := openStore(t, dir)
		m := openModel(t, dir, readmodel.Options{})
		before, err := m.Checkpoint(context.Background())
		if err != nil {
			t.Fatalf("round %d: model after the kill: %v", round, err)
		}
		res := catchUp(t, m, s)
		t.Logf("round %d: stopped with the model at %s; catch-up %+v", round, before.Position, res)
		reached = res.Checkpoint.Position.Commit
		conformSome(t, m, s, map[bool]float64{true: 0.5, false: 0}[round == 3])
		m.Close()
		s.Close()
	}
}

// killAfterProgress kills the writer, after delay, once its model has reached the position at least (or
// returns what it exited with, if it finished first).
func killAfterProgress(t *testing.T, cmd *exec.Cmd, exited chan error, dir string, at uint64, delay time.Duration) error {
	t.Helper()
	m := openModel(t, dir, readmodel.Options{})
	defer m.Close()
	for {
		select {
		case err := <-exited:
			return err
		case <-time.After(20 * time.Millisecond):
		}
		cp, err := m.Checkpoint(context.Background())
		if err == nil && cp.Position.Commit >= at {
			break
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return <-exited
}
