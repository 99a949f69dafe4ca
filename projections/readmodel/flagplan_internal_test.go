package readmodel

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// TestAWorkersFlagsAreReadFromTheCoveringIndex: every listing of one worker's flags (an admin's, a scoped
// caller's, by code, a page after a key) reads its rows from flags_worker alone, not each row again from flags,
// where a worker's flags lie far apart (flags is clustered by the listing order): a column added to flags and
// read by a listing must be added to flagWorkerCovers too.
func TestAWorkersFlagsAreReadFromTheCoveringIndex(t *testing.T) {
	t.Parallel()
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		q      projections.FlagQuery
		seek   FlagSeek
		access string
	}{
		{"an admin's", projections.FlagQuery{WorkerID: "w-1"}, FlagSeek{}, ""},
		{"a buyer's", projections.FlagQuery{WorkerID: "w-1"}, FlagSeek{}, "buyer:b-1"},
		{"an engaged agency's", projections.FlagQuery{WorkerID: "w-1"}, FlagSeek{Access: Access{Engaged: "a-1"}}, "agency:a-1"},
		{"by code", projections.FlagQuery{WorkerID: "w-1", Code: "fee."}, FlagSeek{}, ""},
		{"a page after a key", projections.FlagQuery{WorkerID: "w-1"}, FlagSeek{After: []byte{1}, Limit: 10}, ""},
		{"a page before a key", projections.FlagQuery{WorkerID: "w-1"}, FlagSeek{Before: []byte{9}, Limit: 10}, ""},
	}
	for _, tt := range tests {
		text, args := flagSQL(tt.q, clock, tt.seek, tt.access, flagReadCols)
		plan := queryPlan(t, m, text, args)
		if !strings.Contains(plan, "USING COVERING INDEX flags_worker") {
			t.Errorf("%s: the plan does not read flags_worker alone:\n%s", tt.name, plan)
		}
		text, args = flagSQL(tt.q, clock, tt.seek, tt.access, batchedCols)
		if plan := queryPlan(t, m, batchedSQL(text), args); !strings.Contains(plan, "USING COVERING INDEX flags_worker") {
			t.Errorf("%s, a page read as one text: the plan does not read flags_worker alone:\n%s", tt.name, plan)
		}
	}
}

// queryPlan is SQLite's plan of the query text with args, one step a line.
func queryPlan(t *testing.T, m *Model, text string, args []any) string {
	t.Helper()
	rows, err := m.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+text, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "\n")
}
