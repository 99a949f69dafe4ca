package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// workerReport is a WorkerReported of a worker through a channel.
func workerReport(n int, worker, report, channel string) map[string]any {
	return ev(uuid(n), "WorkerReported", "2024-05-01T09:00:00Z", map[string]any{"worker_id": worker, "report_id": report,
		"kind": "fee_not_recorded", "channel": channel, "language": "ne",
		"fee": map[string]any{"category": "medical", "amount": map[string]any{"amount": "12000.00", "currency": "NPR"}}})
}

func reportResolved(n int, worker, report, outcome string) map[string]any {
	return ev(uuid(n), "WorkerReportResolved", "2024-06-01T09:00:00Z", map[string]any{"worker_id": worker,
		"report_id": report, "outcome": outcome})
}

func retained(n int, worker string) map[string]any {
	return ev(uuid(n), "DocumentRetained", "2024-05-01T09:00:00Z", map[string]any{"worker_id": worker,
		"document": "passport", "held_by": "emp-a"})
}

func signed(n int, worker string) map[string]any {
	return ev(uuid(n), "ContractSigned", "2024-02-20T09:00:00Z", map[string]any{"worker_id": worker,
		"contract_id": fmt.Sprintf("ct-%d", n), "stage": "pre_departure", "terms": terms("emp-a", "MY"), "language": "ne",
		"worker_copy": true})
}

// TestWhoRecordsWorkersVoice: auditors (in their granted scope) and worker organisations record reports,
// auditors also what an interview established, with the interview in recorded_by; employers and agencies record
// no report; no key records a worker_link report; a worker outside the scope is 404, a type outside the role 403.
func TestWhoRecordsWorkersVoice(t *testing.T) {
	f := newFixture(t, true)
	byEmployer := fee(608, "w-a1", "visa", "100.00")
	byEmployer["data"].(map[string]any)["payer"] = "employer"
	byEmployer["data"].(map[string]any)["payer_id"] = "emp-a"
	runPosts(t, f, []postCase{
		{name: "an auditor records a report from an interview", key: "auditorA", status: 201,
			body: workerReport(600, "w-a1", "rep-aud-1", "interview")},
		{name: "an auditor records a fee the interview established", key: "auditorA", status: 201,
			body: fee(601, "w-a1", "medical", "12000.00")},
		{name: "an auditor records a passport held", key: "auditorA", status: 201, body: retained(602, "w-a1")},
		{name: "an auditor records a contract the worker showed", key: "auditorA", status: 201, body: signed(603, "w-a1")},
		{name: "an auditor records a report of a worker outside its grants", key: "auditorA", status: 404,
			code: "not_found", paths: []string{"data.worker_id"}, body: workerReport(604, "w-b1", "rep-x", "interview")},
		{name: "an auditor with no grant records a report", key: "auditorNone", status: 404, code: "not_found",
			paths: []string{"data.worker_id"}, body: workerReport(605, "w-a1", "rep-x", "interview")},
		{name: "an auditor records a report of an unknown worker", key: "auditorA", status: 404,
			paths: []string{"data.worker_id"}, body: workerReport(606, "w-zz", "rep-x", "interview")},
		{name: "an auditor records a recruitment", key: "auditorA", status: 403, code: "forbidden",
			paths: []string{"type"}, body: recruit(607, "w-new", "jo-a", "ag-a")},
		{name: "an auditor claims the employer paid a fee", key: "auditorA", status: 403, code: "forbidden",
			paths: []string{"data.payer_id"}, body: byEmployer},
		{name: "an auditor records a forbidden type and an out-of-scope worker: 403 first", key: "auditorA",
			status: 403, paths: []string{"[0].type"}, body: []any{recruit(609, "w-new", "jo-a", "ag-a"),
				workerReport(610, "w-b1", "rep-x", "interview")}},
		{name: "a worker organisation records a report", key: "unionA", status: 201,
			body: workerReport(611, "w-a1", "rep-union-1", "worker_organisation")},
		{name: "a worker organisation records a report and resolves it in one request", key: "unionA", status: 201,
			body: []any{workerReport(612, "w-ab1", "rep-union-2", "hotline"), reportResolved(613, "w-ab1", "rep-union-2", "withdrawn")}},
		{name: "a worker organisation records a fee", key: "unionA", status: 403, code: "forbidden",
			paths: []string{"type"}, body: fee(614, "w-a1", "medical", "12000.00")},
		{name: "a worker organisation records a report of a worker outside its grants", key: "unionA", status: 404,
			paths: []string{"data.worker_id"}, body: workerReport(615, "w-b1", "rep-x", "worker_organisation")},
		{name: "an employer records a report", key: "empA", status: 403, code: "forbidden", paths: []string{"type"},
			body: workerReport(616, "w-a1", "rep-x", "hotline")},
		{name: "an agency records a report", key: "agA", status: 403, paths: []string{"type"},
			body: workerReport(617, "w-a1", "rep-x", "other")},
		{name: "an auditor records a report as if through the worker's link", key: "auditorA", status: 403,
			code: "forbidden", paths: []string{"data.channel"}, body: workerReport(618, "w-a1", "rep-x", "worker_link")},
		{name: "a worker organisation records a report as if through the worker's link", key: "unionA", status: 403,
			paths: []string{"data.channel"}, body: workerReport(619, "w-a1", "rep-x", "worker_link")},
		{name: "an admin records a report as if through the worker's link", key: "admin", status: 403,
			paths: []string{"[1].data.channel"}, body: []any{workerReport(620, "w-a1", "rep-y", "interview"),
				workerReport(621, "w-a1", "rep-x", "worker_link")}},
	})
	history := decode[struct {
		Timeline []struct {
			EventID    string `json:"event_id"`
			RecordedBy string `json:"recorded_by"`
		} `json:"timeline"`
	}](t, f.get("/v1/workers/w-a1/history", "admin"))
	want := map[string]string{uuid(600): "aud-1", uuid(601): "interview:aud-1", uuid(602): "interview:aud-1",
		uuid(603): "interview:aud-1", uuid(611): "union-1"}
	for _, e := range history.Timeline {
		if by, ok := want[e.EventID]; ok {
			if e.RecordedBy != by {
				t.Errorf("event %s recorded_by %q, want %q", e.EventID, e.RecordedBy, by)
			}
			delete(want, e.EventID)
		}
	}
	if len(want) != 0 {
		t.Errorf("events missing from the history: %v", want)
	}
}

// TestWhoResolvesAReport: the organisation that recorded a report, an auditor in scope or an admin resolves
// it; another worker organisation, the employer and the agencies may not; an unknown report is 404.
func TestWhoResolvesAReport(t *testing.T) {
	f := newFixture(t, true)
	f.mustPost("unionA", workerReport(700, "w-a1", "rep-1", "worker_organisation"))
	f.mustPost("auditorA", workerReport(701, "w-a1", "rep-2", "exit_interview"))
	runPosts(t, f, []postCase{
		{name: "the employer resolves a report", key: "empA", status: 403, code: "forbidden", paths: []string{"type"},
			body: reportResolved(702, "w-a1", "rep-1", "not_substantiated")},
		{name: "the recruiting agency resolves a report", key: "agA", status: 403, paths: []string{"type"},
			body: reportResolved(703, "w-a1", "rep-1", "withdrawn")},
		{name: "another worker organisation resolves a report", key: "unionB", status: 403, code: "forbidden",
			paths: []string{"data.report_id"}, body: reportResolved(704, "w-a1", "rep-1", "withdrawn")},
		{name: "a worker organisation resolves an auditor's report", key: "unionA", status: 403,
			paths: []string{"data.report_id"}, body: reportResolved(705, "w-a1", "rep-2", "withdrawn")},
		{name: "an auditor resolves a report nobody made", key: "auditorA", status: 404, code: "not_found",
			paths: []string{"data.report_id"}, body: reportResolved(706, "w-a1", "rep-none", "substantiated")},
		{name: "an auditor resolves a report of another worker's id", key: "auditorA", status: 404,
			paths: []string{"data.report_id"}, body: reportResolved(707, "w-ab1", "rep-1", "substantiated")},
		{name: "an auditor out of scope resolves a report", key: "auditorNone", status: 404,
			paths: []string{"data.worker_id"}, body: reportResolved(708, "w-a1", "rep-1", "substantiated")},
		{name: "the worker organisation resolves its own report", key: "unionA", status: 201,
			body: reportResolved(709, "w-a1", "rep-1", "remediated")},
		{name: "an auditor in scope resolves a report it did not record", key: "auditorA", status: 201,
			body: reportResolved(710, "w-a1", "rep-1", "substantiated")},
		{name: "an admin resolves any report", key: "admin", status: 201,
			body: reportResolved(711, "w-a1", "rep-2", "not_substantiated")},
	})
}

// TestWorkerOrganisationReads: a worker organisation reads the workers its grants cover, and no brand rollup.
func TestWorkerOrganisationReads(t *testing.T) {
	f := newFixture(t, true)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/v1/workers/w-a1", http.StatusOK},
		{"/v1/workers/w-b1", http.StatusNotFound},
		{"/v1/flags?worker=w-a1", http.StatusOK},
		{"/v1/audit", http.StatusForbidden},
	} {
		w := f.get(c.path, "unionA")
		if w.Code != c.status {
			t.Errorf("GET %s as a worker organisation: %d, want %d: %s", c.path, w.Code, c.status, w.Body)
		}
	}
}

// TestReportMetrics: /metrics counts reports by kind and channel and those still unresolved, from the counts
// the read model maintains, and lists worker.report_open and fee.reported_unrecorded like every other code.
func TestReportMetrics(t *testing.T) {
	clock := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, true, withNow(clock))
	f.mustPost("auditorA", []any{workerReport(800, "w-a1", "rep-1", "interview"),
		workerReport(801, "w-a2", "rep-2", "exit_interview"), reportResolved(802, "w-a2", "rep-2", "withdrawn")})
	f.mustPost("unionA", workerReport(803, "w-ab1", "rep-3", "worker_organisation"))
	got := f.scrape(t)
	expect(t, got, "fairtrail_worker_reports{channel=interview,kind=fee_not_recorded}", 1)
	expect(t, got, "fairtrail_worker_reports{channel=exit_interview,kind=fee_not_recorded}", 1)
	expect(t, got, "fairtrail_worker_reports{channel=worker_organisation,kind=fee_not_recorded}", 1)
	expect(t, got, "fairtrail_worker_reports{channel=hotline,kind=threat}", 0)
	expect(t, got, "fairtrail_worker_reports_open{}", 2)
	// Recorded now (the store's clock), the reports are more than 30 days old at the server's clock in 2030.
	expect(t, got, "fairtrail_flags_open{code=worker.report_open}", 2)
	expect(t, got, "fairtrail_flags_open{code=fee.reported_unrecorded}", 2)
}

// TestReservedOrganisationsRecordNothing: a key of organisation "worker" or "interview:..." cannot be created,
// but one written into the key file by hand is refused every write (403), so no key's events pass as the
// worker's own report or an auditor's interview; nothing is stored.
func TestReservedOrganisationsRecordNothing(t *testing.T) {
	f := newFixture(t, true)
	raw, err := os.ReadFile(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"worker": "ft_" + strings.Repeat("w", 43), "interview:aud-1": "ft_" + strings.Repeat("i", 43)}
	for org, secret := range secrets {
		sum := sha256.Sum256([]byte(secret))
		file["keys"] = append(file["keys"].([]any), map[string]any{"id": "key_" + org[:6], "org": org, "role": "admin",
			"sha256": hex.EncodeToString(sum[:]), "created_at": "2026-01-01T00:00:00Z"})
	}
	b, _ := json.Marshal(file)
	tmp := f.keyFile + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, f.keyFile); err != nil {
		t.Fatal(err)
	}
	for org, secret := range secrets {
		w := f.do("POST", "/v1/events", "raw:Bearer "+secret, mustJSON(t, workerReport(900, "w-a1", "rep-r", "worker_link")), nil)
		if w.Code != http.StatusForbidden {
			t.Errorf("a key of %q posts a worker_link report: %d %s", org, w.Code, w.Body)
		}
	}
	if w := f.get("/v1/workers/w-a1", "admin"); strings.Contains(w.Body.String(), "rep-r") {
		t.Error("a refused report was stored")
	}
}
