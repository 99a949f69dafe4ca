package readmodel

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fairtrail/fairtrail/projections"
)

// unresolvedKey is the report_counts row of the reports no resolution has closed; the other rows are
// reportKey(kind, channel).
const unresolvedKey = "unresolved"

// reportKey is the report_counts row of the reports of a kind through a channel.
func reportKey(kind, channel string) string { return "reports " + kind + " " + channel }

// reportCounts is a worker judgement's reports as its contribution counts them (nil without any).
func reportCounts(j projections.Judgement) map[string]int64 {
	if len(j.Reports) == 0 && j.Unresolved == 0 {
		return nil
	}
	out := map[string]int64{}
	for _, rc := range j.Reports {
		out[reportKey(rc.Kind, rc.Channel)] += int64(rc.N)
	}
	if j.Unresolved != 0 {
		out[unresolvedKey] = int64(j.Unresolved)
	}
	return out
}

// flushReports adds the writer's changes to report_counts, dropping rows that reach zero.
func (w *writer) flushReports(ctx context.Context) error {
	for _, k := range slices.Sorted(maps.Keys(w.reports)) {
		n := w.reports[k]
		if n == 0 {
			continue
		}
		if _, err := w.exec(ctx, `INSERT INTO report_counts (key, n) VALUES (?, ?)
			ON CONFLICT DO UPDATE SET n = n + excluded.n`, k, n); err != nil {
			return fmt.Errorf("write report count %s: %w", k, err)
		}
		if _, err := w.exec(ctx, "DELETE FROM report_counts WHERE key = ? AND n = 0", k); err != nil {
			return fmt.Errorf("write report count %s: %w", k, err)
		}
	}
	clear(w.reports)
	return nil
}

// ReportCounts are the workers' reports by kind and channel, sorted, and how many no resolution has closed, as
// projections.Model.ReportCounts counts them: maintained as judgements change, so reading them judges nobody.
func (m *Model) ReportCounts(ctx context.Context) (counts []projections.ReportCount, unresolved int, err error) {
	rows, err := m.db.QueryContext(ctx, "SELECT key, n FROM report_counts ORDER BY key")
	if err != nil {
		return nil, 0, fmt.Errorf("read model: report counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, 0, fmt.Errorf("read model: report counts: %w", err)
		}
		if k == unresolvedKey {
			unresolved = n
			continue
		}
		kind, channel, _ := strings.Cut(strings.TrimPrefix(k, "reports "), " ")
		counts = append(counts, projections.ReportCount{Kind: kind, Channel: channel, N: n})
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read model: report counts: %w", err)
	}
	slices.SortFunc(counts, func(a, b projections.ReportCount) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Channel, b.Channel))
	})
	return counts, unresolved, nil
}
