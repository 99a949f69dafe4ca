package api

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// monthsBuckets are the upper bounds of the months-of-wages histogram, from half a month's wages to two years'.
var monthsBuckets = []float64{0.5, 1, 2, 3, 4, 6, 9, 12, 18, 24}

// reportingDescs are the money series in the reporting currency and the months-of-wages series.
type reportingDescs struct {
	paid, outstanding, overdue, notConverted *prometheus.Desc
	months, median, mean, above              *prometheus.Desc
}

func newReportingDescs() reportingDescs {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return reportingDescs{
		paid: d("fairtrail_reporting_worker_paid_fees",
			"Fees paid by workers, each converted into the reporting currency (serve --currency) at its own date, in its units.", "currency"),
		outstanding: d("fairtrail_reporting_reimbursement_outstanding",
			"Money owed back to workers and not yet reimbursed, converted into the reporting currency at each fee's date.", "currency"),
		overdue: d("fairtrail_reporting_reimbursement_overdue",
			"The outstanding money whose reimbursement deadline has passed, in the reporting currency.", "currency"),
		notConverted: d("fairtrail_reporting_not_converted",
			"Money no published rate converts into the reporting currency, by figure (worker_paid_fees, outstanding) "+
				"and its own currency, in that currency's units: it is not in the converted series.", "figure", "currency"),
		months: d("fairtrail_recruitment_cost_months_of_wages",
			"Workers' recruitment cost in months of wages (spec section 7), over the workers that have a figure."),
		median: d("fairtrail_recruitment_cost_months_of_wages_median", "Median recruitment cost in months of wages."),
		mean:   d("fairtrail_recruitment_cost_months_of_wages_mean", "Mean recruitment cost in months of wages."),
		above: d("fairtrail_workers_above_one_month_of_wages",
			"Workers whose recruitment cost is above one month's wage."),
	}
}

func (d reportingDescs) describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{d.paid, d.outstanding, d.overdue, d.notConverted, d.months, d.median, d.mean, d.above} {
		ch <- x
	}
}

// collect writes the series of a snapshot's money: in the reporting currency when one is set, months of wages
// always. Exact decimals become float64 here, at the edge, because Prometheus samples are floats.
func (d reportingDescs) collect(ch chan<- prometheus.Metric, r *projections.RollupMoney) {
	if r == nil {
		return
	}
	c := r.Converted()
	if c.Currency != "" {
		for desc, m := range map[*prometheus.Desc]domain.Money{d.paid: c.WorkerPaid, d.outstanding: c.Outstanding, d.overdue: c.Overdue} {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, m.Amount.Decimal().InexactFloat64(), c.Currency)
		}
		for fig, ms := range map[string][]domain.Money{"worker_paid_fees": c.NotConverted.WorkerPaid, "outstanding": c.NotConverted.Outstanding} {
			for _, m := range ms {
				ch <- prometheus.MustNewConstMetric(d.notConverted, prometheus.GaugeValue, m.Amount.Decimal().InexactFloat64(), fig, m.Currency)
			}
		}
	}
	counts := r.MonthsCounts()
	buckets := make(map[float64]uint64, len(monthsBuckets))
	sum, workers := decimal.Zero, uint64(0)
	for _, c := range counts {
		n := uint64(c.Workers)
		workers += n
		sum = sum.Add(c.Months.Mul(decimal.NewFromInt(int64(c.Workers))))
		for _, b := range monthsBuckets {
			if c.Months.InexactFloat64() <= b {
				buckets[b] += n
			}
		}
	}
	ch <- prometheus.MustNewConstHistogram(d.months, workers, sum.InexactFloat64(), buckets)
	s := r.Months()
	ch <- prometheus.MustNewConstMetric(d.above, prometheus.GaugeValue, float64(s.WorkersAboveOneMonth))
	for desc, text := range map[*prometheus.Desc]string{d.median: s.Median, d.mean: s.Mean} {
		if v, err := decimal.NewFromString(text); err == nil { // empty while no worker has a figure
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v.InexactFloat64())
		}
	}
}
