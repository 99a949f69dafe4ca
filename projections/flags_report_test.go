package projections_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// The worker.report_open and fee.reported_unrecorded cases are written from spec section 8. In the standard
// world w-1 is recruited on day 5; no policy applies, so the fees of these cases raise nothing by themselves.

const (
	reportOpen       = domain.FlagWorkerReportOpen
	reportedUnrecord = domain.FlagFeeReportedUnrecorded
)

func TestWorkerReportOpenFlags(t *testing.T) { runFlagCases(t, reportOpenCases()) }

func TestFeeReportedUnrecordedFlags(t *testing.T) { runFlagCases(t, reportedFeeCases()) }

// report is w-1's report of a kind through an interview, in Nepali, with no fee.
func report(id, kind string) *domain.WorkerReported {
	return &domain.WorkerReported{WorkerID: worker1, ReportID: id, Kind: kind, Channel: domain.ChannelInterview,
		Language: "ne"}
}

// feeReport is w-1's report of a kind naming a fee of a category and amount ("150000.00 NPR").
func feeReport(id, kind, category, amount string) *domain.WorkerReported {
	r := report(id, kind)
	r.Fee = &domain.ReportedFee{Category: category, Amount: money(amount), PayeeID: originAgency}
	return r
}

func resolution(reportID, outcome string) *domain.WorkerReportResolved {
	return &domain.WorkerReportResolved{WorkerID: worker1, ReportID: reportID, Outcome: outcome}
}

// The report of these cases is recorded on day 10 at 10:00, so it is open from day 40 10:00.
func reportOpenCases() []flagCase {
	threat := on(10, "report", report("rep-1", domain.ReportThreat))
	due := threat.recorded.Add(30 * 24 * time.Hour)
	open := raised(reportOpen, "report").dueDays(30).with(func(t *testing.T, d map[string]any) {
		t.Helper()
		if d["report_id"] != "rep-1" || d["kind"] != domain.ReportThreat {
			t.Errorf("details = %v, want report rep-1 of kind threat", d)
		}
	})
	return []flagCase{
		{
			name:  "a report unresolved 30 days and a second after it was recorded is open",
			steps: world(threat),
			clock: due.Add(time.Second),
			want:  []flagWant{open},
		},
		{
			name:   "a report unresolved exactly 30 days after it was recorded is not yet open",
			steps:  world(threat),
			clock:  due,
			misses: []string{reportOpen},
		},
		{
			name:   "the 30 days run from recorded_at, not occurred_at: 35 days after the threat, 15 after the report",
			steps:  world(on(10, "report", report("rep-1", domain.ReportThreat)).recordedOn(30)),
			clock:  day(45),
			misses: []string{reportOpen},
		},
		{
			name:   "a resolution closes the report, however late it comes",
			steps:  world(threat, on(70, "resolved", resolution("rep-1", domain.OutcomeSubstantiated))),
			misses: []string{reportOpen},
		},
		{
			name:   "a report withdrawn within the 30 days is closed",
			steps:  world(threat, on(20, "resolved", resolution("rep-1", domain.OutcomeWithdrawn))),
			misses: []string{reportOpen},
		},
		{
			name:  "a resolution of another report does not close this one",
			steps: world(threat, on(20, "resolved", resolution("rep-2", domain.OutcomeRemediated))),
			want:  []flagWant{open},
		},
		{
			name:   "as of a day before the late resolution happened the report is open",
			steps:  world(threat, on(70, "resolved", resolution("rep-1", domain.OutcomeSubstantiated))),
			filter: projections.Filter{AsOf: day(60)},
			clock:  day(60),
			want:   []flagWant{open},
		},
		{
			name: "known at a day before the tracker learned of the resolution the report is open",
			steps: world(threat,
				on(20, "resolved", resolution("rep-1", domain.OutcomeSubstantiated)).recordedOn(65)),
			filter: projections.Filter{KnownAt: day(60)},
			clock:  day(60),
			want:   []flagWant{open},
		},
		{
			name:   "known at the day the tracker learned of the report, it is not yet open",
			steps:  world(threat),
			filter: projections.Filter{KnownAt: day(11)},
			clock:  day(11),
			misses: []string{reportOpen},
		},
		{
			name: "each unresolved report is open on its own",
			steps: world(threat, on(12, "report-2", report("rep-2", domain.ReportDocumentHeld)),
				on(15, "resolved", resolution("rep-2", domain.OutcomeNotSubstantiated)),
				on(14, "report-3", report("rep-3", domain.ReportOther))),
			want: []flagWant{open, raised(reportOpen, "report-3").dueDays(30)},
		},
	}
}

// In these cases the report is made on day 60, so at the default clock (day 80) no report is yet open.
func reportedFeeCases() []flagCase {
	reported := func(kind string) step {
		return on(60, "report", feeReport("rep-1", kind, recruitmentFee, "150000.00 NPR"))
	}
	notRecorded := reported(domain.ReportFeeNotRecorded)
	paid := func(amount string, opts ...feeOpt) step {
		return on(8, "fee", fee("f-1", recruitmentFee, amount, opts...))
	}
	resolved := func(n int, outcome string) step { return on(n, "resolved", resolution("rep-1", outcome)) }
	flag := raised(reportedUnrecord, "report").amount("150000.00 NPR")
	return []flagCase{
		{
			name:  "a worker reports a fee that nothing records",
			steps: world(notRecorded),
			want:  []flagWant{flag.with(reportedFee("recruitment_fee", "150000.00", "NPR"))},
		},
		{
			name:  "a fee reported as recorded at another amount is judged the same way",
			steps: world(reported(domain.ReportFeeAmountDiffers), paid("100000.00 NPR")),
			want:  []flagWant{flag.with(compared("less than the worker reported", "50000.00"))},
		},
		{
			name:   "a FeePaid by the worker of the same category, currency and amount records it",
			steps:  world(paid("150000.00 NPR"), notRecorded),
			misses: []string{reportedUnrecord},
		},
		{
			name:   "a FeePaid of more than the worker reported records it",
			steps:  world(paid("160000 NPR"), notRecorded),
			misses: []string{reportedUnrecord},
		},
		{
			name:  "a FeePaid one unit short does not",
			steps: world(paid("149999.99 NPR"), notRecorded),
			want:  []flagWant{flag.with(compared("less than the worker reported", "0.01"))},
		},
		{
			name:  "a FeePaid of the same amount in another currency does not",
			steps: world(paid("150000.00 MYR"), notRecorded),
			want:  []flagWant{flag.with(compared("in MYR, the worker reported NPR", ""))},
		},
		{
			name:  "a FeePaid of the same amount in another category does not",
			steps: world(on(8, "fee", fee("f-1", medical, "150000.00 NPR")), notRecorded),
			want:  []flagWant{flag.with(reportedFee("recruitment_fee", "150000.00", "NPR"))},
		},
		{
			name:  "a FeePaid of the same amount paid by the employer does not",
			steps: world(paid("150000.00 NPR", paidBy(domain.PayerEmployer)), notRecorded),
			want:  []flagWant{flag.with(compared("paid by the employer, not the worker", ""))},
		},
		{
			name: "two fees that add up to the reported one are not a single FeePaid that records it",
			steps: world(paid("100000.00 NPR"), on(9, "fee-2", fee("f-2", recruitmentFee, "50000.00 NPR")),
				notRecorded),
			want: []flagWant{flag},
		},
		{
			name:  "a FeePaid of another worker does not",
			steps: world(on(8, "fee", ofWorker("w-2", fee("f-1", recruitmentFee, "150000.00 NPR"))), notRecorded),
			want:  []flagWant{flag},
		},
		{
			name:   "a fee recorded after the report records it",
			steps:  world(notRecorded, on(70, "fee", fee("f-1", recruitmentFee, "150000.00 NPR"))),
			misses: []string{reportedUnrecord},
		},
		{
			name:   "a report withdrawn clears it",
			steps:  world(notRecorded, resolved(65, domain.OutcomeWithdrawn)),
			misses: []string{reportedUnrecord},
		},
		{
			name:   "a report found not substantiated clears it",
			steps:  world(notRecorded, resolved(65, domain.OutcomeNotSubstantiated)),
			misses: []string{reportedUnrecord},
		},
		{
			name:  "a report found substantiated keeps it until the fee is recorded",
			steps: world(notRecorded, resolved(65, domain.OutcomeSubstantiated)),
			want:  []flagWant{raised(reportedUnrecord, "report", "resolved").amount("150000.00 NPR")},
		},
		{
			name:  "a report remediated keeps it until the fee is recorded",
			steps: world(notRecorded, resolved(65, domain.OutcomeRemediated)),
			want:  []flagWant{raised(reportedUnrecord, "report", "resolved")},
		},
		{
			name: "a substantiated report whose fee is then recorded is cleared",
			steps: world(notRecorded, resolved(65, domain.OutcomeSubstantiated),
				on(66, "fee", fee("f-1", recruitmentFee, "150000.00 NPR"))),
			misses: []string{reportedUnrecord},
		},
		{
			name:   "as of a day before the withdrawal the fee report stands",
			steps:  world(notRecorded, resolved(75, domain.OutcomeWithdrawn)),
			filter: projections.Filter{AsOf: day(70)},
			clock:  day(70),
			want:   []flagWant{flag},
		},
		{
			name:   "known at a day before the tracker learned of the withdrawal the fee report stands",
			steps:  world(notRecorded, resolved(65, domain.OutcomeWithdrawn).recordedOn(75)),
			filter: projections.Filter{KnownAt: day(70)},
			clock:  day(70),
			want:   []flagWant{flag},
		},
		{
			name:   "as of a day before the report, nothing is reported",
			steps:  world(notRecorded),
			filter: projections.Filter{AsOf: day(59)},
			clock:  day(59),
			misses: []string{reportedUnrecord},
		},
		{
			name:   "a report of another kind naming a fee is not judged by this rule",
			steps:  world(on(60, "report", feeReport("rep-1", domain.ReportDeception, recruitmentFee, "150000.00 NPR"))),
			misses: []string{reportedUnrecord},
		},
		{
			name:   "a fee report that names no fee is not judged by this rule",
			steps:  world(on(60, "report", report("rep-1", domain.ReportFeeNotRecorded))),
			misses: []string{reportedUnrecord},
		},
		{
			name: "a fee report left unresolved for 30 days is open as well",
			steps: world(on(40, "report", feeReport("rep-1", domain.ReportFeeNotRecorded, recruitmentFee,
				"150000.00 NPR"))),
			want: []flagWant{flag, raised(reportOpen, "report").dueDays(30)},
		},
	}
}

// reportedFee checks the reported fee in the details.
func reportedFee(category, amount, currency string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		if got := field(d, "reported_fee", "category"); got != category {
			t.Errorf("reported_fee.category = %q, want %q", got, category)
		}
		if got := field(d, "reported_fee", "amount", "amount") + " " + field(d, "reported_fee", "amount", "currency"); got != amount+" "+currency {
			t.Errorf("reported_fee.amount = %q, want %s %s", got, amount, currency)
		}
		if d["report_id"] != "rep-1" {
			t.Errorf("report_id = %v, want rep-1", d["report_id"])
		}
	}
}

// compared checks the one recorded fee compared: why it does not record the report, and how much short it is
// ("" when not in the same currency).
func compared(why, shortBy string) func(t *testing.T, d map[string]any) {
	return func(t *testing.T, d map[string]any) {
		t.Helper()
		fees := list(t, d, "recorded_fees")
		if len(fees) != 1 {
			t.Fatalf("recorded_fees = %v, want one", fees)
		}
		if got := field(fees[0], "why"); !strings.Contains(got, why) {
			t.Errorf("why = %q, want %q", got, why)
		}
		if got := field(fees[0], "short_by", "amount"); got != shortBy {
			t.Errorf("short_by = %q, want %q", got, shortBy)
		}
		if field(fees[0], "fee_id") != "f-1" {
			t.Errorf("fee_id = %q, want f-1", field(fees[0], "fee_id"))
		}
	}
}
