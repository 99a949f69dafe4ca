package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// serveLog is serve's part in holding the operator to the record: signing checkpoints while the log grows.
type serveLog struct {
	files logFiles
	// explicit is whether --log-key was given: then a missing key is an error, not a log without checkpoints.
	explicit bool
	every    time.Duration
}

// logSigner loads the signing key and journal and wires them into the API's config, returning the signer to
// run, or nil when there is no key (the log routes then answer 404).
func (o serveLog) logSigner(store eventstore.Store, cfg *api.Config, logger *slog.Logger) (*checkpoint.Signer, error) {
	path := o.files.keyPath()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !o.explicit {
		logger.Warn("no log signing key: no checkpoints are signed (fairtrail log keygen --origin NAME makes one)", "path", path)
		return nil, nil
	}
	key, verifier, err := checkpoint.LoadKey(path)
	if err != nil {
		return nil, err
	}
	j, err := checkpoint.OpenJournal(o.files.journalPath())
	if err != nil {
		return nil, err
	}
	l, ok := store.(eventstore.Log)
	if !ok {
		return nil, fmt.Errorf("the store keeps no log to sign")
	}
	cfg.Checkpoints, cfg.LogVerifier = j, verifier
	started := time.Now()
	if err := registerLogMetrics(cfg.Registry, l, j, started); err != nil {
		return nil, err
	}
	return &checkpoint.Signer{Log: l, Key: key, Journal: j, Logger: logger}, nil
}

// registerLogMetrics adds the log's gauges: its size, the latest checkpoint's size, and that checkpoint's age
// (the time since serve started while none was signed).
func registerLogMetrics(reg *prometheus.Registry, l eventstore.Log, j *checkpoint.Journal, started time.Time) error {
	latest := func() checkpoint.Entry {
		e, _, _ := j.Latest()
		return e
	}
	gauges := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fairtrail_log_tree_size",
			Help: "Leaves in the log's Merkle tree: every event stored."}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			n, _ := l.TreeSize(ctx)
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fairtrail_log_checkpoint_size",
			Help: "Tree size of the latest signed checkpoint."}, func() float64 { return float64(latest().Size) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fairtrail_log_checkpoint_age_seconds",
			Help: "Seconds since the latest checkpoint was signed (since serve started, while none was)."}, func() float64 {
			at := latest().SignedAt
			if at.IsZero() {
				at = started
			}
			return time.Since(at).Seconds()
		}),
	}
	for _, g := range gauges {
		if err := reg.Register(g); err != nil {
			return fmt.Errorf("log metrics: %w", err)
		}
	}
	return nil
}
