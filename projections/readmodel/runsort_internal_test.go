package readmodel

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"
)

func TestSortedRowsGivesEveryRowBackInKeyOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rows  int
		limit int
		runs  int // runs written before each is called
	}{
		{name: "no rows", rows: 0, limit: 1 << 10},
		{name: "held in memory", rows: 500, limit: 1 << 20},
		{name: "a few runs", rows: 65, limit: 64 * 20, runs: 2},
		{name: "many runs merged", rows: 5000, limit: 1 << 10, runs: 228},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := newSortedRows(dir, "test", tc.limit)
			rng := rand.New(rand.NewPCG(1, uint64(tc.rows)))
			var want [][2]string
			for i := range tc.rows {
				key := fmt.Appendf(nil, "%08d", rng.IntN(tc.rows*2)) // some keys repeat
				rec := bytes.Repeat([]byte{byte(i)}, i%17)
				want = append(want, [2]string{string(key), string(rec)})
				if err := s.add(key, rec); err != nil {
					t.Fatal(err)
				}
			}
			if len(s.runs) != tc.runs {
				t.Errorf("runs written while adding: %d, want %d", len(s.runs), tc.runs)
			}
			var got [][2]string
			err := s.each(func(key, rec []byte) error {
				got = append(got, [2]string{string(key), string(rec)})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			byKey := func(a, b [2]string) int { return compareStrings(a[0], b[0], a[1], b[1]) }
			if !slices.IsSortedFunc(got, func(a, b [2]string) int { return compareStrings(a[0], b[0]) }) {
				t.Error("rows not in key order")
			}
			slices.SortFunc(got, byKey)
			slices.SortFunc(want, byKey)
			if !slices.Equal(got, want) {
				t.Errorf("got %d rows back, want %d, or other rows", len(got), len(want))
			}
			s.remove()
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("runs left after remove: %d", len(left))
			}
		})
	}
}

func TestSortedRowsStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	s := newSortedRows(t.TempDir(), "test", 64)
	for _, k := range []string{"c", "a", "b", "d", "e"} {
		if err := s.add([]byte(k), []byte("0123456789012345678901234567890123456789")); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	var seen []string
	err := s.each(func(key, _ []byte) error {
		seen = append(seen, string(key))
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !slices.Equal(seen, []string{"a", "b"}) {
		t.Errorf("each: %v after %q, want stop after a, b", err, seen)
	}
	s.remove()
}

func TestRowValuesReadBackAsBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		row  []any
		want []any
	}{
		{name: "a flag's row", row: []any{[]byte{0x80, 0, 1}, "fee.prohibited", "w-1", "", nil, nil, int64(-5), 7, 0, nil, `,"x":1}`},
			want: []any{[]byte{0x80, 0, 1}, "fee.prohibited", "w-1", "", nil, nil, int64(-5), int64(7), int64(0), nil, `,"x":1}`}},
		{name: "an empty blob stays a blob, a nil one is NULL", row: []any{[]byte{}, []byte(nil)}, want: []any{[]byte{}, nil}},
		{name: "text with every byte", row: []any{string([]byte{0, 1, 0xff, '"'})}, want: []any{string([]byte{0, 1, 0xff, '"'})}},
		{name: "no values", row: nil, want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := appendValues(nil, tc.row)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readValues(nil, rec, &arena{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("read back %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestRowValuesRejectWhatTheyCannotHold(t *testing.T) {
	t.Parallel()
	if _, err := appendValues(nil, []any{1.5}); !errors.Is(err, errSortRecord) {
		t.Errorf("a float: %v, want errSortRecord", err)
	}
	rec, _ := appendValues(nil, []any{"text", int64(300)})
	for _, bad := range [][]byte{rec[:3], rec[:len(rec)-1], {9}, {valueText, 0xff}} {
		if _, err := readValues(nil, bad, &arena{}); !errors.Is(err, errSortRecord) {
			t.Errorf("record %x: %v, want errSortRecord", bad, err)
		}
	}
}

func TestScopeRowKeysOrderAsTheirTable(t *testing.T) {
	t.Parallel()
	key := func(id int64, k []byte) []byte {
		b, err := scopeKey(nil, []any{id, k})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		a, b []byte
	}{
		{name: "by scope first", a: key(1, []byte{0xff}), b: key(2, []byte{0})},
		{name: "then by the flag's key", a: key(300, []byte{1, 2}), b: key(300, []byte{1, 3})},
		{name: "a shorter flag key first", a: key(7, []byte{1}), b: key(7, []byte{1, 0})},
		{name: "the largest id last", a: key(math.MaxUint32-1, nil), b: key(math.MaxUint32, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Compare(tc.a, tc.b) >= 0 {
				t.Errorf("%x sorts after %x", tc.a, tc.b)
			}
		})
	}
	for _, id := range []int64{-1, math.MaxUint32 + 1} {
		if _, err := scopeKey(nil, []any{id, []byte{1}}); !errors.Is(err, errScopeID) {
			t.Errorf("scope id %d: %v, want errScopeID", id, err)
		}
	}
}
