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
