package projections_test

import (
	"slices"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// TestReportCounts: the model counts reports by kind and channel as it admits them, and the reports no
// resolution closes, whatever order the report and its resolution arrive in, and only those its filter admits.
func TestReportCounts(t *testing.T) {
	hotline := report("rep-2", domain.ReportThreat)
	hotline.Channel = domain.ChannelHotline
	s := newScenario(t, world(
		on(10, "report-1", report("rep-1", domain.ReportThreat)),
		on(11, "report-2", hotline),
		on(12, "report-3", feeReport("rep-3", domain.ReportFeeNotRecorded, recruitmentFee, "1.00 NPR")),
		on(20, "resolved-1", resolution("rep-1", domain.OutcomeWithdrawn)).recordedOn(9), // recorded before its report
		on(21, "resolved-x", resolution("rep-x", domain.OutcomeWithdrawn)),               // of no report
		on(40, "resolved-3", resolution("rep-3", domain.OutcomeRemediated)),
	))
	tests := []struct {
		name       string
		filter     projections.Filter
		want       []projections.ReportCount
		unresolved int
	}{
		{"every event", projections.Filter{}, []projections.ReportCount{
			{Kind: "fee_not_recorded", Channel: "interview", N: 1}, {Kind: "threat", Channel: "hotline", N: 1},
			{Kind: "threat", Channel: "interview", N: 1}}, 1},
		{"as of day 30, before the third is resolved", projections.Filter{AsOf: day(30)}, []projections.ReportCount{
			{Kind: "fee_not_recorded", Channel: "interview", N: 1}, {Kind: "threat", Channel: "hotline", N: 1},
			{Kind: "threat", Channel: "interview", N: 1}}, 2},
		{"as of day 10, one report", projections.Filter{AsOf: day(10).Add(2 * time.Hour)}, []projections.ReportCount{
			{Kind: "threat", Channel: "interview", N: 1}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counts, unresolved := build(tc.filter, s.globalOrder()).ReportCounts()
			if !slices.Equal(counts, tc.want) || unresolved != tc.unresolved {
				t.Errorf("ReportCounts = %v, %d; want %v, %d", counts, unresolved, tc.want, tc.unresolved)
			}
		})
	}
}
