package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// truth is what an admin key reads: every job order's buyers, employer and engaged agencies, and every
// worker's job order.
type truth struct {
	jobs      map[string]jobTruth
	workers   map[string]string // worker -> job order
	recruiter map[string]string // worker -> recruited_by
	orgs      map[string][]string
	flags     []flagRef // every flag, as an admin reads them
}

type jobTruth struct {
	Employer string
	Buyers   []string
	Agencies []string
}

// richFixture holds the scenario and a generated dataset of 150 workers (4 job orders naming all 5 buyers in different combinations), loaded through POST /v1/import.
// Seed 29 is a dataset with such job orders: since the generator's calibration, seed 1's 150 workers have 3 job
// orders that name no buyer-2 or buyer-3.
//
// Its writes wait up to a minute for the read model, as every fixture's do (newFixture's Limits.ConsistencyWait).
func richFixture(t *testing.T) (*fixture, truth) {
	t.Helper()
	f := newFixture(t, true)
	var data bytes.Buffer
	if _, err := synth.Generate(&data, synth.Options{Workers: 150, Seed: 29}); err != nil {
		t.Fatal(err)
	}
	if w := f.do("POST", "/v1/import", "admin", data.Bytes(), map[string]string{"Content-Type": "application/x-ndjson"}); w.Code != 200 {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	tr := truth{jobs: map[string]jobTruth{}, workers: map[string]string{}, recruiter: map[string]string{}, orgs: map[string][]string{}}
	for _, line := range append(bytes.Split(data.Bytes(), []byte("\n")), scenarioLines(t)...) {
		var e struct {
			Type string
			Data map[string]any
		}
		if len(line) == 0 || json.Unmarshal(line, &e) != nil {
			continue
		}
		switch e.Type {
		case "OrganisationRegistered":
			tr.orgs[e.Data["role"].(string)] = append(tr.orgs[e.Data["role"].(string)], e.Data["org_id"].(string))
		case "WorkerRecruited":
			tr.workers[e.Data["worker_id"].(string)] = e.Data["job_order_id"].(string)
			tr.recruiter[e.Data["worker_id"].(string)] = e.Data["recruited_by"].(string)
		case "JobOrderIssued":
			var buyers []string
			for _, b := range e.Data["buyer_ids"].([]any) {
				buyers = append(buyers, b.(string))
			}
			j := tr.jobs[e.Data["job_order_id"].(string)]
			j.Employer, j.Buyers = e.Data["employer_id"].(string), buyers
			tr.jobs[e.Data["job_order_id"].(string)] = j
		case "AgencyEngaged":
			j := tr.jobs[e.Data["job_order_id"].(string)]
			j.Agencies = append(j.Agencies, e.Data["agency_id"].(string))
			tr.jobs[e.Data["job_order_id"].(string)] = j
		}
	}
	for _, b := range tr.orgs["buyer"] {
		f.addKey("buyer:"+b, b, keys.RoleBuyer)
	}
	for _, role := range []string{"agency", "sub_agent"} {
		for _, a := range tr.orgs[role] {
			f.addKey("agency:"+a, a, keys.RoleAgency)
		}
	}
	tr.flags = allFlags(t, f, "admin", "")
	return f, tr
}

func scenarioLines(t *testing.T) [][]byte { return bytes.Split(ndjson(t, scenario()...), []byte("\n")) }

func (f *fixture) addKey(name, org, role string) {
	secret, _, err := f.keys.Create(org, role)
	if err != nil {
		f.t.Fatal(err)
	}
	f.key[name] = secret
}

// flagRef is what the isolation checks need of a flag.
type flagRef struct {
	Code       string   `json:"code"`
	WorkerID   string   `json:"worker_id"`
	JobOrderID string   `json:"job_order_id"`
	BuyerIDs   []string `json:"buyer_ids"`
	EventIDs   []string `json:"event_ids"`
}

// allFlags follows every page of GET /v1/flags?query.
func allFlags(t *testing.T, f *fixture, key, query string) []flagRef {
	t.Helper()
	var out []flagRef
	token := ""
	for {
		q, _ := url.ParseQuery(query)
		q.Set("page_size", "500")
		if token != "" {
			q.Set("page_token", token)
		}
		w := f.get("/v1/flags?"+q.Encode(), key)
		if w.Code != http.StatusOK {
			t.Fatalf("flags?%s as %s: %d %s", query, key, w.Code, w.Body)
		}
		p := decode[struct {
			Flags []flagRef `json:"flags"`
			Next  string    `json:"next_page_token"`
		}](t, w)
		out = append(out, p.Flags...)
		if token = p.Next; token == "" {
			return out
		}
	}
}

// TestBuyerIsolation: a buyer's key reads, through every route and query parameter, exactly the workers, job
// orders, flags and audit rows of the job orders that name it, and gets 404 for the others.
func TestBuyerIsolation(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of requests")
	}
	t.Parallel() // its own fixture: the two suites, each most of the package's time, run side by side
	f, tr := richFixture(t)
	named := func(jo, buyer string) bool { return slices.Contains(tr.jobs[jo].Buyers, buyer) }
	workers := sortedKeysOf(tr.workers)
	for _, b := range tr.orgs["buyer"] {
		key := "buyer:" + b
		t.Run(b, func(t *testing.T) {
			for i, w := range workers {
				paths := []string{"/v1/workers/" + w}
				if i%10 == 0 {
					paths = append(paths, "/v1/workers/"+w+"/history", "/v1/workers/"+w+"/contracts", "/v1/flags?worker="+w)
				}
				if i%50 == 0 { // replays: costly
					paths = append(paths, "/v1/workers/"+w+"/history?as_of=2030-01-01",
						"/v1/workers/"+w+"/contracts?known_at=2030-01-01T00:00:00Z")
				}
				want := http.StatusNotFound
				if named(tr.workers[w], b) {
					want = http.StatusOK
				}
				for _, p := range paths {
					if got := f.get(p, key).Code; got != want {
						t.Errorf("GET %s: %d, want %d", p, got, want)
					}
				}
			}
			for jo := range tr.jobs {
				want := http.StatusNotFound
				if named(jo, b) {
					want = http.StatusOK
				}
				for _, p := range []string{"/v1/job-orders/" + jo, "/v1/flags?job_order=" + jo, "/v1/flags?as_of=2030-01-01&job_order=" + jo} {
					if got := f.get(p, key).Code; got != want {
						t.Errorf("GET %s: %d, want %d", p, got, want)
					}
				}
			}
			checkFlags(t, f, tr, key, b)
			checkAudit(t, f, tr, key, b)
		})
	}
}

// checkFlags: under every filter, a buyer's flags concern only job orders that name it; unfiltered, they are
// exactly the admin's flags of those job orders.
func checkFlags(t *testing.T, f *fixture, tr truth, key, b string) {
	t.Helper()
	queries := []string{"", "code=fee.", "as_of=2024-06-30", "known_at=2030-01-01", "buyer=" + b}
	for _, o := range tr.orgs["employer"] {
		queries = append(queries, "employer="+o)
	}
	for i, o := range append(slices.Clone(tr.orgs["agency"]), tr.orgs["sub_agent"]...) {
		if i%5 == 0 {
			queries = append(queries, "agency="+o)
		}
	}
	for i, q := range queries {
		got := allFlags(t, f, key, q)
		for _, fl := range got {
			if !slices.Contains(tr.jobs[fl.JobOrderID].Buyers, b) || !slices.Contains(fl.BuyerIDs, b) {
				t.Errorf("flags?%s: %s of %s %s, whose job order does not name %s", q, fl.Code, fl.WorkerID, fl.JobOrderID, b)
			}
		}
		if i == 0 { // unfiltered (queries[0] is ""): exactly the admin's flags of its job orders
			mine := 0
			for _, fl := range tr.flags {
				if slices.Contains(tr.jobs[fl.JobOrderID].Buyers, b) {
					mine++
				}
			}
			if len(got) != mine || mine == 0 {
				t.Errorf("%d flags, want the %d of its job orders (of %d)", len(got), mine, len(tr.flags))
			}
		}
	}
	for _, other := range tr.orgs["buyer"] {
		if w := f.get("/v1/flags?buyer="+other, key); other != b && w.Code != http.StatusNotFound {
			t.Errorf("flags?buyer=%s: %d, want 404", other, w.Code)
		}
	}
}

// checkAudit: a buyer's audit, under every grouping and format, has rows of its own supply chain only.
func checkAudit(t *testing.T, f *fixture, tr truth, key, b string) {
	t.Helper()
	allowed := map[string]map[string]bool{"buyer": {b: true}, "job-order": {}, "employer": {}, "agency": {}}
	for jo, j := range tr.jobs {
		if !slices.Contains(j.Buyers, b) {
			continue
		}
		allowed["job-order"][jo], allowed["employer"][j.Employer] = true, true
		for _, a := range j.Agencies {
			allowed["agency"][a] = true
		}
		for w, wjo := range tr.workers {
			if wjo == jo {
				allowed["agency"][tr.recruiter[w]] = true
			}
		}
	}
	for by, ok := range allowed {
		for _, q := range []string{"by=" + by, "by=" + by + "&as_of=2024-12-31", "by=" + by + "&buyer=" + b} {
			w := f.get("/v1/audit?"+q, key)
			rows := decode[struct {
				Rows []struct{ Key string } `json:"rows"`
			}](t, w)
			for _, r := range rows.Rows {
				if !ok[r.Key] {
					t.Errorf("audit?%s: row %s is outside %s's supply chain", q, r.Key, b)
				}
			}
			cw := f.do("GET", "/v1/audit?"+q, key, nil, map[string]string{"Accept": "text/csv"})
			recs, err := csv.NewReader(cw.Body).ReadAll()
			if err != nil {
				t.Fatalf("audit CSV: %v", err)
			}
			for _, rec := range recs[1:] {
				if !ok[rec[1]] {
					t.Errorf("audit?%s as CSV: row %s is outside %s's supply chain", q, rec[1], b)
				}
			}
		}
		for _, other := range tr.orgs["buyer"] {
			if w := f.get("/v1/audit?by="+by+"&buyer="+other, key); other != b && w.Code != http.StatusNotFound {
				t.Errorf("audit?buyer=%s: %d, want 404", other, w.Code)
			}
		}
	}
}

// TestAgencyWriteIsolation: an agency key records for a job order, or a worker on it, only when it is engaged
// on that job order; elsewhere it gets 404 and nothing is stored.
func TestAgencyWriteIsolation(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of requests")
	}
	t.Parallel() // its own fixture: the two suites, each most of the package's time, run side by side
	f, tr := richFixture(t)
	oneWorker := map[string]string{}
	for w, jo := range tr.workers {
		if oneWorker[jo] == "" || w < oneWorker[jo] {
			oneWorker[jo] = w
		}
	}
	agencies := append(slices.Clone(tr.orgs["agency"]), tr.orgs["sub_agent"]...)
	n := 0
	for _, a := range agencies {
		for jo, j := range tr.jobs {
			engaged := slices.Contains(j.Agencies, a)
			want := http.StatusNotFound
			if engaged {
				want = http.StatusCreated
			}
			n++
			probe := fmt.Sprintf("probe-%d", n)
			posts := []map[string]any{
				ev("", "AgencyEngaged", "2025-01-01T00:00:00Z", map[string]any{"job_order_id": jo, "agency_id": probe,
					"role": "sub_agent", "engaged_by": a}),
				ev("", "JobOrderPaymentMade", "2025-01-01T00:00:00Z", map[string]any{"job_order_id": jo, "payer_id": a,
					"payee_id": probe, "amount": map[string]any{"amount": "1.00", "currency": "USD"}}),
				recruit(0, probe, jo, a),
			}
			if w := oneWorker[jo]; w != "" {
				posts = append(posts, ev("", "WorkerExited", "2025-01-01T00:00:00Z", map[string]any{"worker_id": w, "reason": "other"}))
			}
			for _, p := range posts {
				delete(p, "event_id")
				if got := f.post("agency:"+a, p).Code; got != want {
					t.Errorf("%s (engaged %t) posts %s for %s: %d, want %d", a, engaged, p["type"], jo, got, want)
				}
			}
			if got := f.streamLen("worker-" + probe); engaged != (got == 1) {
				t.Errorf("%s on %s: %d event(s) stored for %s", a, jo, got, probe)
			}
		}
	}
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
