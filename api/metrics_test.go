package api_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// awaitModel waits until the read model's follower has applied every event stored: a scrape reads the model
// as it is, and a write answers before its event is applied once Limits.ConsistencyWait has passed (a rates
// table, which rebuilds the model, under a loaded machine).
func (f *fixture) awaitModel(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		head, err := f.store.Head(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		cp, current, err := f.readModel.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if current && !cp.Position.Less(head) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the read model is at %v, the store at %v, after 2 minutes", cp.Position, head)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// scrape reads /metrics and returns each series' value by name and labels ("name{k=v,...}").
func (f *fixture) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	f.awaitModel(t)
	w := f.get("/metrics", "metrics")
	if w.Code != 200 {
		t.Fatalf("/metrics: %d %s", w.Code, w.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			out[series(name, m)] = value(m)
		}
	}
	return out
}

func series(name string, m *dto.Metric) string {
	var labels []string
	for _, l := range m.GetLabel() {
		labels = append(labels, l.GetName()+"="+l.GetValue())
	}
	return name + "{" + strings.Join(labels, ",") + "}"
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return m.GetUntyped().GetValue()
}

// model replays the fixture's store, for the figures the metrics must match.
func (f *fixture) model(t *testing.T) *projections.Model {
	t.Helper()
	m := projections.New(projections.Filter{})
	for rec, err := range f.store.ReadAll(t.Context(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Apply(rec); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func withNow(now time.Time) fixtureOption {
	return func(c *api.Config) { c.Now = func() time.Time { return now } }
}

// TestMetricsMatchTheProjections scrapes /metrics over the scenario and a generated dataset, judged at a clock
// years ahead (so reimbursements are overdue), and compares every series with the projections' own figures.
func TestMetricsMatchTheProjections(t *testing.T) {
	for name, model := range readModels {
		t.Run(name, func(t *testing.T) { metricsMatch(t, model(t)...) })
	}
}

// readModels are the ways the metrics are read: from a persisted model's maintained state, as serve does.
var readModels = map[string]func(t *testing.T) []fixtureOption{
	"persisted model": func(*testing.T) []fixtureOption { return nil },
}

func metricsMatch(t *testing.T, opts ...fixtureOption) {
	clock := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, true, append(opts, withNow(clock))...)
	var data bytes.Buffer
	if _, err := synth.Generate(&data, synth.Options{Workers: 150, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if w := f.do("POST", "/v1/import", "admin", data.Bytes(), map[string]string{"Content-Type": "application/x-ndjson"}); w.Code != 200 {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	f.get("/v1/workers/w-a1", "admin")
	got := f.scrape(t)
	m := f.model(t)
	v := m.View(clock)
	flags := v.Flags(projections.FlagQuery{})
	if len(flags) == 0 {
		t.Fatal("no flags to compare")
	}
	byCode := map[string]int{}
	for _, fl := range flags {
		byCode[fl.Code]++
	}
	if byCode[domain.FlagReimbursementOverdue] == 0 {
		t.Error("no overdue reimbursement at the clock: the comparison would not cover the clock")
	}
	for _, code := range domain.FlagCodes {
		expect(t, got, "fairtrail_flags_open{code="+code+"}", float64(byCode[code]))
		expect(t, got, "fairtrail_flags_raised_total{code="+code+"}", 0) // the first snapshot is the baseline
	}
	orgs := 0
	for s, val := range got {
		for prefix, q := range map[string]func(string) projections.FlagQuery{
			"fairtrail_employer_flags_open{employer=": func(o string) projections.FlagQuery { return projections.FlagQuery{EmployerID: o} },
			"fairtrail_agency_flags_open{agency=":     func(o string) projections.FlagQuery { return projections.FlagQuery{AgencyID: o} },
		} {
			if org, ok := strings.CutPrefix(s, prefix); ok {
				orgs++
				org = strings.TrimSuffix(org, "}")
				if want := float64(len(v.Flags(q(org)))); val != want {
					t.Errorf("%s = %v, want %v (the flags command's filter)", s, val, want)
				}
			}
		}
	}
	if orgs < 10 {
		t.Errorf("only %d employer and agency series", orgs)
	}
	paid, owed := domain.Sums{}, domain.Sums{}
	for _, id := range m.WorkerIDs() {
		r, _ := v.Worker(id)
		for _, mo := range r.Totals.WorkerPaid {
			paid.Add(mo.Currency, mo.Amount.Decimal())
		}
		for _, mo := range r.Totals.Outstanding {
			owed.Add(mo.Currency, mo.Amount.Decimal())
		}
	}
	for cur, d := range paid {
		expect(t, got, "fairtrail_worker_paid_fees{currency="+cur+"}", d.InexactFloat64())
	}
	for cur, d := range owed {
		expect(t, got, "fairtrail_reimbursement_outstanding{currency="+cur+"}", d.InexactFloat64())
	}
	if len(paid) < 3 || len(owed) < 3 {
		t.Errorf("too few currencies to compare: %d paid, %d owed", len(paid), len(owed))
	}
	checkAppendedAndProgress(t, f, got)
	checkLabels(t, got)
}

func expect(t *testing.T, got map[string]float64, s string, want float64) {
	t.Helper()
	v, ok := got[s]
	if !ok {
		t.Errorf("no series %s", s)
		return
	}
	if v != want {
		t.Errorf("%s = %v, want %v", s, v, want)
	}
}

// checkAppendedAndProgress: every stored event was appended through the API, and the model is caught up.
func checkAppendedAndProgress(t *testing.T, f *fixture, got map[string]float64) {
	t.Helper()
	byType := map[string]int{}
	var head eventstore.Position
	for rec, err := range f.store.ReadAll(t.Context(), eventstore.Start) {
		if err != nil {
			t.Fatal(err)
		}
		byType[rec.Type]++
		head = rec.Position
	}
	for _, typ := range domain.Types {
		expect(t, got, "fairtrail_events_appended_total{type="+typ+"}", float64(byType[typ]))
	}
	expect(t, got, "fairtrail_projection_position{}", float64(head.Commit))
	expect(t, got, "fairtrail_store_head_position{}", float64(head.Commit))
	expect(t, got, "fairtrail_projection_lag_seconds{}", 0)
	expect(t, got, "fairtrail_http_requests_total{method=GET,route=/v1/workers/:id,status=200}", 1)
	expect(t, got, "fairtrail_http_request_duration_seconds{method=GET,route=/v1/workers/:id,status=200}", 1)
}

var idLike = regexp.MustCompile(`w-a1|w-[0-9]{6}|[0-9a-f]{8}-[0-9a-f]{4}-`)

// checkLabels: no worker or event id in any label.
func checkLabels(t *testing.T, got map[string]float64) {
	t.Helper()
	for s := range got {
		if idLike.MatchString(s) {
			t.Errorf("series %s carries a worker or event id", s)
		}
	}
}

func TestFlagsRaisedCountsNewFlags(t *testing.T) {
	for name, model := range readModels {
		t.Run(name, func(t *testing.T) { flagsRaised(t, model(t)...) })
	}
}

func flagsRaised(t *testing.T, opts ...fixtureOption) {
	f := newFixture(t, true, opts...)
	before := f.scrape(t) // the baseline
	f.mustPost("agA", []any{fee(500, "w-a1", "deposit", "300.00"), fee(501, "w-a1", "bribe", "50.00")})
	after := f.scrape(t)
	expect(t, after, "fairtrail_flags_raised_total{code=fee.illegitimate}", 2)
	expect(t, after, "fairtrail_flags_raised_total{code=fee.prohibited}", 2)
	expect(t, after, "fairtrail_flags_raised_total{code=chain.undisclosed_intermediary}", 0)
	expect(t, after, "fairtrail_flags_open{code=fee.illegitimate}", before["fairtrail_flags_open{code=fee.illegitimate}"]+2)
	expect(t, after, "fairtrail_events_appended_total{type=FeePaid}", before["fairtrail_events_appended_total{type=FeePaid}"]+2)
	f.post("agA", []any{fee(500, "w-a1", "deposit", "300.00")}) // a retry appends nothing
	expect(t, f.scrape(t), "fairtrail_events_appended_total{type=FeePaid}", before["fairtrail_events_appended_total{type=FeePaid}"]+2)
}

func TestMetricsSnapshotIsNotJudgedMoreOftenThanTheRefresh(t *testing.T) {
	for name, model := range readModels {
		t.Run(name, func(t *testing.T) {
			notMoreOften(t, append(model(t), withLimits(api.Limits{MetricsRefresh: time.Hour}))...)
		})
	}
}

func notMoreOften(t *testing.T, opts ...fixtureOption) {
	f := newFixture(t, true, opts...)
	before := f.scrape(t)
	f.mustPost("agA", fee(600, "w-a1", "deposit", "300.00"))
	after := f.scrape(t)
	expect(t, after, "fairtrail_flags_open{code=fee.illegitimate}", before["fairtrail_flags_open{code=fee.illegitimate}"])
	expect(t, after, "fairtrail_projection_position{}", before["fairtrail_projection_position{}"]+1) // read at every scrape
}

// TestMoneyMetricsMatchTheProjections scrapes the money series in a reporting currency over a generated
// dataset, then after a worker's judgement changes (a fee in KES, which no rate converts) and after a rates
// table giving KES arrives late, and compares them each time with the projections' own totals.
func TestMoneyMetricsMatchTheProjections(t *testing.T) {
	t.Parallel()
	clock := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	var ticks atomic.Int64 // a clock that moves, so that each scrape reads the model again (MetricsRefresh)
	f := newFixture(t, false, withCurrency("USD"), func(c *api.Config) {
		c.Now = func() time.Time { return clock.Add(time.Duration(ticks.Add(1)) * time.Microsecond) }
	})
	var data bytes.Buffer
	if _, err := synth.Generate(&data, synth.Options{Workers: 150, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if w := f.do("POST", "/v1/import", "admin", data.Bytes(), map[string]string{"Content-Type": "application/x-ndjson"}); w.Code != 200 {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	f.get("/v1/workers/w-000001", "admin")
	moneyMatch(t, f, clock)
	f.mustPost("admin", ev(uuid(990), "FeePaid", "2024-03-05T09:00:00Z", map[string]any{"worker_id": "w-000001",
		"fee_id": "fee-kes", "category": "recruitment_fee", "amount": map[string]any{"amount": "13000.00", "currency": "KES"},
		"payer": "worker", "payee_id": "agency-id-1", "method": "cash"}))
	if c := moneyMatch(t, f, clock); len(c.NotConverted.WorkerPaid) == 0 {
		t.Fatal("the KES fee is converted before a table gives KES: the late rates would prove nothing")
	}
	f.mustPost("admin", ev(uuid(991), "ExchangeRatesPublished", "2024-03-01T16:00:00Z", map[string]any{
		"rates_id": "kes-2024-03-01", "source": "CBK", "base": "USD", "date": "2024-03-01",
		"rates": map[string]string{"KES": "130.00"}}))
	if c := moneyMatch(t, f, clock); len(c.NotConverted.WorkerPaid) != 0 {
		t.Errorf("after the KES rates: not converted %v, want every paid fee converted", c.NotConverted.WorkerPaid)
	}
}

// moneyMatch scrapes /metrics and compares the series in the reporting currency (USD) and of months of wages
// with the projections' totals at clock, which it returns.
func moneyMatch(t *testing.T, f *fixture, clock time.Time) *projections.Converted {
	t.Helper()
	got := f.scrape(t)
	v := f.model(t).View(clock)
	total := v.Totals(v.Reporting("USD"))
	c, s := total.Converted(), total.Months()
	if !c.Overdue.Amount.Decimal().IsPositive() {
		t.Error("nothing overdue at the clock: the comparison would not cover the deadlines")
	}
	for name, m := range map[string]domain.Money{"worker_paid_fees": c.WorkerPaid,
		"reimbursement_outstanding": c.Outstanding, "reimbursement_overdue": c.Overdue} {
		expect(t, got, "fairtrail_reporting_"+name+"{currency=USD}", m.Amount.Decimal().InexactFloat64())
	}
	series := 0
	for fig, ms := range map[string][]domain.Money{"worker_paid_fees": c.NotConverted.WorkerPaid,
		"outstanding": c.NotConverted.Outstanding} {
		for _, m := range ms {
			series++
			expect(t, got, "fairtrail_reporting_not_converted{currency="+m.Currency+",figure="+fig+"}",
				m.Amount.Decimal().InexactFloat64())
		}
	}
	for s := range got {
		if strings.HasPrefix(s, "fairtrail_reporting_not_converted{") {
			series--
		}
	}
	if series != 0 {
		t.Errorf("%d not-converted series more expected than scraped", series)
	}
	expect(t, got, "fairtrail_recruitment_cost_months_of_wages{}", float64(s.WorkersWithFigure))
	expect(t, got, "fairtrail_workers_above_one_month_of_wages{}", float64(s.WorkersAboveOneMonth))
	for name, text := range map[string]string{"median": s.Median, "mean": s.Mean} {
		want, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatalf("months of wages %s %q: %v", name, text, err)
		}
		expect(t, got, "fairtrail_recruitment_cost_months_of_wages_"+name+"{}", want)
	}
	return c
}
