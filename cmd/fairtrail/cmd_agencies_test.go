package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var updateAgencies = flag.Bool("update-agencies", false, "rewrite testdata/agencies.golden.json")

// agenciesData imports testdata/agencies.ndjson: four agencies on three job orders of two buyers. ag-clean
// (licensed) recruited two workers with nothing flagged; ag-fees (licensed) engaged sub-1 (a sub-agent with no
// licence) on jo-3, where w-4 paid a fee the buyer's policy forbids, was partly repaid and had its contract
// substituted, and w-5 was recruited by sub-1; ag-expired (licence expired before the recruitment) recruited
// w-3 for buyer-b, who paid a fee in BDT, a currency no published rate gives.
func agenciesData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, out, errOut := cli(t, "", "import", "--data", dir, "testdata/agencies.ndjson"); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errOut)
	}
	return dir
}

func TestAgencies(t *testing.T) {
	dir := agenciesData(t)
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		code, out, errOut := cli(t, "", append([]string{"agencies", "--data", dir}, args...)...)
		if code != 0 {
			t.Fatalf("agencies %v: exit %d: %s", args, code, errOut)
		}
		return out
	}

	t.Run("golden JSON as of a date", func(t *testing.T) {
		got := run(t, "--format", "json", "--min-workers", "2", "--currency", "USD", "--as-of", "2026-06-30")
		golden := filepath.Join("testdata", "agencies.golden.json")
		if *updateAgencies {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update-agencies to write it)", err)
		}
		if got != string(want) {
			t.Errorf("agencies JSON differs from %s:\n%s", golden, got)
		}
	})

	t.Run("the rollups answer as the replay does", func(t *testing.T) {
		args := []string{"--format", "json", "--min-workers", "2", "--currency", "USD"}
		fromRollups := decodeAgencies(t, run(t, args...))
		// A replay as of now, before the overdue deadlines of fees recorded by the import.
		replayed := decodeAgencies(t, run(t, append(args, "--as-of", time.Now().UTC().Format(time.RFC3339Nano))...))
		delete(fromRollups, "judged_at")
		delete(replayed, "judged_at")
		a, _ := json.Marshal(fromRollups)
		b, _ := json.Marshal(replayed)
		if string(a) != string(b) {
			t.Errorf("from the rollups:\n%s\nreplayed:\n%s", a, b)
		}
	})

	t.Run("a buyer sees only its job orders' agencies", func(t *testing.T) {
		report := decodeAgencies(t, run(t, "--format", "json", "--buyer", "buyer-b", "--min-workers", "1"))
		if got := agencyIDs(report["agencies"]); !slices.Equal(got, []string{"ag-expired"}) {
			t.Errorf("buyer-b's agencies %v, want [ag-expired]", got)
		}
		report = decodeAgencies(t, run(t, "--format", "json", "--buyer", "buyer-a", "--sort", "name", "--min-workers", "2"))
		if got := agencyIDs(report["agencies"]); !slices.Equal(got, []string{"ag-fees", "ag-clean", "sub-1"}) {
			t.Errorf("buyer-a's agencies by name %v, want [ag-fees ag-clean sub-1]", got)
		}
		if got := agencyIDs(report["clean_agencies"]); !slices.Equal(got, []string{"ag-clean"}) {
			t.Errorf("buyer-a's clean agencies %v, want [ag-clean]", got)
		}
	})

	t.Run("no agency is clean under the default minimum of workers", func(t *testing.T) {
		report := decodeAgencies(t, run(t, "--format", "json"))
		if got := agencyIDs(report["clean_agencies"]); len(got) != 0 {
			t.Errorf("clean agencies %v with fewer than 10 workers each", got)
		}
	})

	t.Run("CSV columns", func(t *testing.T) {
		records, err := csv.NewReader(strings.NewReader(run(t, "--format", "csv", "--currency", "USD", "--min-workers", "2"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := records[0]
		for _, col := range []string{"agency_id", "name", "role", "licence_status", "licence_valid_until", "clean",
			"workers", "flagged_workers", "share_flagged", "substituted_workers", "substitution_rate",
			"months_of_wages_median", "months_of_wages_mean", "workers_above_one_month", "job_orders", "buyers",
			"fee.prohibited", "contract.substitution", "currency",
			"worker_paid_fees", "reimbursed", "outstanding", "reporting_currency", "worker_paid_fees_converted",
			"not_converted_currencies"} {
			if !slices.Contains(head, col) {
				t.Errorf("no column %q in %v", col, head)
			}
		}
		byAgency := map[string]map[string]string{}
		for _, rec := range records[1:] {
			row := map[string]string{}
			for i, v := range rec {
				row[head[i]] = v
			}
			byAgency[row["agency_id"]] = row
		}
		want := map[string]map[string]string{
			"ag-fees": {"licence_status": "licensed", "share_flagged": "1.0000", "substitution_rate": "0.5000", "currency": "NPR", "outstanding": "100000.00", "worker_paid_fees_converted": "1100.00",
				"months_of_wages_median": "1.66", "months_of_wages_mean": "1.66", "workers_with_months": "2", "workers_above_one_month": "1"},
			"ag-expired": {"licence_status": "expired", "licence_valid_until": "2023-12-31", "currency": "BDT", "not_converted_currencies": "BDT"},
			"ag-clean":   {"clean": "true", "share_flagged": "0.0000", "months_of_wages_median": "0.00"},
			"sub-1":      {"role": "sub_agent", "licence_status": "none", "clean": "false"},
		}
		for id, cols := range want {
			for col, v := range cols {
				if got := byAgency[id][col]; got != v {
					t.Errorf("%s %s = %q, want %q", id, col, got, v)
				}
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		out := run(t, "--min-workers", "2", "--wide")
		for _, want := range []string{"expired on 2023-12-31", "no licence", "licensed to 2030-12-31", "2 (100.0%)",
			"Clean agencies (at least 2 workers", "Himalaya Fair Recruitment"} {
			if !strings.Contains(out, want) {
				t.Errorf("table has no %q:\n%s", want, out)
			}
		}
	})
}

func TestAgenciesBadFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown sort", []string{"--sort", "danger"}, `--sort "danger": one of risk, workers, name`},
		{"currency in lower case", []string{"--currency", "usd"}, `--currency: currency "usd": not an ISO 4217 currency code`},
		{"unknown currency", []string{"--currency", "XYZ"}, `--currency: currency "XYZ"`},
		{"negative minimum", []string{"--min-workers", "-3"}, `--min-workers "-3": a whole number of workers`},
		{"minimum not a number", []string{"--min-workers", "ten"}, `invalid argument "ten" for "--min-workers"`},
		{"unknown format", []string{"--format", "xml"}, `--format "xml": one of table, json, csv`},
		{"bad date", []string{"--as-of", "2025-02-30"}, `--as-of "2025-02-30"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := cli(t, "", append([]string{"agencies", "--data", dir}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tc.want)
			}
		})
	}
}

func decodeAgencies(t *testing.T, out string) map[string]json.RawMessage {
	t.Helper()
	var report map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("agencies JSON: %v\n%s", err, out)
	}
	return report
}

func agencyIDs(raw json.RawMessage) []string {
	var list []struct {
		AgencyID string `json:"agency_id"`
	}
	_ = json.Unmarshal(raw, &list) // a test compares the result
	out := []string{}
	for _, a := range list {
		out = append(out, a.AgencyID)
	}
	return out
}
