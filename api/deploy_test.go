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
)

// ignoreRule is a line of .dockerignore: a pattern, or with "!" an exception.
type ignoreRule struct {
	re     *regexp.Regexp
	except bool
}

// readDockerignore reads the rules of ../.dockerignore, with the meaning Docker gives them: "**" matches any
// number of directories, "*" and "?" stay within one, and the last rule that matches a path or one of its
// parent directories decides.
func readDockerignore(t *testing.T) []ignoreRule {
	t.Helper()
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var rules []ignoreRule
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{}
		line, r.except = strings.CutPrefix(line, "!")
		line = strings.TrimPrefix(filepath.Clean(line), "/")
		var re strings.Builder
		for i := 0; i < len(line); i++ {
			switch {
			case strings.HasPrefix(line[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				re.WriteString(".*")
				i++
			case line[i] == '*':
				re.WriteString("[^/]*")
			case line[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(line[i : i+1]))
			}
		}
		r.re = regexp.MustCompile("^" + re.String() + "$")
		rules = append(rules, r)
	}
	return rules
}

func ignored(rules []ignoreRule, path string) bool {
	out := false
	for _, r := range rules {
		for p := path; p != "." && p != "/"; p = filepath.Dir(p) {
			if r.re.MatchString(p) {
				out = !r.except
				break
			}
		}
	}
	return out
}

// TestDockerBuildContext: the build context leaves out history, data, keys and datasets, and keeps every file
// the build of cmd/fairtrail reads.
func TestDockerBuildContext(t *testing.T) {
	t.Parallel()
	rules := readDockerignore(t)
	for _, p := range []string{".git/config", "fairtrail-data/events.log", "cmd/fairtrail/fairtrail-data/LOCK", "demo-data/events.log",
		"keys.json", "fairtrail-data/keys.json", "events.ndjson", "bench/events.ndjson.gz", "prof/import.cpu.pprof",
		"ops/monitoring/secrets/metrics.key", "fairtrail"} {
		if !ignored(rules, p) {
			t.Errorf("%s goes into the build context", p)
		}
	}
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.Dir}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}{{end}}`,
		"../cmd/fairtrail").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	needed := []string{"go.mod", "go.sum", "ops/Dockerfile"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, files, _ := strings.Cut(line, "|")
		rel, err := filepath.Rel(root, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // a module from the cache
		}
		for _, f := range strings.FieldsFunc(strings.ReplaceAll(files, "|", ","), func(r rune) bool { return r == ',' }) {
			needed = append(needed, filepath.Join(rel, f))
		}
	}
	if len(needed) < 20 {
		t.Fatalf("only %d files found for the build", len(needed))
	}
	for _, p := range needed {
		if ignored(rules, p) {
			t.Errorf("%s is needed by the build but left out of the context", p)
		}
	}
}

func TestDockerfileHasAHealthcheck(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../ops/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^HEALTHCHECK .*\\\n\s+CMD wget .*/readyz`).Match(b) {
		t.Fatal("ops/Dockerfile has no HEALTHCHECK asking /readyz")
	}
}

// TestDockerfileBuildsTheBinary builds the binary with the environment ops/Dockerfile's go build sets (until
// 2026-12-02 CGO_ENABLED=0, under which the read model's SQLite driver does not compile, so the image could
// not be built), and checks that a cgo build has a C compiler in the image.
func TestDockerfileBuildsTheBinary(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../ops/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN ((?:[A-Z_]+=\S+ )*)go build .*\./cmd/fairtrail$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("ops/Dockerfile has no RUN [VAR=VALUE ...] go build ... ./cmd/fairtrail line")
	}
	env := strings.Fields(string(m[1]))
	if slices.Contains(env, "CGO_ENABLED=1") && !regexp.MustCompile(`(?m)^RUN apk add .*\bgcc\b.*\bmusl-dev\b`).Match(b) {
		t.Error("ops/Dockerfile builds with cgo but installs no gcc and musl-dev")
	}
	// Linked as the image's binary is, without the symbol table and DWARF (-s -w): the same compile and cgo link,
	// and the test alone under -race took 7.3 CPU s against 6.0 with a default link (three runs each, alternated).
	// With the image's build tags: the tests' GOFLAGS (ops/test, .ci/run) carry the same nomsgpack, so the build
	// finds gin compiled in the cache, and the image holds the binary the tests ran.
	args := []string{"build", "-ldflags=-s -w", "-o", os.DevNull}
	if tags := regexp.MustCompile(`(?m)^RUN .*go build .*(-tags[ =]\S+)`).FindSubmatch(b); tags != nil {
		args = append(args, strings.Replace(string(tags[1]), " ", "=", 1))
	}
	cmd := exec.Command("go", append(args, "./cmd/fairtrail")...)
	cmd.Dir, cmd.Env = "..", append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build with %v, as ops/Dockerfile builds: %v\n%s", env, err, out)
	}
}

// TestComposeKeepsMonitoringPrivate: every published port binds to 127.0.0.1 unless FAIRTRAIL_BIND says
// otherwise, and Grafana has no default admin password.
func TestComposeKeepsMonitoringPrivate(t *testing.T) {
	t.Parallel()
	services := readYAML(t, "docker-compose.yml")["services"].(map[string]any)
	published := 0
	for name, s := range services {
		ports, _ := s.(map[string]any)["ports"].([]any)
		for _, p := range ports {
			published++
			if !strings.HasPrefix(p.(string), "${FAIRTRAIL_BIND:-127.0.0.1}:") {
				t.Errorf("%s publishes %v on every interface", name, p)
			}
		}
	}
	if published != 3 {
		t.Errorf("%d ports published, want fairtrail's, Prometheus' and Grafana's", published)
	}
	env := services["grafana"].(map[string]any)["environment"].(map[string]any)
	if pw, _ := env["GF_SECURITY_ADMIN_PASSWORD"].(string); !strings.HasPrefix(pw, "${GRAFANA_ADMIN_PASSWORD:?") {
		t.Errorf("the Grafana admin password is not required: %q", pw)
	}
}

// TestPrometheusConfigChecks runs promtool check config on prometheus.yml as Prometheus reads it, with a
// stand-in for the scrape key the compose file's keys-init service writes.
func TestPrometheusConfigChecks(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus); .ci/run installs it")
	}
	dir := t.TempDir()
	for _, name := range []string{"prometheus.yml", "alerts.yml"} {
		b, err := os.ReadFile(filepath.Join(monitoring, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secrets", "metrics.key"), []byte("ft_standin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
}

// TestMoneyPanelsHaveAScalePerCurrency: the money panels sit in a row repeated per currency and each query
// selects that currency, so that no panel draws amounts in two currencies against one scale.
func TestMoneyPanelsHaveAScalePerCurrency(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(monitoring, "grafana/dashboards/fairtrail.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []struct{ Name string } `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Repeat  string `json:"repeat"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	hasVar := false
	for _, v := range d.Templating.List {
		hasVar = hasVar || v.Name == "currency"
	}
	if !hasVar {
		t.Fatal("no currency variable")
	}
	money := regexp.MustCompile(`fairtrail_(worker_paid_fees|reimbursement_outstanding)\b`)
	row, moneyPanels := "", 0
	for _, p := range d.Panels {
		if p.Type == "row" {
			row = p.Repeat
			continue
		}
		for _, target := range p.Targets {
			if !money.MatchString(target.Expr) {
				continue
			}
			moneyPanels++
			if row != "currency" || !strings.Contains(target.Expr, `{currency="$currency"}`) {
				t.Errorf("panel %q draws money of every currency on one scale: %s", p.Title, target.Expr)
			}
		}
	}
	if moneyPanels < 3 {
		t.Errorf("only %d money queries", moneyPanels)
	}
}
