package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// modelFigures are the persisted read model's measurements: each is a command run as a new process of this
// executable on the bench's store, timed from start to exit, with its peak RSS.
type modelFigures struct {
	ModelRebuildSeconds  float64 `json:"model_rebuild_seconds"`
	ModelRebuildEventsPS float64 `json:"model_rebuild_events_per_s"`
	ModelRebuildRSSBytes int64   `json:"model_rebuild_peak_rss_bytes"`
	ModelFileBytes       int64   `json:"model_file_bytes"`
	ColdFlagsWorkerMs    float64 `json:"cold_flags_worker_ms"`
	ColdFlagsWorkerRSS   int64   `json:"cold_flags_worker_rss_bytes"`
	ColdHistoryMs        float64 `json:"cold_history_ms"`
	ColdHistoryRSS       int64   `json:"cold_history_rss_bytes"`
	ColdAuditBuyerMs     float64 `json:"cold_audit_buyer_ms"`
	ColdAuditBuyerRSS    int64   `json:"cold_audit_buyer_rss_bytes"`
	ColdAuditUSDMs       float64 `json:"cold_audit_buyer_usd_ms"`
	ColdAuditUSDRSS      int64   `json:"cold_audit_buyer_usd_rss_bytes"`
	ColdAuditAsOfSeconds float64 `json:"cold_audit_buyer_as_of_seconds"`
	ColdAuditAsOfRSS     int64   `json:"cold_audit_buyer_as_of_rss_bytes"`
	FlagsListed          int     `json:"flags_listed"`
	FlagsListedPerS      float64 `json:"flags_listed_per_s"`
	FlagsListedRSS       int64   `json:"flags_listed_rss_bytes"`
	// The first run of each command but the as-of audit, right after the rebuild (whose reads and writes, tens
	// of GB at 600,000 workers, leave little of the model in the system's page cache), when the figure above
	// is its second run, a new process again: the model's pages cached, as they are for a model in use.
	ColdFlagsWorkerFirstMs float64 `json:"cold_flags_worker_first_ms"`
	ColdHistoryFirstMs     float64 `json:"cold_history_first_ms"`
	ColdAuditBuyerFirstMs  float64 `json:"cold_audit_buyer_first_ms"`
	ColdAuditUSDFirstMs    float64 `json:"cold_audit_buyer_usd_first_ms"`
	FlagsListedFirstPerS   float64 `json:"flags_listed_first_per_s"`
}

// coldRun is one command run as a new process.
type coldRun struct {
	started time.Time
	took    time.Duration
	rss     int64
	out     int // occurrences of `"code": ` in its output: the flags it listed
}

// runCold runs this executable with args as a new process, its temporary files in tmp, and times it from start
// to exit.
func runCold(ctx context.Context, tmp string, args ...string) (coldRun, error) {
	return runChild(ctx, childIO{env: []string{"TMPDIR=" + tmp}}, args...)
}

// childIO is what a child process gets beyond its arguments: more environment, and a writer that sees its
// standard error as it comes (it is also kept for the error of a failed run).
type childIO struct {
	env    []string
	stderr io.Writer
}

// selfCommand is this executable run with args as a child of bench, with env added to its environment.
func selfCommand(ctx context.Context, env []string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: find this executable: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(append(os.Environ(), benchChildEnv+"=1"), env...) // under go test, self is the test binary
	return cmd, nil
}

// runChild runs this executable with args as a new process, timed from start to exit, with its peak RSS.
func runChild(ctx context.Context, cio childIO, args ...string) (coldRun, error) {
	cmd, err := selfCommand(ctx, cio.env, args...)
	if err != nil {
		return coldRun{}, err
	}
	counter := &codeCounter{}
	stderr := &tailBuffer{}
	cmd.Stdout, cmd.Stderr = counter, stderr
	if cio.stderr != nil {
		cmd.Stderr = io.MultiWriter(stderr, cio.stderr)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return coldRun{}, fmt.Errorf("bench: %v: %w", args, err)
	}
	// The child's peak RSS is sampled from /proc while it runs: the rusage of a child started by vfork counts
	// the parent's pages it shared until exec.
	stopSampling := sampleRSS(cmd.Process.Pid, "VmHWM", 2*time.Millisecond)
	err = cmd.Wait()
	took := time.Since(start)
	r := coldRun{started: start, took: took, out: counter.n, rss: stopSampling()}
	if err != nil {
		return coldRun{}, fmt.Errorf("bench: %v: %w\n%s", args, err, stderr.String())
	}
	return r, nil
}

// sampleRSS reads a memory field (VmHWM, VmRSS) of process pid every period until the returned function is
// called, which returns the largest value read, in bytes.
func sampleRSS(pid int, field string, period time.Duration) func() int64 {
	status := fmt.Sprintf("/proc/%d/status", pid)
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var most int64
		for {
			most = max(most, procFieldKB(status, field)<<10)
			select {
			case <-done:
				peak <- most
				return
			case <-time.After(period):
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

// codeCounter counts the flags in a JSON listing (`flags --format json`: an array of objects indented by two
// spaces) as it streams by: the "code" fields of the top-level objects, not those nested in a flag's details.
type codeCounter struct {
	n    int
	tail []byte
}

func (c *codeCounter) Write(b []byte) (int, error) {
	const pat = "\n    \"code\": "
	buf := append(c.tail, b...)
	c.n += bytes.Count(buf, []byte(pat))
	keep := min(len(pat)-1, len(buf))
	c.tail = append(c.tail[:0], buf[len(buf)-keep:]...)
	if bytes.HasSuffix(buf, []byte(pat)) {
		c.tail = c.tail[:0]
	}
	return len(b), nil
}

var _ io.Writer = (*codeCounter)(nil)

// benchModel measures the persisted read model of the store in dir, which holds events: its rebuild from
// position 0 (the model the import left is removed first, so the first command finds none), then cold commands
// over the up-to-date model, each with its temporary files in tmp. The first cold command's worker is one whose
// events are stored (not in absent).
func benchModel(ctx context.Context, dir, tmp string, events, workers int, absent map[string]bool) (modelFigures, error) {
	var mf modelFigures
	if err := modelRebuild(ctx, dir, tmp, events, &mf); err != nil {
		return mf, err
	}
	data := []string{"--data", dir}
	worker := storedWorker(workers, absent)
	runs := []struct {
		args     []string
		ms       *float64
		first    *float64 // the first run's figure, when the command runs twice
		rss      *int64
		seconds  bool
		listFlag bool
	}{
		{[]string{"flags", "--worker", worker, "--format", "json"}, &mf.ColdFlagsWorkerMs, &mf.ColdFlagsWorkerFirstMs, &mf.ColdFlagsWorkerRSS, false, false},
		{[]string{"history", "worker", worker, "--format", "json"}, &mf.ColdHistoryMs, &mf.ColdHistoryFirstMs, &mf.ColdHistoryRSS, false, false},
		{[]string{"audit", "--buyer", "buyer-1", "--format", "json"}, &mf.ColdAuditBuyerMs, &mf.ColdAuditBuyerFirstMs, &mf.ColdAuditBuyerRSS, false, false},
		{[]string{"audit", "--buyer", "buyer-1", "--currency", "USD", "--format", "json"}, &mf.ColdAuditUSDMs, &mf.ColdAuditUSDFirstMs, &mf.ColdAuditUSDRSS, false, false},
		{[]string{"audit", "--buyer", "buyer-1", "--as-of", "2024-06-30", "--format", "json"}, &mf.ColdAuditAsOfSeconds, nil, &mf.ColdAuditAsOfRSS, true, false},
		{[]string{"flags", "--format", "json"}, &mf.FlagsListedPerS, &mf.FlagsListedFirstPerS, &mf.FlagsListedRSS, false, true},
	}
	for _, run := range runs {
		for i := range 2 {
			if i == 1 && run.first == nil {
				break
			}
			if i == 1 {
				*run.first = *run.ms
			}
			r, err := runCold(ctx, tmp, append(run.args, data...)...)
			if err != nil {
				return mf, err
			}
			*run.rss = r.rss
			switch {
			case run.listFlag:
				mf.FlagsListed, *run.ms = r.out, perSecond(r.out, r.took)
			case run.seconds:
				*run.ms = r.took.Seconds()
			default:
				*run.ms = ms(r.took)
			}
		}
	}
	return mf, nil
}

// modelRebuild removes the read model of the store in dir, which holds events, and times the first command
// after it (`audit --by agency`), which rebuilds it from position 0.
func modelRebuild(ctx context.Context, dir, tmp string, events int, mf *modelFigures) error {
	if err := removeModel(dir); err != nil {
		return err
	}
	r, err := runCold(ctx, tmp, "audit", "--format", "json", "--by", "agency", "--data", dir)
	if err != nil {
		return err
	}
	mf.ModelRebuildSeconds, mf.ModelRebuildRSSBytes = r.took.Seconds(), r.rss
	mf.ModelRebuildEventsPS = perSecond(events, r.took)
	if st, err := os.Stat(filepath.Join(dir, readmodel.FileName)); err == nil {
		mf.ModelFileBytes = st.Size()
	}
	return nil
}

// storedWorker is the worker in the middle of the generated dataset or, if its events are not stored yet (it is
// in absent), the nearest one before it that is.
func storedWorker(workers int, absent map[string]bool) string {
	k := 1 + workers/2
	for k > 1 && absent[workerID(k)] {
		k--
	}
	return workerID(k)
}
