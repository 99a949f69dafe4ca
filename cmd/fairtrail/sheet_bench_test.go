package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sheetRows and sheetWorkers size the interview-sheet benchmark: issue 13's 10,000 rows, about the workers an
// audit of a large site interviews.
const (
	sheetRows    = 10_000
	sheetWorkers = 1_000
)

// workersFile writes NDJSON recruiting n workers (bw-0 ...) on the scenario's job order.
func workersFile(b *testing.B, dir string, n int) string {
	b.Helper()
	var sb strings.Builder
	for i := range n {
		line, _ := json.Marshal(map[string]any{"event_id": fmt.Sprintf("0190b6a4-0000-7000-9000-%012d", i),
			"type": "WorkerRecruited", "occurred_at": "2024-03-01T00:00:00Z", "data": map[string]any{
				"worker_id": fmt.Sprintf("bw-%d", i), "job_order_id": "jo-1", "origin_country": "NP",
				"recruited_by": "agency-np", "languages": []string{"ne"}}})
		sb.Write(line)
		sb.WriteByte('\n')
	}
	path := filepath.Join(dir, "workers.ndjson")
	writeOutB(b, path, sb.String())
	return path
}

// sheetBody is a header and n findings of fees, each with a note of its own.
func sheetBody(n int) [][]string {
	rows := [][]string{{"worker", "date", "kind", "category", "amount", "currency", "payee", "language", "note"}}
	cats := []string{"recruitment_fee", "medical", "visa", "training", "travel"}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("bw-%d", i%sheetWorkers), fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28),
			"fee_not_recorded", cats[i%len(cats)], fmt.Sprintf("%d.00", 1000+i), "NPR", "agency-np", "ne",
			fmt.Sprintf("Interview %d: paid the agent in cash at the office in Kathmandu, no receipt given.", i)})
	}
	return rows
}

// BenchmarkImportSheet imports 10,000 interview rows, as CSV and as XLSX, into a store holding their workers,
// and reports the seconds one import takes (issue 13's target: under 10 s), the read model's catch-up included.
func BenchmarkImportSheet(b *testing.B) {
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			dir := b.TempDir()
			workers := workersFile(b, dir, sheetWorkers)
			sheet := filepath.Join(dir, "findings."+format)
			if format == "csv" {
				writeCSVFile(b, sheet, sheetBody(sheetRows))
			} else {
				writeXLSX(b, sheet, sheetBody(sheetRows), false)
			}
			var took time.Duration
			for i := range b.N {
				b.StopTimer()
				data := filepath.Join(dir, fmt.Sprintf("data-%d", i))
				benchCLI(b, "import", "--data", data, "--progress", "none", "testdata/scenario.ndjson", auditorFile, workers)
				b.StartTimer()
				start := time.Now()
				out := benchCLI(b, "import", "--data", data, "--recorded-by", "aud-1", sheet)
				took += time.Since(start)
				if !strings.Contains(out, fmt.Sprintf("appended %d,", sheetRows)) {
					b.Fatalf("import: %s", out)
				}
			}
			b.ReportMetric(took.Seconds()/float64(b.N), "s/import")
			b.ReportMetric(float64(sheetRows*b.N)/took.Seconds(), "rows/s")
		})
	}
}

// benchCLI runs a command in-process and fails the benchmark unless it succeeds.
func benchCLI(tb testing.TB, args ...string) string {
	tb.Helper()
	var out, errOut bytes.Buffer
	env := environment{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	if code := exitCode(run(context.Background(), args, env), &errOut); code != 0 {
		tb.Fatalf("fairtrail %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

func writeOutB(tb testing.TB, path, s string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		tb.Fatal(err)
	}
}

func writeCSVFile(tb testing.TB, path string, rows [][]string) {
	tb.Helper()
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	writeOutB(tb, path, sb.String())
}
