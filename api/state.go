package api

import (
	"context"
	"hash/fnv"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// maxSnapshotAge is how long a snapshot of an unchanged model is kept: overdue reimbursements depend on the
// clock, so it is judged again from time to time even when no event arrives.
const maxSnapshotAge = time.Minute

// stateCollector exposes what the read model says: flags open by code, employer and agency, flags raised,
// money paid by workers and still owed back to them, and the projection's position and lag. The flag and
// money figures come from a snapshot judged over every worker, kept while the model is unchanged and never
// judged more than once per Limits.MetricsRefresh, so a scrape costs little however many series it returns.
type stateCollector struct {
	s *Server

	flagsOpen, flagsRaised, employerOpen, agencyOpen *prometheus.Desc
	paid, outstanding                                *prometheus.Desc
	reports, reportsOpen                             *prometheus.Desc
	position, head, lag                              *prometheus.Desc
	money                                            reportingDescs

	mu       sync.Mutex
	snap     *snapshot
	baseline bool                // the first snapshot taken caught up was counted as seen
	seen     map[uint64]struct{} // flags seen since
	raised   map[string]float64  // by code: flags first seen after the baseline
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
		seen:        map[uint64]struct{}{},
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
	if p, err := c.s.progress(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.position, prometheus.GaugeValue, float64(p.position.Commit))
		ch <- prometheus.MustNewConstMetric(c.head, prometheus.GaugeValue, float64(p.head.Commit))
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, p.lag.Seconds())
	} else {
		ch <- prometheus.NewInvalidMetric(c.lag, err)
	}
	c.collectReports(ch)
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
// the reports still unresolved. The model maintains these counts as it applies events: a scrape judges nobody.
func (c *stateCollector) collectReports(ch chan<- prometheus.Metric) {
	var counts []projections.ReportCount
	var open int
	c.s.cfg.Live.Read(func(m *projections.Model) { counts, open = m.ReportCounts() })
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

// current returns the snapshot, judging a new one when the model changed (or the last is old) and the last is
// older than Limits.MetricsRefresh, with the raised counts.
func (c *stateCollector) current() (*snapshot, map[string]float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.s.now()
	var version uint64
	c.s.cfg.Live.Read(func(m *projections.Model) { version = m.Version() })
	if c.snap != nil {
		age := now.Sub(c.snap.at)
		if age < c.s.lim.MetricsRefresh || c.snap.version == version && age < maxSnapshotAge {
			return c.snap, maps.Clone(c.raised)
		}
	}
	var sn *snapshot
	c.s.cfg.Live.Read(func(m *projections.Model) { sn = takeSnapshot(m, now, c.s.cfg.Currency) })
	c.countRaised(sn)
	c.snap = sn
	return sn, maps.Clone(c.raised)
}

// countRaised counts the flags of a snapshot not seen before. The first snapshot taken once the model has
// caught up with the store is the baseline: its flags are not counted, so a restart does not count again the
// flags of the whole history.
func (c *stateCollector) countRaised(sn *snapshot) {
	if !c.s.caughtUp.Load() {
		return
	}
	for id, code := range sn.flags {
		if _, ok := c.seen[id]; ok {
			continue
		}
		c.seen[id] = struct{}{}
		if c.baseline {
			c.raised[code]++
		}
	}
	c.baseline = true
}

// snapshot is the model's flag and money figures at one clock.
type snapshot struct {
	version   uint64
	at        time.Time
	open      map[string]int
	employers map[string]int
	agencies  map[string]int
	paid      domain.Sums
	owed      domain.Sums
	flags     map[uint64]string // identity of each flag, with its code
	// money is every worker's money in the reporting currency (Config.Currency), with their months of wages.
	money *projections.RollupMoney
}

func takeSnapshot(m *projections.Model, now time.Time, currency string) *snapshot {
	v := m.View(now)
	sn := &snapshot{version: m.Version(), at: now, open: map[string]int{}, employers: map[string]int{},
		agencies: map[string]int{}, paid: domain.Sums{}, owed: domain.Sums{}, flags: map[uint64]string{}}
	for _, f := range v.Flags(projections.FlagQuery{}) {
		sn.open[f.Code]++
		sn.flags[flagIdentity(f)] = f.Code
		employer, agencies := flagParties(v, f)
		if employer != "" {
			sn.employers[employer]++
		}
		for _, a := range agencies {
			sn.agencies[a]++
		}
	}
	for _, id := range m.WorkerIDs() {
		r, _ := v.Worker(id)
		for _, mo := range r.Totals.WorkerPaid {
			sn.paid.Add(mo.Currency, mo.Amount.Decimal())
		}
		for _, mo := range r.Totals.Outstanding {
			sn.owed.Add(mo.Currency, mo.Amount.Decimal())
		}
	}
	sn.money = v.Totals(v.Reporting(currency))
	return sn
}

// flagParties are the employer and agencies a flag is counted under, as the flags command's --employer and
// --agency filters select it: a worker's employer, recruiter and chain; a job order's employer, engaged
// agencies and the parties other than the employer that made payments on it.
func flagParties(v *projections.View, f domain.Flag) (string, []string) {
	if f.WorkerID != "" {
		if r, ok := v.Worker(f.WorkerID); ok {
			return r.EmployerID, r.Agencies
		}
		return "", nil
	}
	jo, ok := v.JobOrder(f.JobOrderID)
	if !ok {
		return "", nil
	}
	var agencies []string
	for _, e := range jo.Chain {
		agencies = append(agencies, e.AgencyID)
	}
	for _, p := range jo.Payments {
		if p.PayerID != jo.EmployerID {
			agencies = append(agencies, p.PayerID)
		}
	}
	slices.Sort(agencies)
	return jo.EmployerID, slices.Compact(agencies)
}

// flagIdentity tells flags apart across snapshots: code, worker, job order and evidence.
func flagIdentity(f domain.Flag) uint64 {
	h := fnv.New64a()
	for _, s := range append([]string{f.Code, f.WorkerID, f.JobOrderID}, f.EventIDs...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}
