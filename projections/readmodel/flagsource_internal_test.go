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
// listing reads, in its order, keys (binary, with NUL bytes) and JSON alike; so does a listing without a limit,
// read in pages (chunkSource) of its own size and of 7 rows, forwards and backwards.
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
			want := list(FlagSeek{Limit: 1 << 30, Access: tt.access}) // a limit past maxBatchedRows: a cursor
			if len(want) < 20 {
				t.Fatalf("%d flags: too few for pages", len(want))
			}
			if got := list(FlagSeek{Access: tt.access}); !slices.Equal(got, want) {
				t.Errorf("no limit (pages of %d rows): %d flags, the cursor %d, or not the same", chunkRows, len(got), len(want))
			}
			chunked := func(seek FlagSeek) []listed {
				if len(tt.access.Scopes) > 1 {
					return nil // a source reads through one scope
				}
				access := ""
				if len(tt.access.Scopes) == 1 {
					access = tt.access.Scopes[0]
				}
				c := chunkedBy7(t, m, clock, seek, access)
				var out []listed
				for {
					f, ok, err := c.next()
					if err != nil {
						t.Fatal(err)
					}
					if !ok {
						return out
					}
					out = append(out, listed{string(f.Key), f.JSON()})
				}
			}
			if len(tt.access.Scopes) <= 1 {
				if got := chunked(FlagSeek{}); !slices.Equal(got, want) {
					t.Errorf("pages of 7 rows forwards: %d flags, the cursor %d, or not the same", len(got), len(want))
				}
				got := chunked(FlagSeek{Before: []byte(want[len(want)-1].key + "\xff")})
				if slices.Reverse(got); !slices.Equal(got, want) {
					t.Errorf("pages of 7 rows backwards: %d flags, the cursor %d, or not the same", len(got), len(want))
				}
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

// TestAListingInPagesIsOneStateOfTheModel: a listing without a limit, read in pages of 7 rows, lists the model
// as it was when it began, although a catch-up that changes its flags commits between its pages.
func TestAListingInPagesIsOneStateOfTheModel(t *testing.T) {
	t.Parallel()
	lines, s, m := generatedStore(t, 40, 11, Options{})
	ctx := context.Background()
	half := len(lines) / 2
	catchUp := func(lines [][]byte) {
		t.Helper()
		if _, err := eventstore.Import(ctx, s, bytes.NewReader(bytes.Join(lines, nil)), eventstore.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.CatchUp(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	catchUp(lines[:half])
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	list := func() []string {
		var out []string
		err := m.ListFlags(ctx, projections.FlagQuery{}, clock, FlagSeek{}, func(f *IndexedFlag) error {
			out = append(out, f.JSON())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := list()
	c := chunkedBy7(t, m, clock, FlagSeek{}, "")
	var got []string
	for {
		f, ok, err := c.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if got = append(got, f.JSON()); len(got) == 10 {
			catchUp(lines[half:]) // commits while the listing is between its pages
		}
	}
	if after := list(); slices.Equal(after, before) {
		t.Fatal("the second half of the events changed no flag: the test proves nothing")
	}
	if !slices.Equal(got, before) {
		t.Errorf("the listing in pages gave %d flags, the model before the catch-up %d, or not the same", len(got), len(before))
	}
}

// chunkedBy7 opens the listing of every flag at clock (seek, through access) read in pages of 7 rows, closed
// when the test ends.
func chunkedBy7(t *testing.T, m *Model, clock time.Time, seek FlagSeek, access string) *chunkSource {
	t.Helper()
	ctx := context.Background()
	_, kept, _, err := m.rulesNumbering(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.chunked(ctx, projections.FlagQuery{}, clock, seek, access, &flagRules{ctx: ctx, db: m.db, stmts: &m.stmts, kept: kept}, 7)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}
