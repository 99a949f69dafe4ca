package readmodel

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestPostsOneAtATimeWriteTheFlagsARebuildWrites posts a small dataset's workers' events one per catch-up,
// after its first three workers, each catch-up writing only the flags that changed (dropStale), then an agency
// engaged for their job order, which changes the scopes of every worker's flags; it compares the model every
// few posts and at the end with one rebuilt from scratch, table by table (the exchange rates the dataset ends
// with are left out: they would rebuild the model). The posts must add flags, change a stored flag's row and
// remove a stored key, or the test would not test what a catch-up keeps.
func TestPostsOneAtATimeWriteTheFlagsARebuildWrites(t *testing.T) {
	t.Parallel()
	lines, s, m := generatedStore(t, 12, 5, reachOptions(1))
	ctx := context.Background()
	var recruited []int
	rates := len(lines)
	for i, l := range lines {
		if strings.Contains(string(l), `"type":"WorkerRecruited"`) {
			recruited = append(recruited, i)
		}
		if strings.Contains(string(l), `"type":"ExchangeRatesPublished"`) {
			rates = min(rates, i)
		}
	}
	from := recruited[3]
	importReach(t, s, lines[:from])
	if _, err := m.CatchUp(ctx, s); err != nil {
		t.Fatal(err)
	}
	const flagsQuery = "SELECT hex(k), event_ids, rules, rest FROM flags"
	seen := map[string]int{}
	posts := append(lines[from:rates:rates], []byte(contextEvent(1, "AgencyEngaged", "2024-06-01T00:00:00Z",
		`{"agency_id":"agency-np-9","engaged_by":"agency-np-2","job_order_id":"jo-0001","role":"sub_agent"}`)))
	for i, l := range posts {
		before := flagsByKey(t, m, flagsQuery)
		importReach(t, s, [][]byte{l})
		if res, err := m.CatchUp(ctx, s); err != nil || res.Rebuilt {
			t.Fatalf("post %d: catch-up %+v, %v; want it applied", i, res, err)
		}
		after := flagsByKey(t, m, flagsQuery)
		for k, row := range after {
			switch old, ok := before[k]; {
			case !ok:
				seen["added"]++
			case old != row:
				seen["changed"]++
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				seen["removed"]++
			}
		}
		if i%25 == 0 || i >= len(posts)-2 {
			fresh, err := Open(t.TempDir(), reachOptions(1))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fresh.CatchUp(ctx, s); err != nil {
				t.Fatal(err)
			}
			sameTables(t, fmt.Sprintf("after post %d", i), m, fresh)
			fresh.Close()
		}
	}
	for _, kind := range []string{"added", "changed", "removed"} {
		if seen[kind] == 0 {
			t.Errorf("no post %s a stored flag (%v): the posts would not test the catch-up's flags", kind, seen)
		}
	}
}

// flagsByKey is the model's flags as query reads them (the key first), by key.
func flagsByKey(t *testing.T, m *Model, query string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, row := range strings.Split(dumpRows(t, m.db, query), "\n") {
		if k, _, ok := strings.Cut(row, "\t"); ok {
			out[k] = row
		}
	}
	return out
}
