package projections_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// calibrationClock is when generated datasets are judged: after their three years (2023-2025).
var calibrationClock = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// calibrationFixture is the calibration of a 3,000-worker dataset, computed once per test run. Seed 8 is one in
// which every corridor the test holds has workers: a dataset this small has few employers (one per 200
// workers), and seed 1's has none in Taiwan.
var calibrationFixture = sync.OnceValues(func() (projections.Calibration, error) {
	return calibrate(3000, 8)
})

// calibrate generates a dataset, applies it to a model as the store would record it, and measures it. The
// events are the generator's envelopes, encoded as an import stores them: the bytes of each event's data are
// those of its line in `fairtrail generate`'s output (domain/synth's TestGenerateWritesValidEnvelopes holds
// Generate to Events), without writing and decoding the text, which was a fifth of this test's time under -race.
func calibrate(workers int, seed int64) (projections.Calibration, error) {
	envs, err := synth.Events(synth.Options{Workers: workers, Seed: seed})
	if err != nil {
		return projections.Calibration{}, err
	}
	m := projections.New(projections.Filter{})
	recorded := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, env := range envs {
		p, err := eventstore.ProposedFrom(env, "import")
		if err != nil {
			return projections.Calibration{}, fmt.Errorf("event %d: %w", i+1, err)
		}
		n := uint64(i + 1)
		if err := m.Apply(eventstore.Recorded{ID: p.ID, Type: p.Type, Stream: env.Stream(),
			Position: eventstore.Position{Commit: n, Prepare: n}, OccurredAt: p.OccurredAt, RecordedAt: recorded,
			RecordedBy: p.RecordedBy, Data: p.Data}); err != nil {
			return projections.Calibration{}, fmt.Errorf("event %d: %w", i+1, err)
		}
	}
	return m.View(calibrationClock).Calibration(), nil
}

// TestCalibrationPrint prints the calibration as JSON, for the README's table, when FAIRTRAIL_CALIBRATION_WORKERS
// is set (e.g. 20000), of the dataset of seed FAIRTRAIL_CALIBRATION_SEED (default 1).
func TestCalibrationPrint(t *testing.T) {
	s := os.Getenv("FAIRTRAIL_CALIBRATION_WORKERS")
	if s == "" {
		t.Skip("set FAIRTRAIL_CALIBRATION_WORKERS to print a dataset's calibration")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("FAIRTRAIL_CALIBRATION_WORKERS=%q: not a positive number", s)
	}
	seed := int64(1)
	if s := os.Getenv("FAIRTRAIL_CALIBRATION_SEED"); s != "" {
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("FAIRTRAIL_CALIBRATION_SEED=%q: not a number", s)
		}
	}
	c, err := calibrate(n, seed)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.MarshalIndent(c, "", "  ")
	t.Logf("%s", out)
}

// TestCalibrationMatchesSurveys holds the generator's figures, measured through the read model, within ranges
// around the published figures of issue 11 item 8 (the README's calibration table gives each source and year).
func TestCalibrationMatchesSurveys(t *testing.T) {
	t.Parallel()
	c, err := calibrationFixture()
	if err != nil {
		t.Fatal(err)
	}
	f := figures{t: t, c: c}
	tests := []struct {
		name   string
		got    decimal.Decimal
		lo, hi string
	}{
		// Passports held and not returned, among workers at the worksite: 94% (Verite 2014), 86% (SESRI 2012).
		{"passport held, Malaysia", f.passport("MY").HeldFromEmployed, "0.85", "0.99"},
		{"passport held, Qatar", f.passport("QA").HeldFromEmployed, "0.78", "0.94"},
		{"passport held, Saudi Arabia", f.passport("SA").HeldFromEmployed, "0.70", "0.90"},
		{"passport held, Taiwan", f.passport("TW").HeldFromEmployed, "0.15", "0.45"},
		// Over half of Nepalis paid less than promised (Amnesty 2017); the brief: 30-50%.
		{"paid less than promised", c.PaidLessThanPromised, "0.30", "0.50"},
		// Bangladesh to Malaysia US$4.5-6k (2024); Bangladesh Tk 4.0-4.4 lakh, about 18 months (BBS 2020).
		// (the range allows for the sampling error of a corridor with 200 workers: about 7% of the mean).
		{"Bangladesh to Malaysia, mean US$", f.corridor("BD", "MY").MeanUSD, "4500", "6500"},
		{"Bangladesh, mean Tk", f.origin("BD").MeanLocal.Amount.Decimal(), "400000", "600000"},
		{"Bangladesh, mean months of wages", f.origin("BD").MeanMonths, "10", "20"},
		// Nepal to Malaysia about twice Nepal to the Gulf.
		{"Nepal to Malaysia over Nepal to Saudi Arabia, medians", f.corridor("NP", "MY").MedianUSD.Div(
			f.corridor("NP", "SA").MedianUSD), "1.6", "2.4"},
		// Indonesia to Malaysia US$340-742.
		{"Indonesia to Malaysia, mean US$", f.corridor("ID", "MY").MeanUSD, "340", "742"},
		// Most Filipino workers pay about one month.
		{"Philippines to Saudi Arabia, median months", f.corridor("PH", "SA").MedianMonths, "0.6", "1.5"},
		{"Philippines to the UAE, median months", f.corridor("PH", "AE").MedianMonths, "0.6", "1.5"},
		// Taiwan: NT$80-200k before departure (TIWA 2023), at about NT$31.5 to the dollar.
		{"Philippines to Taiwan, median US$ before departure", f.corridor("PH", "TW").MedianUSD, "2540", "6350"},
		{"Indonesia to Taiwan, median US$ before departure", f.corridor("ID", "TW").MedianUSD, "2540", "6350"},
		// Recruitment loans: BD 78% (BBS 2020), NP 63% (IOM/NIDS 2020), PH about 20% (World Bank 2023).
		{"loans, Bangladesh", f.origin("BD").Loans, "0.70", "0.86"},
		{"loans, Nepal", f.origin("NP").Loans, "0.55", "0.71"},
		{"loans, Philippines", f.origin("PH").Loans, "0.14", "0.26"},
		// Repayment rare and concentrated in remediation programmes (10-15% of employers, near fully).
		{"repaid share of what workers paid", c.Repayment.Repaid, "0.03", "0.30"},
		{"employers repaying at least half", c.Repayment.RepayingShare, "0.05", "0.25"},
		{"their share of all money repaid", c.Repayment.RepayingShareOfRepaid, "0.70", "1"},
		{"what they repaid of their workers' payments", c.Repayment.RepayingRepaid, "0.70", "1"},
		{"what other employers repaid", c.Repayment.OthersRepaid, "0", "0.05"},
		// Right-skewed: mean about 1.3 times the median (World Bank 2009, Bangladesh).
		{"Bangladesh to Malaysia, mean over median", f.corridor("BD", "MY").MeanOverMedian, "1.1", "1.5"},
		{"Bangladesh to Saudi Arabia, mean over median", f.corridor("BD", "SA").MeanOverMedian, "1.1", "1.5"},
		{"Nepal to Malaysia, mean over median", f.corridor("NP", "MY").MeanOverMedian, "1.1", "1.5"},
		{"India to Saudi Arabia, mean over median", f.corridor("IN", "SA").MeanOverMedian, "1.1", "1.5"},
		{"fees not converted to US$", decimal.NewFromInt(int64(c.NotConverted)), "0", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := decimal.RequireFromString(tt.lo), decimal.RequireFromString(tt.hi)
			if tt.got.LessThan(lo) || tt.got.GreaterThan(hi) {
				t.Errorf("%s = %s, want between %s and %s", tt.name, tt.got, lo, hi)
			}
		})
	}
}

// figures finds a calibration's figures, failing the test when the dataset has none.
type figures struct {
	t *testing.T
	c projections.Calibration
}

// minPaying is how many paying workers a corridor needs for its figures to be held to a range.
const minPaying = 40

func (f figures) corridor(origin, dest string) projections.CostFigure {
	for _, x := range f.c.Corridors {
		if x.Origin == origin && x.Destination == dest {
			if x.Paying < minPaying {
				f.t.Fatalf("corridor %s to %s has %d paying workers, fewer than %d", origin, dest, x.Paying, minPaying)
			}
			return x
		}
	}
	f.t.Fatalf("no workers from %s to %s", origin, dest)
	return projections.CostFigure{}
}

func (f figures) origin(origin string) projections.CostFigure {
	for _, x := range f.c.Origins {
		if x.Origin == origin {
			return x
		}
	}
	f.t.Fatalf("no workers from %s", origin)
	return projections.CostFigure{}
}

func (f figures) passport(dest string) projections.PassportFigure {
	for _, x := range f.c.Passports {
		if x.Destination == dest && x.Employed >= 100 {
			return x
		}
	}
	f.t.Fatalf("fewer than 100 workers employed in %s", dest)
	return projections.PassportFigure{}
}
