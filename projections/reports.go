package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// ReportOpenAfter is how long a worker's report may stand unresolved, from the day the tracker learned of it,
// before worker.report_open is raised (spec section 8: "more than 30 days").
const ReportOpenAfter = 30 * 24 * time.Hour

// reportFact is a worker's report with the last resolution of it in the replayed state (nil when none).
type reportFact struct {
	Fact
	report   *domain.WorkerReported
	resolved *resolutionFact
}

type resolutionFact struct {
	Fact
	resolution *domain.WorkerReportResolved
}

// ReportLine is a worker's report as the worker page and the console show it, with how it was resolved.
type ReportLine struct {
	EventID      string                   `json:"event_id"`
	ReportID     string                   `json:"report_id"`
	Kind         string                   `json:"kind"`
	Channel      string                   `json:"channel"`
	Language     string                   `json:"language"`
	Fee          *domain.ReportedFee      `json:"fee,omitempty"`
	ContractTerm *domain.ReportedTerm     `json:"contract_term,omitempty"`
	Document     *domain.ReportedDocument `json:"document,omitempty"`
	NoteSHA256   string                   `json:"note_sha256,omitempty"`
	At           time.Time                `json:"occurred_at"`
	RecordedAt   time.Time                `json:"recorded_at"`
	RecordedBy   string                   `json:"recorded_by"`
	// Resolution is the last resolution of the report; nil while it is open.
	Resolution *ReportResolution `json:"resolution,omitempty"`
}

// ReportResolution is how a report was resolved, and by whom.
type ReportResolution struct {
	EventID    string    `json:"event_id"`
	Outcome    string    `json:"outcome"`
	At         time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// pairResolutions gives each report the last resolution of its report_id (facts are in business-time order).
func pairResolutions(reports []reportFact, resolutions []resolutionFact) {
	for i := range reports {
		for j := range resolutions {
			if resolutions[j].resolution.ReportID == reports[i].report.ReportID {
				reports[i].resolved = &resolutions[j]
			}
		}
	}
}

// reportLines are the worker's reports for the worker's record.
func reportLines(ws *workerState) []ReportLine {
	if len(ws.reports) == 0 {
		return nil
	}
	out := make([]ReportLine, len(ws.reports))
	for i, rf := range ws.reports {
		e := rf.report
		out[i] = ReportLine{EventID: rf.ID.String(), ReportID: e.ReportID, Kind: e.Kind, Channel: e.Channel,
			Language: e.Language, Fee: e.Fee, ContractTerm: e.ContractTerm, Document: e.Document,
			NoteSHA256: e.NoteSHA256, At: rf.OccurredAt, RecordedAt: rf.RecordedAt, RecordedBy: rf.RecordedBy}
		if r := rf.resolved; r != nil {
			out[i].Resolution = &ReportResolution{EventID: r.ID.String(), Outcome: r.resolution.Outcome,
				At: r.OccurredAt, RecordedAt: r.RecordedAt, RecordedBy: r.RecordedBy}
		}
	}
	return out
}

// reportOpenFlags: worker.report_open, for each report with no resolution in the replayed state, raised at its
// recorded_at + ReportOpenAfter. The flags are the clock's to show (Clocked): a query at clock sees those whose
// raised_at it has passed. Sorted by raised_at.
func reportOpenFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, rf := range ws.reports {
		if rf.resolved != nil {
			continue
		}
		due := rf.RecordedAt.Add(ReportOpenAfter)
		f := flagFor(domain.FlagWorkerReportOpen, ws.owner(), due, rf.ID)
		f.Details = ReportOpenDetails{Channel: rf.report.Channel, Kind: rf.report.Kind,
			OpenDays: int(ReportOpenAfter / (24 * time.Hour)), RecordedAt: rf.RecordedAt, ReportID: rf.report.ReportID}
		out = append(out, f)
	}
	slices.SortStableFunc(out, byRaisedAt)
	return out
}

// ComparedFee is a FeePaid of the worker in the reported category, and why it does or does not record the
// reported fee (details of fee.reported_unrecorded).
type ComparedFee struct {
	EventID string       `json:"event_id"`
	FeeID   string       `json:"fee_id"`
	Payer   string       `json:"payer"`
	Amount  domain.Money `json:"amount"`
	// ShortBy is how much less than the reported amount the fee is, when it is in the same currency.
	ShortBy *domain.Money `json:"short_by,omitempty"`
	// Why says why the fee does not record the reported one: "paid by the employer", "in another currency",
	// "less than reported".
	Why string `json:"why"`
}

// reportedFeeFlags: fee.reported_unrecorded, for each report of kind fee_not_recorded or fee_amount_differs
// naming a fee that no single FeePaid of the worker (payer worker, same category and currency, amount at least
// the reported one) records, unless the report was resolved not_substantiated or withdrawn.
func reportedFeeFlags(ws *workerState, _ *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, rf := range ws.reports {
		e := rf.report
		if !e.NamesFee() || rf.resolved != nil && rf.resolved.resolution.Dismisses() {
			continue
		}
		compared, recorded := compareFees(*e.Fee, ws.fees)
		if recorded {
			continue
		}
		f := flagFor(domain.FlagFeeReportedUnrecorded, ws.owner(), rf.OccurredAt, rf.ID)
		f.Amounts = []domain.Money{e.Fee.Amount}
		d := ReportedUnrecordedDetails{Channel: e.Channel, Kind: e.Kind, RecordedFees: compared, ReportID: e.ReportID,
			ReportedFee: *e.Fee}
		if r := rf.resolved; r != nil {
			f.EventIDs = append(f.EventIDs, r.ID.String())
			d.Resolution = r.resolution.Outcome
		}
		f.Details = d
		out = append(out, f)
	}
	return out
}

// compareFees lists the worker's fees in the reported category with why each falls short, and reports whether
// one of them records the reported fee.
func compareFees(reported domain.ReportedFee, fees []feeFact) ([]ComparedFee, bool) {
	want := reported.Amount.Amount.Decimal()
	compared := []ComparedFee{}
	for _, ff := range fees {
		fee := ff.fee
		if fee.Category != reported.Category {
			continue
		}
		c := ComparedFee{EventID: ff.ID.String(), FeeID: fee.FeeID, Payer: fee.Payer, Amount: fee.Amount}
		sameCurrency := fee.Amount.Currency == reported.Amount.Currency
		if sameCurrency {
			if short := want.Sub(fee.Amount.Amount.Decimal()); short.IsPositive() {
				c.ShortBy = &domain.Money{Amount: domain.Amount(domain.FormatAmount(short)), Currency: fee.Amount.Currency}
			}
		}
		switch {
		case fee.Payer != domain.PayerWorker:
			c.Why = "paid by the " + fee.Payer + ", not the worker"
		case !sameCurrency:
			c.Why = "in " + fee.Amount.Currency + ", the worker reported " + reported.Amount.Currency
		case c.ShortBy != nil:
			c.Why = "less than the worker reported"
		default:
			return nil, true
		}
		compared = append(compared, c)
	}
	return compared, false
}
