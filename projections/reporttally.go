package projections

import (
	"cmp"
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// reportTally counts the workers' reports as the model admits them, so that metrics read the figures without
// judging anyone: reports by kind and channel, and how many no resolution has closed. A resolution may be applied
// before its report (events arrive in global order, not business order).
type reportTally struct {
	byKindChannel map[[2]string]int
	reports       map[string]bool // report key -> seen
	resolved      map[string]bool // report key -> a resolution seen
	unresolved    int
}

func newReportTally() reportTally {
	return reportTally{byKindChannel: map[[2]string]int{}, reports: map[string]bool{}, resolved: map[string]bool{}}
}

func (t *reportTally) apply(e domain.Event) {
	switch e := e.(type) {
	case *domain.WorkerReported:
		t.byKindChannel[[2]string{e.Kind, e.Channel}]++
		key := e.WorkerID + "\x00" + e.ReportID
		if !t.reports[key] {
			t.reports[key] = true
			if !t.resolved[key] {
				t.unresolved++
			}
		}
	case *domain.WorkerReportResolved:
		key := e.WorkerID + "\x00" + e.ReportID
		if !t.resolved[key] {
			t.resolved[key] = true
			if t.reports[key] {
				t.unresolved--
			}
		}
	}
}

// ReportCount is how many reports of a kind came through a channel.
type ReportCount struct {
	Kind, Channel string
	N             int
}

// tallyReports counts one worker's reports as the model's tally counts every worker's.
func tallyReports(facts []Fact) ([]ReportCount, int) {
	t := newReportTally()
	for _, f := range facts {
		t.apply(f.Event)
	}
	return t.counts(), t.unresolved
}

// counts are the tally's reports by kind and channel, sorted.
func (t *reportTally) counts() []ReportCount {
	var counts []ReportCount
	for k, n := range t.byKindChannel {
		counts = append(counts, ReportCount{Kind: k[0], Channel: k[1], N: n})
	}
	slices.SortFunc(counts, func(a, b ReportCount) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Channel, b.Channel))
	})
	return counts
}

// ReportCounts are the model's reports by kind and channel, sorted, and the number of reports (by worker and
// report_id) that no resolution has closed.
func (m *Model) ReportCounts() (counts []ReportCount, unresolved int) {
	return m.reports.counts(), m.reports.unresolved
}
