package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// TestAReportIDNamesOneReport: a WorkerReported whose report_id its worker already uses (stored, or earlier in
// the request) is 409 report_id_reused for every writer, admins too; a resolution of a report the worker does
// not have is 404 for every writer; both name data.report_id and store nothing; a caller outside the worker's
// scope still learns only that the worker is not found; the same report again is a retry.
func TestAReportIDNamesOneReport(t *testing.T) {
	f := newFixture(t, true, withNotes(t))
	f.mustPost("unionA", workerReport(800, "w-a1", "rep-1", "worker_organisation"))
	before := f.streamLen("worker-w-a1")
	replayed := func(t *testing.T, w *httptest.ResponseRecorder) {
		if w.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("a retry answered without Idempotent-Replayed: %s", w.Body)
		}
	}
	runPosts(t, f, []postCase{
		{name: "an auditor records a second account under a used report_id", key: "auditorA", status: 409,
			code: "report_id_reused", paths: []string{"data.report_id"}, body: workerReport(801, "w-a1", "rep-1", "interview")},
		{name: "an admin records a second account under a used report_id", key: "admin", status: 409,
			code: "report_id_reused", paths: []string{"data.report_id"}, body: workerReport(802, "w-a1", "rep-1", "hotline")},
		{name: "a worker organisation records two accounts under one report_id in one request", key: "unionA",
			status: 409, code: "report_id_reused", paths: []string{"[1].data.report_id"},
			body: []any{workerReport(803, "w-a1", "rep-2", "hotline"), workerReport(804, "w-a1", "rep-2", "other")}},
		{name: "an admin resolves a report the worker does not have", key: "admin", status: 404, code: "not_found",
			paths: []string{"data.report_id"}, body: reportResolved(805, "w-a1", "rep-none", "withdrawn")},
		{name: "an admin resolves another worker's report", key: "admin", status: 404, code: "not_found",
			paths: []string{"data.report_id"}, body: reportResolved(806, "w-ab1", "rep-1", "withdrawn")},
		{name: "an auditor out of scope reuses a report_id", key: "auditorNone", status: 404, code: "not_found",
			paths: []string{"data.worker_id"}, body: workerReport(807, "w-a1", "rep-1", "interview")},
		{name: "the report again is a retry", key: "unionA", status: 201, check: replayed,
			body: workerReport(800, "w-a1", "rep-1", "worker_organisation")},
		{name: "a new account takes a new report_id", key: "auditorA", status: 201,
			body: workerReport(808, "w-a1", "rep-3", "interview")},
		{name: "an admin resolves a report of the request", key: "admin", status: 201,
			body: []any{workerReport(809, "w-ab1", "rep-1", "hotline"), reportResolved(810, "w-ab1", "rep-1", "withdrawn")}},
	})
	if got := f.streamLen("worker-w-a1"); got != before+1 {
		t.Errorf("worker-w-a1 holds %d events, want %d: the refused requests stored nothing, the new account one", got, before+1)
	}
	// A refused request takes back the note it saved.
	body := workerReport(811, "w-a1", "rep-1", "hotline")
	body["note"] = secretNote
	if w := f.post("admin", body); w.Code != http.StatusConflict {
		t.Fatalf("a reused report_id with a note: %d %s", w.Code, w.Body)
	}
	if w := f.get("/v1/notes/"+notes.Hash(secretNote), "admin"); w.Code != http.StatusNotFound {
		t.Fatalf("the note of a refused request: %d %s", w.Code, w.Body)
	}
}

// TestImportRouteAppliesTheReportRule: POST /v1/import refuses a body whose WorkerReported reuses a report_id
// (409 report_id_reused when that is its only fault) or resolves a report the worker does not have (400, the
// line named at data.report_id), storing nothing; the same body again after it was stored is all duplicates.
func TestImportRouteAppliesTheReportRule(t *testing.T) {
	f := newFixture(t, true)
	nd := map[string]string{"Content-Type": "application/x-ndjson"}
	stored := ndjson(t, workerReport(900, "w-a1", "rep-1", "hotline"), reportResolved(901, "w-a1", "rep-1", "withdrawn"))
	if w := f.do("POST", "/v1/import", "admin", stored, nd); w.Code != 200 {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	type answer struct {
		Error struct {
			Code  string `json:"code"`
			Lines []struct {
				Line   int `json:"line"`
				Fields []struct {
					Path string `json:"path"`
				} `json:"fields"`
			} `json:"lines"`
		} `json:"error"`
		Appended, Duplicates int
	}
	cases := []struct {
		name   string
		body   []byte
		status int
		code   string
		line   int
	}{
		{"a second account under a stored report's report_id", ndjson(t, retained(902, "w-a1"),
			workerReport(903, "w-a1", "rep-1", "other")), http.StatusConflict, "report_id_reused", 2},
		{"two accounts under one report_id in the body", ndjson(t, workerReport(904, "w-a1", "rep-2", "other"),
			workerReport(905, "w-a1", "rep-2", "hotline")), http.StatusConflict, "report_id_reused", 2},
		{"a resolution of a report the worker does not have", ndjson(t, retained(906, "w-a1"),
			reportResolved(907, "w-a1", "rep-9", "withdrawn")), http.StatusBadRequest, "invalid_input", 2},
		{"the stored body again", stored, http.StatusOK, "", 0},
	}
	before := f.streamLen("worker-w-a1")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("POST", "/v1/import", "admin", tc.body, nd)
			a := decode[answer](t, w)
			if w.Code != tc.status || f.streamLen("worker-w-a1") != before {
				t.Fatalf("status %d, want %d, %d events stored: %s", w.Code, tc.status, f.streamLen("worker-w-a1")-before, w.Body)
			}
			if tc.status == http.StatusOK {
				if a.Appended != 0 || a.Duplicates != 2 {
					t.Errorf("report %+v, want 2 duplicates", a)
				}
				return
			}
			e := a.Error
			if e.Code != tc.code || len(e.Lines) != 1 || e.Lines[0].Line != tc.line || e.Lines[0].Fields[0].Path != "data.report_id" {
				t.Errorf("error %+v, want %s naming line %d data.report_id", e, tc.code, tc.line)
			}
		})
	}
}

// withID is an event of a test with data[field] set to id.
func withID(e map[string]any, field, id string) map[string]any {
	e["data"].(map[string]any)[field] = id
	return e
}

// TestARecordIDNamesOneRecord: a FeePaid, FeeReimbursed or LoanTaken whose id its worker already uses (stored, or
// earlier in the request) under another event is 409 fee_id_reused, reimbursement_id_reused or loan_id_reused
// naming the field, storing nothing: a fee or a reimbursement posted again without its event_id is not counted
// twice. The same event again is a retry, and the same id for another worker is another record.
func TestARecordIDNamesOneRecord(t *testing.T) {
	f := newFixture(t, true)
	reimbursement := func(n int) map[string]any {
		return ev(uuid(n), "FeeReimbursed", "2024-04-01T09:00:00Z", map[string]any{"worker_id": "w-a1",
			"reimbursement_id": "re-1", "fee_id": "fee-820", "amount": map[string]any{"amount": "100.00", "currency": "NPR"},
			"paid_by": "emp-a"})
	}
	loan := func(n int) map[string]any {
		return ev(uuid(n), "LoanTaken", "2024-02-01T09:00:00Z", map[string]any{"worker_id": "w-a1", "loan_id": "loan-1",
			"principal": map[string]any{"amount": "300.00", "currency": "NPR"}, "purpose": "recruitment"})
	}
	f.mustPost("admin", []any{fee(820, "w-a1", "medical", "300.00"), reimbursement(821), loan(822)})
	before := f.streamLen("worker-w-a1")
	runPosts(t, f, []postCase{
		{name: "an agency posts its fee again under another event_id", key: "agA", status: 409, code: "fee_id_reused",
			paths: []string{"data.fee_id"}, body: withID(fee(823, "w-a1", "medical", "300.00"), "fee_id", "fee-820")},
		{name: "an employer posts its reimbursement again", key: "empA", status: 409, code: "reimbursement_id_reused",
			paths: []string{"data.reimbursement_id"}, body: reimbursement(824)},
		{name: "an admin posts a loan under a used loan_id", key: "admin", status: 409, code: "loan_id_reused",
			paths: []string{"data.loan_id"}, body: loan(825)},
		{name: "two fees under one fee_id in one request", key: "agA", status: 409, code: "fee_id_reused",
			paths: []string{"[1].data.fee_id"}, body: []any{withID(fee(826, "w-a1", "visa", "50.00"), "fee_id", "fee-x"),
				withID(fee(827, "w-a1", "travel", "70.00"), "fee_id", "fee-x")}},
		{name: "the fee again is a retry", key: "agA", status: 201, body: fee(820, "w-a1", "medical", "300.00")},
		{name: "the same fee_id for another worker is another fee", key: "admin", status: 201,
			body: withID(fee(828, "w-ab1", "visa", "50.00"), "fee_id", "fee-820")},
	})
	if got := f.streamLen("worker-w-a1"); got != before {
		t.Errorf("worker-w-a1 holds %d events, want %d: the refused requests stored nothing", got, before)
	}
}
