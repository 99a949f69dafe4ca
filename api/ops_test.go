package api_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// monitoring is the folder of the Prometheus, alert and Grafana files.
const monitoring = "../ops/monitoring"

func readYAML(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(monitoring, name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

var metricName = regexp.MustCompile(`\bfairtrail_[a-z_]+`)

// TestMonitoringFilesUseTheServedMetrics: the alert rules and the dashboard parse, and every fairtrail series
// they query is one /metrics serves (so a renamed metric cannot leave a panel or an alert silently empty).
//
// The server reports money in US dollars, with a rates table and a fee in a currency no table gives, so that
// the converted, not-converted and months-of-wages series are all served.
func TestMonitoringFilesUseTheServedMetrics(t *testing.T) {
	f := newFixture(t, true, withCurrency("USD"))
	f.mustPost("admin", ratesOn(900))
	f.mustPost("admin", ev(uuid(901), "FeePaid", "2024-03-05T09:00:00Z", map[string]any{"worker_id": "w-a1", "fee_id": "fee-901",
		"category": "medical", "amount": map[string]any{"amount": "3000.00", "currency": "BDT"}, "payer": "worker",
		"payee_id": "ag-a", "method": "cash"}))
	served := map[string]bool{}
	for s := range f.scrape(t) {
		name, _, _ := strings.Cut(s, "{")
		served[name] = true
		if base, ok := strings.CutSuffix(name, "_seconds"); ok && strings.Contains(name, "duration") {
			served[base+"_seconds_bucket"] = true
		}
		if strings.HasSuffix(name, "_months_of_wages") { // a histogram: its buckets are queried
			served[name+"_bucket"] = true
		}
	}
	alerts, err := os.ReadFile(filepath.Join(monitoring, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	readYAML(t, "alerts.yml")
	board := readDashboard(t)
	var queries []string
	for _, p := range board.Panels {
		for _, target := range p.Targets {
			queries = append(queries, target.Expr)
		}
	}
	used := metricName.FindAllString(string(alerts)+strings.Join(queries, "\n"), -1)
	if len(used) < 10 {
		t.Fatalf("only %d metric references found", len(used))
	}
	for _, name := range used {
		if !served[name] {
			t.Errorf("%s is queried but not served by /metrics", name)
		}
	}
	for _, want := range []string{"fairtrail_flags_open", "fairtrail_worker_paid_fees", "fairtrail_reimbursement_outstanding",
		"fairtrail_employer_flags_open", "fairtrail_agency_flags_open", "fairtrail_events_appended_total",
		"fairtrail_projection_lag_seconds", "fairtrail_reporting_worker_paid_fees", "fairtrail_reporting_reimbursement_outstanding",
		"fairtrail_reporting_not_converted", "fairtrail_recruitment_cost_months_of_wages_bucket",
		"fairtrail_recruitment_cost_months_of_wages_median"} {
		if !slices.Contains(used, want) {
			t.Errorf("the dashboard or alerts never query %s", want)
		}
	}
}

type dashboard struct {
	UID    string `json:"uid"`
	Panels []struct {
		Title      string `json:"title"`
		Type       string `json:"type"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(monitoring, "grafana/dashboards/fairtrail.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	return d
}

// TestMonitoringIsWiredTogether: the dashboard's data source is the provisioned one, the compose file mounts
// what Prometheus and Grafana read, and the scrape carries a key.
func TestMonitoringIsWiredTogether(t *testing.T) {
	ds := readYAML(t, "grafana/provisioning/datasources/prometheus.yml")["datasources"].([]any)[0].(map[string]any)
	board := readDashboard(t)
	for _, p := range board.Panels {
		if p.Type != "row" && (p.Datasource == nil || p.Datasource.UID != ds["uid"]) {
			t.Errorf("panel %q does not use the provisioned data source %v", p.Title, ds["uid"])
		}
	}
	prom := readYAML(t, "prometheus.yml")
	scrape := prom["scrape_configs"].([]any)[0].(map[string]any)
	auth, _ := scrape["authorization"].(map[string]any)
	if auth["credentials_file"] == nil {
		t.Error("the scrape sends no key: /metrics needs one")
	}
	compose := readYAML(t, "docker-compose.yml")["services"].(map[string]any)
	mounts := func(service string) string {
		var out []string
		for _, v := range compose[service].(map[string]any)["volumes"].([]any) {
			out = append(out, v.(string))
		}
		return strings.Join(out, " ")
	}
	for service, want := range map[string][]string{
		"prometheus": {"./prometheus.yml:/etc/prometheus/prometheus.yml", "./alerts.yml:/etc/prometheus/alerts.yml", "scrape-secrets:/etc/prometheus/secrets"},
		"grafana":    {"./grafana/provisioning:/etc/grafana/provisioning", "./grafana/dashboards:/var/lib/grafana/dashboards"},
		"keys-init":  {"scrape-secrets:/secrets"},
	} {
		for _, w := range want {
			if !strings.Contains(mounts(service), w) {
				t.Errorf("%s does not mount %s", service, w)
			}
		}
	}
	provider := readYAML(t, "grafana/provisioning/dashboards/fairtrail.yml")["providers"].([]any)[0].(map[string]any)
	if provider["options"].(map[string]any)["path"] != "/var/lib/grafana/dashboards" {
		t.Error("the dashboard provider does not read the mounted dashboards")
	}
}

// TestAlertRules runs the alert rules' unit tests with promtool, when it is installed (Debian's prometheus
// package has it).
func TestAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus); the rules are checked by the other tests only")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = monitoring
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
