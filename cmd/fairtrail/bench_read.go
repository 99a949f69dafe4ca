package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections"
)

// benchChildEnv is set in the environment of the child process that measures the read side.
const benchChildEnv = "FAIRTRAIL_BENCH_CHILD"

// readFigures are the read side's measurements, made in a child process so that its peak RSS is the rebuild's
// alone, not the import's that ran before it.
type readFigures struct {
	RebuildEvents       int     `json:"rebuild_events"`
	RebuildSeconds      float64 `json:"rebuild_seconds"`
	RebuildEventsPerS   float64 `json:"rebuild_events_per_s"`
	RebuildPeakRSSBytes int64   `json:"rebuild_peak_rss_bytes"`
	AuditColdMs         float64 `json:"audit_cold_ms"`
	ReadModelRSSBytes   int64   `json:"read_model_rss_bytes"`
	Queries             int     `json:"queries"`
	HistoryP50Ms        float64 `json:"history_p50_ms"`
	HistoryP99Ms        float64 `json:"history_p99_ms"`
	FlagsP50Ms          float64 `json:"flags_p50_ms"`
	FlagsP99Ms          float64 `json:"flags_p99_ms"`
	Buyers              int     `json:"buyers"`
	AuditP50Ms          float64 `json:"audit_p50_ms"`
	AuditMs             float64 `json:"audit_ms"`
}

// benchReadsInChild runs `bench --rebuild-child DIR` as a new process of this executable and returns what it
// measured.
func benchReadsInChild(ctx context.Context, storeDir string, cfg benchConfig, env environment) (readFigures, error) {
	var rf readFigures
	self, err := os.Executable()
	if err != nil {
		return rf, fmt.Errorf("bench: find this executable to rebuild in a child process: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "bench", "--rebuild-child", storeDir, "--queries", strconv.Itoa(cfg.queries),
		"--seed", strconv.FormatInt(cfg.seed, 10), "--profile", cfg.profile)
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	cmd.Stderr = env.stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return rf, fmt.Errorf("bench: rebuild child process: %w", err)
	}
	if err := json.Unmarshal(out.Bytes(), &rf); err != nil {
		return rf, fmt.Errorf("bench: rebuild child process printed %q: %w", out.String(), err)
	}
	return rf, nil
}

// runRebuildChild is the child process: it rebuilds the read model of the store in dir from position 0 exactly as
// the query commands do, reads its peak RSS, then measures the queries, and prints its figures as JSON.
func runRebuildChild(ctx context.Context, dir string, cfg benchConfig, env environment) error {
	var rf readFigures
	prof := profiler{cfg.profile}
	var m *projections.Model
	var took time.Duration
	err := prof.phase("rebuild", func() (err error) {
		start := time.Now()
		m, err = rebuild(ctx, dir)
		took = time.Since(start)
		return err
	})
	if err != nil {
		return err
	}
	rf.RebuildEvents, rf.RebuildSeconds, rf.RebuildEventsPerS = m.Len(), took.Seconds(), perSecond(m.Len(), took)
	rf.RebuildPeakRSSBytes = procStatusBytes("VmHWM")
	if err := prof.heap("rebuild"); err != nil {
		return err
	}
	if err := measureQueries(m, cfg.queries, cfg.seed, &rf, prof); err != nil {
		return err
	}
	return json.NewEncoder(env.stdout).Encode(rf)
}

// rebuild replays the store in dir into a new model with projections.Rebuild, as replay.go does for every query
// command.
func rebuild(ctx context.Context, dir string) (*projections.Model, error) {
	s, err := embedded.Open(dir, embedded.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	m, err := projections.Rebuild(ctx, s, projections.Filter{})
	if err != nil {
		return nil, fmt.Errorf("bench: rebuild: %w", err)
	}
	return m, nil
}

// measureQueries times, on the rebuilt model: the first (cold) buyer audit, which judges every worker and
// leaves the judgements cached; then history and flags of a random sample of workers and the audit of every
// buyer, each query on a fresh View as a command or an API request makes.
func measureQueries(m *projections.Model, queries int, seed int64, rf *readFigures, prof profiler) error {
	now := time.Now().UTC()
	buyers := buyerIDs(m.View(now), m)
	if len(buyers) == 0 {
		return fmt.Errorf("bench: the dataset names no buyer")
	}
	start := time.Now()
	if err := prof.phase("audit-cold", func() error {
		_, err := m.View(now).Audit(projections.AuditQuery{BuyerID: buyers[0]})
		return err
	}); err != nil {
		return err
	}
	rf.AuditColdMs = ms(time.Since(start))
	rf.ReadModelRSSBytes = procStatusBytes("VmRSS")

	ids := m.WorkerIDs()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x62656e6368))
	sample := make([]string, queries)
	for i := range sample {
		sample[i] = ids[rng.IntN(len(ids))]
	}
	history := timeEach(sample, func(id string) bool {
		_, ok := m.View(now).History(id)
		return ok
	})
	flags := timeEach(sample, func(id string) bool {
		v := m.View(now)
		if _, ok := v.Worker(id); !ok {
			return false
		}
		v.Flags(projections.FlagQuery{WorkerID: id})
		return true
	})
	if history == nil || flags == nil {
		return fmt.Errorf("bench: a sampled worker was not found")
	}
	audits, err := warmAudits(m, now, buyers, prof)
	if err != nil {
		return err
	}
	rf.Queries, rf.Buyers = queries, len(buyers)
	rf.HistoryP50Ms, rf.HistoryP99Ms = percentileMs(history, 0.50), percentileMs(history, 0.99)
	rf.FlagsP50Ms, rf.FlagsP99Ms = percentileMs(flags, 0.50), percentileMs(flags, 0.99)
	rf.AuditP50Ms, rf.AuditMs = percentileMs(audits, 0.50), percentileMs(audits, 1)
	return nil
}

// buyerIDs lists the buyers named by the job orders, sorted.
func buyerIDs(v *projections.View, m *projections.Model) []string {
	var out []string
	for _, id := range m.JobOrderIDs() {
		if jo, ok := v.JobOrder(id); ok {
			for _, b := range jo.BuyerIDs {
				if !slices.Contains(out, b) {
					out = append(out, b)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// timeEach times query over the sample; nil when a query reports its subject unknown.
func timeEach(sample []string, query func(id string) bool) []time.Duration {
	out := make([]time.Duration, len(sample))
	for i, id := range sample {
		t := time.Now()
		if !query(id) {
			return nil
		}
		out[i] = time.Since(t)
	}
	return out
}

// warmAudits audits every buyer (repeatedly, for at least 10 audits) on a judged model, each on a fresh View.
func warmAudits(m *projections.Model, now time.Time, buyers []string, prof profiler) ([]time.Duration, error) {
	var audits []time.Duration
	err := prof.phase("audit-warm", func() error {
		for len(audits) < max(10, len(buyers)) {
			for _, b := range buyers {
				t := time.Now()
				if _, err := m.View(now).Audit(projections.AuditQuery{BuyerID: b}); err != nil {
					return err
				}
				audits = append(audits, time.Since(t))
			}
		}
		return nil
	})
	return audits, err
}
