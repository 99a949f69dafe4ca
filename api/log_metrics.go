package api

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/eventstore"
)

// logMetrics are the log's gauges: its size, the latest checkpoint's size, and that checkpoint's age (the
// time since the server started while none was signed). Together they say when checkpoints stopped while
// events kept arriving.
func (s *Server) logMetrics(started time.Time) []prometheus.Collector {
	latest := func() (int64, time.Time) {
		if s.cfg.Checkpoints == nil {
			return 0, time.Time{}
		}
		e, _, _ := s.cfg.Checkpoints.Latest()
		return e.Size, e.SignedAt
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fairtrail_log_tree_size",
			Help: "Leaves in the log's Merkle tree: every event stored."}, func() float64 {
			l, ok := s.cfg.Store.(eventstore.Log)
			if !ok {
				return 0
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			n, _ := l.TreeSize(ctx)
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fairtrail_log_checkpoint_size",
			Help: "Tree size of the latest signed checkpoint (0 when none)."}, func() float64 {
			n, _ := latest()
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fairtrail_log_checkpoint_age_seconds",
			Help: "Seconds since the latest checkpoint was signed (since the server started, while none was)."}, func() float64 {
			_, at := latest()
			if at.IsZero() {
				at = started
			}
			return s.now().Sub(at).Seconds()
		}),
	}
}

func registerAll(reg *prometheus.Registry, cs []prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("api: register metrics: %w", err)
		}
	}
	return nil
}
