package readmodel

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestPagesReadAsOneTextListAsTheCursor: the pages of a listing, read each as one text (batchSource), walked
// forwards and backwards, for every flag and within one scope and two, hold the flags a cursor over the whole
// listing reads, in its order, keys (binary, with NUL bytes) and JSON alike.
func TestPagesReadAsOneTextListAsTheCursor(t *testing.T) {
	t.Parallel()
	lines, s, m := generatedStore(t, 40, 7, Options{})
	ctx := context.Background()
	if _, err := eventstore.Import(ctx, s, bytes.NewReader(bytes.Join(lines, nil)), eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CatchUp(ctx, s); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var busiest []string // the two scopes that list the most flags
	rows, err := m.db.QueryContext(ctx, `SELECT s.name FROM flag_scopes x JOIN scopes s ON s.id = x.scope
		GROUP BY s.name ORDER BY count(*) DESC LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		busiest = append(busiest, name)
	}
	if rows.Close(); len(busiest) < 2 {
		t.Fatalf("scopes %v: fewer than two", busiest)
	}
	tests := []struct {
		name   string
		access Access
	}{
		{"every flag", Access{}},
		{"one scope's", Access{Scopes: busiest[:1]}},
		{"two scopes'", Access{Scopes: busiest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type listed struct{ key, json string }
			list := func(seek FlagSeek) []listed {
				var out []listed
				err := m.ListFlags(ctx, projections.FlagQuery{}, clock, seek, func(f *IndexedFlag) error {
					out = append(out, listed{string(f.Key), f.JSON()})
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			want := list(FlagSeek{Access: tt.access}) // no limit: a cursor
			if len(want) < 20 {
				t.Fatalf("%d flags: too few for pages", len(want))
			}
			var forward []listed
			for after := []byte(nil); ; {
				page := list(FlagSeek{After: after, Limit: 7, Access: tt.access})
				if forward = append(forward, page...); len(page) < 7 {
					break
				}
				after = []byte(page[len(page)-1].key)
			}
			if !slices.Equal(forward, want) {
				t.Errorf("pages forwards: %d flags, the cursor %d, or not the same", len(forward), len(want))
			}
			var backward []listed
			for before := []byte(want[len(want)-1].key + "\xff"); ; {
				page := list(FlagSeek{Before: before, Limit: 7, Access: tt.access})
				if backward = append(backward, page...); len(page) < 7 {
					break
				}
				before = []byte(page[len(page)-1].key)
			}
			slices.Reverse(backward)
			if !slices.Equal(backward, want) {
				t.Errorf("pages backwards: %d flags, the cursor %d, or not the same", len(backward), len(want))
			}
		})
	}
}
