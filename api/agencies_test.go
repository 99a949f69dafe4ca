package api_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/projections"
)

// TestAgenciesScope: each key sees the agencies through the job orders in its scope, counting only the workers
// in its scope, from the rollups and from a replay under a time filter alike. In the scenario ag-a is engaged
// on jo-a (buyer-a) and jo-ab (buyer-a and buyer-b); sub-a recruited w-a2 on jo-a without being engaged; ag-b
// is engaged on jo-b (buyer-b).
func TestAgenciesScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, query string
		want       map[string]int // agency -> workers
	}{
		{"admin", "", map[string]int{"ag-a": 3, "ag-b": 1, "sub-a": 1}},
		{"admin", "buyer=buyer-b", map[string]int{"ag-a": 1, "ag-b": 1}},
		{"buyerA", "", map[string]int{"ag-a": 3, "sub-a": 1}},
		{"buyerB", "", map[string]int{"ag-a": 1, "ag-b": 1}},
		{"auditorA", "", map[string]int{"ag-a": 3, "sub-a": 1}},
		{"empA", "", map[string]int{"ag-a": 3, "sub-a": 1}},
		{"empB", "", map[string]int{"ag-b": 1}},
		{"agA", "", map[string]int{"ag-a": 3}},
		{"subA", "", map[string]int{"sub-a": 1}},
	}
	for _, source := range []struct {
		name   string
		filter string
	}{{"rollups", ""}, {"as of a date", "as_of=2099-01-01"}} {
		t.Run(source.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, true)
			for _, tc := range tests {
				q := strings.Trim(tc.query+"&"+source.filter, "&")
				w := f.get("/v1/agencies?"+q, tc.key)
				if w.Code != http.StatusOK {
					t.Fatalf("%s ?%s: %d %s", tc.key, q, w.Code, w.Body)
				}
				report := decode[projections.AgencyReport](t, w)
				got := map[string]int{}
				for _, s := range report.Agencies {
					got[s.AgencyID] = s.Workers
				}
				if !sameCounts(got, tc.want) {
					t.Errorf("%s ?%s: agencies %v, want %v", tc.key, q, got, tc.want)
				}
			}
		})
	}
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestAgenciesRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	tests := []struct {
		name, key, query string
		status           int
		field            string
	}{
		{"another buyer's agencies", "buyerA", "buyer=buyer-b", http.StatusNotFound, ""},
		{"an auditor granted by no buyer", "auditorNone", "", http.StatusBadRequest, "buyer"},
		{"an unknown sort", "admin", "sort=worst", http.StatusBadRequest, "sort"},
		{"a currency in lower case", "admin", "currency=usd", http.StatusBadRequest, "currency"},
		{"a negative minimum", "admin", "min_workers=-1", http.StatusBadRequest, "min_workers"},
		{"a minimum that is not a number", "admin", "min_workers=ten", http.StatusBadRequest, "min_workers"},
		{"a bad date", "admin", "as_of=2025-02-30", http.StatusBadRequest, "as_of"},
		{"an unknown parameter", "admin", "by=agency", http.StatusBadRequest, "by"},
		{"the metrics role", "metrics", "", http.StatusForbidden, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.get("/v1/agencies?"+tc.query, tc.key)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.field != "" {
				if e := decode[apiError](t, w); !slices.Contains(e.paths(), tc.field) {
					t.Errorf("fields %v, want %s", e.paths(), tc.field)
				}
			}
		})
	}
}

// TestAgenciesCSV: Accept: text/csv answers the command line's CSV table, scoped as the JSON is.
func TestAgenciesCSV(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	w := f.do("GET", "/v1/agencies?min_workers=1", "buyerB", nil, map[string]string{"Accept": "text/csv"})
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	records, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rec := range records[1:] {
		ids = append(ids, rec[0])
	}
	if records[0][0] != "agency_id" || !slices.Contains(records[0], "clean") {
		t.Errorf("header %v", records[0])
	}
	if slices.Contains(ids, "sub-a") || !slices.Contains(ids, "ag-b") {
		t.Errorf("buyer-b's CSV lists %v", ids)
	}
}

// agencyPageBody is what a page of GET /v1/agencies holds: its scorecards' ids, the rest of the report, and
// the token of the next page.
type agencyPageBody struct {
	Agencies []struct {
		AgencyID string `json:"agency_id"`
	} `json:"agencies"`
	Clean         json.RawMessage `json:"clean_agencies"`
	Sort          string          `json:"sort"`
	JudgedAt      string          `json:"judged_at"`
	NextPageToken string          `json:"next_page_token"`
}

// TestAgenciesPages: walking GET /v1/agencies a scorecard a page gives the scorecards of the whole report in
// its order, each page with the report's other fields and the whole clean list, whether the pages are read by
// seeking in the rollups (admin, a buyer, by risk, workers or name) or cut from a report judged whole (the
// risk order in a currency, an employer, a time filter).
func TestAgenciesPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	cases := []struct{ name, key, query string }{
		{"admin, by risk", "admin", "min_workers=1"},
		{"admin, by name", "admin", "min_workers=1&sort=name"},
		{"admin, by workers", "admin", "min_workers=0&sort=workers"},
		{"a buyer", "buyerA", "min_workers=1"},
		{"the risk order in a currency", "admin", "min_workers=1&currency=USD"},
		{"an employer", "empA", "min_workers=1"},
		{"as of a date", "admin", "min_workers=1&as_of=2030-01-01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			whole := f.get("/v1/agencies?page_size=1000&"+tc.query, tc.key)
			if whole.Code != http.StatusOK {
				t.Fatalf("whole: status %d %s", whole.Code, whole.Body)
			}
			want := decode[agencyPageBody](t, whole)
			if want.NextPageToken != "" || len(want.Agencies) < 2 {
				t.Fatalf("whole report: %d agencies, next %q: want two or more on one page", len(want.Agencies), want.NextPageToken)
			}
			var got []string
			token := ""
			for range len(want.Agencies) + 1 {
				path := "/v1/agencies?page_size=1&" + tc.query
				if token != "" {
					path += "&page_token=" + token
				}
				w := f.get(path, tc.key)
				if w.Code != http.StatusOK {
					t.Fatalf("page %d: status %d %s", len(got)+1, w.Code, w.Body)
				}
				p := decode[agencyPageBody](t, w)
				if len(p.Agencies) > 1 || string(p.Clean) != string(want.Clean) || p.Sort != want.Sort {
					t.Fatalf("page %d: %d scorecards, clean %s, sort %q; want one, the whole clean list %s, sort %q",
						len(got)+1, len(p.Agencies), p.Clean, p.Sort, want.Clean, want.Sort)
				}
				for _, a := range p.Agencies {
					got = append(got, a.AgencyID)
				}
				if token = p.NextPageToken; token == "" {
					break
				}
			}
			var wantIDs []string
			for _, a := range want.Agencies {
				wantIDs = append(wantIDs, a.AgencyID)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("pages list %v, want %v", got, wantIDs)
			}
		})
	}
}

// TestAgenciesPageErrorsNameTheField: a page size out of range and a page token that does not continue the
// query answer 400 naming page_size or page_token.
func TestAgenciesPageErrorsNameTheField(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	first := decode[agencyPageBody](t, f.get("/v1/agencies?page_size=1&min_workers=1", "admin"))
	if first.NextPageToken == "" {
		t.Fatal("no second page to take a token from")
	}
	cases := []struct{ name, query, field string }{
		{"a page size of zero", "page_size=0", "page_size"},
		{"a page size over the limit", "page_size=1001", "page_size"},
		{"a page size that is not a number", "page_size=many", "page_size"},
		{"a token that is not one", "page_token=nonsense", "page_token"},
		{"a token of another query", "min_workers=2&page_token=" + first.NextPageToken, "page_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := f.get("/v1/agencies?"+tc.query, "admin")
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", w.Code, w.Body)
			}
			if e := decode[apiError](t, w); !slices.Contains(e.paths(), tc.field) {
				t.Errorf("fields %v, want %s", e.paths(), tc.field)
			}
		})
	}
}
