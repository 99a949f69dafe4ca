package api

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// maxSnapshotAge is how long a snapshot of an unchanged model is kept: overdue reimbursements depend on the
// clock, so it is judged again from time to time even when no event arrives.
const maxSnapshotAge = time.Minute

// stateCollector exposes what the read model says: flags open by code, employer and agency, flags raised,
// money paid by workers and still owed back to them, and the projection's position and lag. The flag and
// money figures come from a snapshot, kept while the model is unchanged and never taken more than once per
// Limits.MetricsRefresh, read from the persisted model's maintained state (modelSnapshot): a scrape judges
// nobody.
type stateCollector struct {
	s *Server

	flagsOpen, flagsRaised, employerOpen, agencyOpen *prometheus.Desc
	paid, outstanding                                *prometheus.Desc
	reports, reportsOpen                             *prometheus.Desc
	position, head, lag                              *prometheus.Desc
	money                                            reportingDescs

	mu       sync.Mutex
	snap     *snapshot
	baseline bool               // the first snapshot taken caught up set base
	raised   map[string]float64 // by code: flags raised since the baseline
	// base is the model's counter of flags raised at the baseline.
	base map[string]int64
}

func newStateCollector(s *Server) *stateCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &stateCollector{s: s,
		flagsOpen: d("fairtrail_flags_open", "Flags raised now, judged at the time of the snapshot, by code.", "code"),
		flagsRaised: d("fairtrail_flags_raised_total",
			"Flags that appeared since this server first caught up with the store, by code.", "code"),
		employerOpen: d("fairtrail_employer_flags_open", "Flags raised now about an employer's job orders and workers.", "employer"),
		agencyOpen:   d("fairtrail_agency_flags_open", "Flags raised now about workers in an agency's chain and its job-order payments.", "agency"),
		paid:         d("fairtrail_worker_paid_fees", "Fees paid by workers, in the currency's units.", "currency"),
		outstanding: d("fairtrail_reimbursement_outstanding",
			"Money owed back to workers for breaching fees and not yet reimbursed, in the currency's units.", "currency"),
		reports: d("fairtrail_worker_reports", "Workers' reports recorded (WorkerReported), by kind and channel.",
			"kind", "channel"),
		reportsOpen: d("fairtrail_worker_reports_open", "Workers' reports that no WorkerReportResolved has closed."),
		position:    d("fairtrail_projection_position", "Global position of the last event the read model applied."),
		head:        d("fairtrail_store_head_position", "Global position of the last event stored."),
		lag:         d("fairtrail_projection_lag_seconds", "Age of the oldest stored event the read model has not applied (0 when caught up)."),
		money:       newReportingDescs(),
		raised:      map[string]float64{},
	}
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.flagsOpen, c.flagsRaised, c.employerOpen, c.agencyOpen, c.paid,
		c.outstanding, c.reports, c.reportsOpen, c.position, c.head, c.lag} {
		ch <- d
	}
	c.money.describe(ch)
}

// Collect implements prometheus.Collector.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The model is read as it is: catching it up is its follower's job, and a scrape that waited for a
	// catch-up in progress (a rebuild, a currency's totals) took as long as it.
	if p, err := c.s.progress(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.position, prometheus.GaugeValue, float64(p.position.Commit))
		ch <- prometheus.MustNewConstMetric(c.head, prometheus.GaugeValue, float64(p.head.Commit))
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, p.lag.Seconds())
	} else {
		ch <- prometheus.NewInvalidMetric(c.lag, err)
	}
	c.collectReports(ctx, ch)
	sn, raised := c.current()
	for _, code := range domain.FlagCodes {
		ch <- prometheus.MustNewConstMetric(c.flagsOpen, prometheus.GaugeValue, float64(sn.open[code]), code)
		ch <- prometheus.MustNewConstMetric(c.flagsRaised, prometheus.CounterValue, raised[code], code)
	}
	for org, n := range sn.employers {
		ch <- prometheus.MustNewConstMetric(c.employerOpen, prometheus.GaugeValue, float64(n), org)
	}
	for org, n := range sn.agencies {
		ch <- prometheus.MustNewConstMetric(c.agencyOpen, prometheus.GaugeValue, float64(n), org)
	}
	// Exact decimals become float64 here, at the edge, because Prometheus samples are floats.
	for cur, d := range sn.paid {
		ch <- prometheus.MustNewConstMetric(c.paid, prometheus.GaugeValue, d.InexactFloat64(), cur)
	}
	for cur, d := range sn.owed {
		ch <- prometheus.MustNewConstMetric(c.outstanding, prometheus.GaugeValue, d.InexactFloat64(), cur)
	}
	c.money.collect(ch, sn.money)
}

// collectReports sends the reports by kind and channel (every pair, zero included, so rates are defined) and
// the reports still unresolved. The persisted model maintains these counts as it applies events: a scrape
// judges nobody.
func (c *stateCollector) collectReports(ctx context.Context, ch chan<- prometheus.Metric) {
	counts, open, err := c.s.cfg.Model.ReportCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.reports, err)
		return
	}
	n := map[[2]string]int{}
	for _, rc := range counts {
		n[[2]string{rc.Kind, rc.Channel}] = rc.N
	}
	for _, kind := range domain.ReportKinds {
		for _, channel := range domain.ReportChannels {
			ch <- prometheus.MustNewConstMetric(c.reports, prometheus.GaugeValue, float64(n[[2]string{kind, channel}]),
				kind, channel)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.reportsOpen, prometheus.GaugeValue, float64(open))
}

// current returns the snapshot, reading a new one when the model moved on (or the last is old) and the last
// is older than Limits.MetricsRefresh, with the raised counts.
func (c *stateCollector) current() (*snapshot, map[string]float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.s.now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cp, _, err := c.s.cfg.Model.Status(ctx)
	if err == nil && c.snap != nil {
		age := now.Sub(c.snap.at)
		if age < c.s.lim.MetricsRefresh || c.snap.version == cp.Position && age < maxSnapshotAge {
			return c.snap, maps.Clone(c.raised)
		}
	}
	sn, err := c.modelSnapshot(now)
	if err != nil {
		if !errors.Is(err, errModelRebuilding) { // the follower logs the rebuild
			c.s.log.Warn("metrics: read model figures", "error", err)
		}
		if c.snap == nil {
			c.snap = &snapshot{at: now}
		}
		return c.snap, maps.Clone(c.raised)
	}
	sn.version = cp.Position
	c.countModelRaised(sn)
	c.snap = sn
	return sn, maps.Clone(c.raised)
}

// snapshot is the model's flag and money figures at one clock.
type snapshot struct {
	version   eventstore.Position // the model's checkpoint when it was read
	at        time.Time
	open      map[string]int
	employers map[string]int
	agencies  map[string]int
	paid      domain.Sums
	owed      domain.Sums
	counter   map[string]int64 // flags raised by code (readmodel.Gauges)
	// money is every worker's money in the reporting currency (Config.Currency), with their months of wages.
	money *projections.RollupMoney
}
