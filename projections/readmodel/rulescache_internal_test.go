package readmodel

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestKeptRulesServeOnlyTheirNumbering: a listing keeps the rules arrays it read, and the next listing uses
// them (an array changed in what is kept shows in its answer); a rebuild, inside the model or into a file
// renamed over it, numbers the arrays again, and the arrays kept before it are not used after it.
func TestKeptRulesServeOnlyTheirNumbering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
	}{
		{"a rebuild inside the model", Options{}},
		{"a rebuild renamed over the model", Options{ShardEvents: 64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lines, s, m := generatedStore(t, 40, 5, tt.opts)
			ctx := context.Background()
			if _, err := eventstore.Import(ctx, s, bytes.NewReader(bytes.Join(lines, nil)), eventstore.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.CatchUp(ctx, s); err != nil {
				t.Fatal(err)
			}
			want := listAll(t, m)
			if !strings.Contains(want, `"rules":[`) {
				t.Fatal("no flag of the dataset has a rules array: the test proves nothing")
			}
			k := m.rules.Load()
			if k == nil || len(k.byID) == 0 {
				t.Fatal("the listing kept no rules arrays")
			}
			poisoned := map[int64]string{}
			for id := range k.byID {
				poisoned[id] = `["poisoned"]`
			}
			m.rules.Store(&keptRules{version: k.version, byID: poisoned})
			if got := listAll(t, m); !strings.Contains(got, `"rules":["poisoned"]`) {
				t.Fatal("the next listing did not use the arrays kept")
			}
			if _, err := m.Rebuild(ctx, s, "test"); err != nil {
				t.Fatal(err)
			}
			if got := listAll(t, m); got != want {
				t.Errorf("after the rebuild, a listing used the arrays kept before it:\n got %.300s\nwant %.300s", got, want)
			}
		})
	}
}

// listAll is every flag's JSON at a fixed clock, a line each.
func listAll(t *testing.T, m *Model) string {
	t.Helper()
	var b strings.Builder
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	err := m.Flags(context.Background(), projections.FlagQuery{}, clock, FlagSeek{}, func(_ []byte, flag string) error {
		b.WriteString(flag)
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
