package readmodel_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestListingsMergedFromManyShardsAreTheWholeListingSorted: with shards of one bucket each (ShardEvents 1:
// a listing of every worker is merged from dozens of runs), each listing under a filter is, flag for flag and
// byte for byte, the listing of a model of the whole store sorted in memory, with and without a keep
// function; a consumer that stops early gets its beginning; and the spill directory is empty afterwards.
func TestListingsMergedFromManyShardsAreTheWholeListingSorted(t *testing.T) {
	t.Parallel()
	_, s, m := caughtUpDataset(t)
	spills := t.TempDir()
	small := openModel(t, filepath.Dir(m.Path()), readmodel.Options{ShardEvents: 1, SpillDir: spills})
	ctx := context.Background()
	f := projections.Filter{AsOf: time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)}
	clock := f.Clock(time.Now())
	mem, err := projections.Rebuild(ctx, s, f)
	if err != nil {
		t.Fatal(err)
	}
	v := mem.View(clock)
	buyer := ""
	for _, fl := range v.Flags(projections.FlagQuery{}) {
		if len(fl.BuyerIDs) > 0 && fl.WorkerID != "" {
			buyer = fl.BuyerIDs[0]
			break
		}
	}
	notOnes := func(_ *projections.View, fl domain.Flag) bool { return !strings.HasSuffix(fl.WorkerID, "1") }
	for _, tc := range []struct {
		name string
		q    projections.FlagQuery
		keep func(*projections.View, domain.Flag) bool
	}{
		{"every flag", projections.FlagQuery{}, nil},
		{"a code prefix", projections.FlagQuery{Code: "fee."}, nil},
		{"a buyer's", projections.FlagQuery{BuyerID: buyer}, nil},
		{"every flag a keep function keeps", projections.FlagQuery{}, notOnes},
	} {
		var want []string
		for _, fl := range v.Flags(tc.q) {
			if tc.keep == nil || tc.keep(v, fl) {
				text, err := readmodel.EncodeFlag(fl)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, text)
			}
		}
		if len(want) < 20 {
			t.Fatalf("%s: %d flags, too few to prove a merge", tc.name, len(want))
		}
		got := listedJSON(t, small, s, tc.q, f, clock, tc.keep, -1)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d flags merged, want %d; first difference at %d:\n got %.400s\nwant %.400s", tc.name,
				len(got), len(want), diffAt(got, want), at(got, diffAt(got, want)), at(want, diffAt(got, want)))
		}
		if got := listedJSON(t, small, s, tc.q, f, clock, tc.keep, 7); !slices.Equal(got, want[:7]) {
			t.Fatalf("%s stopped after 7: %q", tc.name, got)
		}
	}
	if left, err := os.ReadDir(spills); err != nil || len(left) > 0 {
		t.Fatalf("the listings left %d entries in the spill directory (%v)", len(left), err)
	}
}

// listedJSON is the JSON of each flag ListFlagsUnder yields, stopping after stop of them (all when < 0).
func listedJSON(t *testing.T, m *readmodel.Model, s eventstore.Store, q projections.FlagQuery,
	f projections.Filter, clock time.Time, keep func(*projections.View, domain.Flag) bool, stop int) []string {
	t.Helper()
	var out []string
	for lf, err := range m.ListFlagsUnder(context.Background(), s, q, f, clock, keep) {
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == stop {
			break
		}
		out = append(out, lf.JSON())
	}
	return out
}

func diffAt(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}
