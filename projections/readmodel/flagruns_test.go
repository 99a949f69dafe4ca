package readmodel

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// runFlag is a flag as a run may hold it; buyers tell apart flags of the same key.
func runFlag(at time.Time, code, worker, jobOrder string, events, buyers []string) domain.Flag {
	return domain.Flag{Code: code, WorkerID: worker, JobOrderID: jobOrder, BuyerIDs: buyers, EventIDs: events,
		RaisedAt: at, Amounts: []domain.Money{{Amount: "12.50", Currency: "USD"}},
		Details: domain.RawDetails{Code: code, JSON: json.RawMessage(`{"fee_id":"f-1","note":"<b>&\"x\""}`)}}
}

// TestListedFlagsReadBackFromARunAsEncoded: a flag written to a run reads back with its key as it was (its
// evidence nil or empty, its raised_at in its own zone) and its JSON as EncodeFlag wrote it, the head cut
// where the key and buyers give it back, the whole JSON kept where they do not.
func TestListedFlagsReadBackFromARunAsEncoded(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 17, 3, 24, 0, 702454063, time.UTC)
	cases := []struct {
		name    string
		f       domain.Flag
		wantCut bool
	}{
		{"a worker's flag", runFlag(at, "fee.prohibited", "w-1", "jo-1", []string{"e1", "e2"}, []string{"b1"}), true},
		{"a job order's flag, no buyers", runFlag(at, "contract.substitution", "", "jo-2", []string{"e1"}, nil), true},
		{"nil evidence", runFlag(at, "fee.prohibited", "w-1", "jo-1", nil, []string{}), true},
		{"empty evidence", runFlag(at, "fee.prohibited", "w-1", "jo-1", []string{}, []string{"b1"}), true},
		{"quotes and non-ASCII in ids", runFlag(at, "fee.prohibited", "w-\"é\"", "jo-<1>", []string{"e\u2028"}, []string{"b&1"}), true},
		{"raised_at not in UTC", runFlag(at.In(time.FixedZone("", 5*3600+1800)), "fee.prohibited", "w-1", "jo-1", []string{"e1"}, nil), false},
		{"no details", domain.Flag{Code: "chain.unlicensed", WorkerID: "w-9", RaisedAt: at}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want, err := EncodeFlag(c.f)
			if err != nil {
				t.Fatal(err)
			}
			lf, err := listed(c.f)
			if err != nil {
				t.Fatal(err)
			}
			if cut := lf.buyers != ""; cut != c.wantCut {
				t.Errorf("head cut %v, want %v", cut, c.wantCut)
			}
			got, err := readListed(bufio.NewReader(bytes.NewReader(appendListed(nil, lf))))
			if err != nil {
				t.Fatal(err)
			}
			if g := got.JSON(); g != want {
				t.Errorf("JSON read back\n%s\nwant\n%s", g, want)
			}
			k := got.Key
			if k.RaisedAt.Format(time.RFC3339Nano) != c.f.RaisedAt.Format(time.RFC3339Nano) || k.Code != c.f.Code ||
				k.WorkerID != c.f.WorkerID || k.JobOrderID != c.f.JobOrderID || !reflect.DeepEqual(k.EventIDs, c.f.EventIDs) {
				t.Errorf("key read back %+v, want that of %+v", k, c.f)
			}
		})
	}
}

// TestDamagedFlagRunIsAnError: a run cut short, or a field running past its record, is an error, never a
// flag made up or a panic.
func TestDamagedFlagRunIsAnError(t *testing.T) {
	t.Parallel()
	lf, err := listed(runFlag(time.Unix(1700000000, 0).UTC(), "fee.prohibited", "w-1", "jo-1", []string{"e1"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	whole := appendListed(nil, lf)
	for name, b := range map[string][]byte{
		"cut in its length":      whole[:2],
		"cut in its body":        whole[:len(whole)-1],
		"more ids than bytes":    {3, 0, 0, 0, 0, 0, 0x7f},
		"a length of no fields":  {1, 0, 0, 0, 0x80},
		"a time of no zone byte": {2, 0, 0, 0, 15, 1},
	} {
		if _, err := readListed(bufio.NewReader(bytes.NewReader(b))); !errors.Is(err, errSpillRecord) {
			t.Errorf("%s: %v, want errSpillRecord", name, err)
		}
	}
}

// FuzzParseListed: whatever bytes a damaged run holds, parsing them returns a flag or an error, and a flag
// parsed is written and read back the same.
func FuzzParseListed(f *testing.F) {
	lf, _ := listed(runFlag(time.Unix(1700000000, 5).UTC(), "fee.prohibited", "w-1", "jo-1", []string{"e1"}, []string{"b"}))
	f.Add(appendListed(nil, lf)[4:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseListed(b)
		if err != nil {
			return
		}
		again, err := parseListed(appendListed(nil, got)[4:])
		if err != nil || again.JSON() != got.JSON() || !reflect.DeepEqual(again.Key.EventIDs, got.Key.EventIDs) {
			t.Fatalf("parsed %q, written and read back %q, %v", got.JSON(), again.JSON(), err)
		}
	})
}

// TestMergedRunsListAsAStableSortOfThemAll: runs of random flags, with many keys shared within and across
// runs, merge into the order a stable sort of the runs one after the other gives (flags of one key in the
// order of their runs, then of their places in them), in memory and in a file; a consumer that stops early
// gets that order's beginning.
func TestMergedRunsListAsAStableSortOfThemAll(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		runs, most int
		inFile     bool
	}{
		{"no runs", 0, 0, false},
		{"one run", 1, 50, false},
		{"many runs in memory", 40, 30, false},
		{"many runs in a file", 65, 30, true},
		{"runs of one flag", 20, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(uint64(tc.runs), uint64(tc.most)))
			dir := ""
			if tc.inFile {
				dir = t.TempDir()
			}
			runs, err := newFlagRuns(dir, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer runs.close()
			var all []domain.Flag
			for r := range tc.runs {
				flags := randomFlags(rnd, r, 1+rnd.IntN(tc.most))
				all = append(all, flags...)
				if err := runs.add(1, slices.Clone(flags)); err != nil {
					t.Fatal(err)
				}
			}
			if err := runs.finish(); err != nil {
				t.Fatal(err)
			}
			slices.SortStableFunc(all, projections.CompareFlags)
			want := make([]string, len(all))
			for i, f := range all {
				want[i], _ = EncodeFlag(f)
			}
			if got := mergedJSON(t, runs, 1, -1); !slices.Equal(got, want) {
				t.Fatalf("merged %d flags, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
			if got := mergedJSON(t, runs, 0, -1); len(got) != 0 {
				t.Fatalf("a listing with no runs merged %d flags", len(got))
			}
			if stop := len(want) / 3; stop > 0 {
				if got := mergedJSON(t, runs, 1, stop); !slices.Equal(got, want[:stop]) {
					t.Fatalf("stopped after %d: first difference at %d", stop, firstDiff(got, want[:stop]))
				}
			}
		})
	}
}

// randomFlags are n flags of run r, drawn from few times, codes, workers and evidence, so that many share
// their keys; each names its run and place in its buyers.
func randomFlags(rnd *rand.Rand, r, n int) []domain.Flag {
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	codes := []string{"fee.prohibited", "contract.substitution", "chain.unlicensed"}
	out := make([]domain.Flag, n)
	for i := range out {
		at := base.Add(time.Duration(rnd.IntN(4)) * time.Hour)
		if rnd.IntN(5) == 0 {
			at = at.In(time.FixedZone("", 3600))
		}
		worker := []string{"", "w-1", "w-2"}[rnd.IntN(3)]
		events := [][]string{nil, {"e1"}, {"e1", "e2"}, {"e2"}}[rnd.IntN(4)]
		out[i] = runFlag(at, codes[rnd.IntN(len(codes))], worker, "jo-1", events, []string{fmt.Sprintf("run-%d-%d", r, i)})
	}
	return out
}

// mergedJSON is the JSON of the flags a listing's merge yields, stopping after stop of them (all when < 0).
func mergedJSON(t *testing.T, runs *flagRuns, listing, stop int) []string {
	t.Helper()
	out := []string{}
	for f, err := range runs.merge(context.Background(), listing) {
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == stop {
			break
		}
		out = append(out, f.JSON())
	}
	return out
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestMergeOfADamagedRunIsAnError: a run whose bytes were damaged stops the merge with an error.
func TestMergeOfADamagedRunIsAnError(t *testing.T) {
	t.Parallel()
	runs, err := newFlagRuns("", 1)
	if err != nil {
		t.Fatal(err)
	}
	flags := randomFlags(rand.New(rand.NewPCG(1, 2)), 0, 5)
	if err := runs.add(0, flags); err != nil {
		t.Fatal(err)
	}
	if err := runs.finish(); err != nil {
		t.Fatal(err)
	}
	runs.runs[0][0].size-- // the last flag cut short
	var got error
	for _, err := range runs.merge(context.Background(), 0) {
		got = err
	}
	if !errors.Is(got, errSpillRecord) {
		t.Fatalf("merge of a damaged run ended with %v, want errSpillRecord", got)
	}
	if _, err := readListed(bufio.NewReader(bytes.NewReader(nil))); err != io.EOF {
		t.Fatalf("an empty run: %v, want io.EOF", err)
	}
}

// TestAMergeStopsAtTheEndOfItsContext: a merge whose context has ended yields that error within mergeCheck
// flags, not the rest of the listing.
func TestAMergeStopsAtTheEndOfItsContext(t *testing.T) {
	t.Parallel()
	runs, err := newFlagRuns("", 1)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for r := range 3 {
		if err := runs.add(0, randomFlags(rnd, r, mergeCheck)); err != nil {
			t.Fatal(err)
		}
	}
	if err := runs.finish(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	var got error
	for _, err := range runs.merge(ctx, 0) {
		if err != nil {
			got = err
			break
		}
		n++
	}
	if !errors.Is(got, context.Canceled) || n >= mergeCheck {
		t.Fatalf("merge after its context ended: %d flags, then %v", n, got)
	}
}
