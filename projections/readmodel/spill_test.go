package readmodel

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// spilledRecord is a record as a store returns it, with what a spill keeps of it (all but its hash).
func spilledRecord(commit uint64, worker string) eventstore.Recorded {
	id, _ := domain.ParseEventID("0190b6a4-3f5e-7c1a-9d2b-4e5f6a7b8c9d")
	id[15] = byte(commit)
	return eventstore.Recorded{ID: id, Type: domain.TypeWorkerRecruited, Stream: domain.WorkerStream(worker),
		Revision: commit % 3, Position: eventstore.Position{Commit: commit, Prepare: commit * 7},
		OccurredAt: time.Date(2025, 3, 1, 8, 0, 0, 123, time.UTC),
		RecordedAt: time.Date(2025, 3, 2, 9, 30, 0, 0, time.FixedZone("", 5*3600+1800)),
		RecordedBy: "importer", Data: []byte(`{"worker_id":"` + worker + `"}`)}
}

// TestSpilledRecordsReadBackAsStored: every field a judgement reads comes back from a spill file equal, in
// the order spilled, whatever its size (an empty body, a long one), and stays so while the records after it
// are read into the same slab.
func TestSpilledRecordsReadBackAsStored(t *testing.T) {
	t.Parallel()
	long := spilledRecord(3, "w-3")
	long.Data = bytes.Repeat([]byte("x"), 300_000)
	empty := spilledRecord(4, "w-4")
	empty.Data, empty.RecordedBy = []byte{}, ""
	want := []eventstore.Recorded{spilledRecord(1, "w-1"), spilledRecord(2, "w-1"), long, empty}
	var buf []byte
	for _, rec := range want {
		buf = appendSpilled(buf, rec)
	}
	r := bufio.NewReader(bytes.NewReader(buf))
	var slab recordSlab
	read := make([]eventstore.Recorded, len(want))
	for i := range want {
		var err error
		if read[i], err = readSpilled(r, &slab); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	for i, w := range want {
		got := read[i]
		if !got.OccurredAt.Equal(w.OccurredAt) || !got.RecordedAt.Equal(w.RecordedAt) ||
			got.RecordedAt.Format(time.RFC3339Nano) != w.RecordedAt.Format(time.RFC3339Nano) {
			t.Fatalf("record %d: times %v, %v; want %v, %v", i, got.OccurredAt, got.RecordedAt, w.OccurredAt, w.RecordedAt)
		}
		got.OccurredAt, got.RecordedAt, w.OccurredAt, w.RecordedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if _, err := readSpilled(r, &slab); err != io.EOF {
		t.Fatalf("after the last record: %v, want io.EOF", err)
	}
}

// TestDamagedSpillIsAnError: a spill file cut short or with a field running past its record is an error,
// never a record made up or a panic.
func TestDamagedSpillIsAnError(t *testing.T) {
	t.Parallel()
	whole := appendSpilled(nil, spilledRecord(1, "w-1"))
	long := bytes.Clone(whole)
	long[len(long)-len(`{"worker_id":"w-1"}`)-1] = 0x7f // the data's length, now past the record's end
	for name, b := range map[string][]byte{
		"cut in its length":     whole[:2],
		"cut in its body":       whole[:len(whole)-1],
		"a field past its end":  long,
		"a length of no fields": {1, 0, 0, 0, 0x80},
	} {
		if _, err := readSpilled(bufio.NewReader(bytes.NewReader(b)), &recordSlab{}); !errors.Is(err, errSpillRecord) {
			t.Errorf("%s: %v, want errSpillRecord", name, err)
		}
	}
}

// FuzzParseSpilled: whatever bytes a damaged spill file holds, parsing them returns a record or an error.
func FuzzParseSpilled(f *testing.F) {
	f.Add(appendSpilled(nil, spilledRecord(1, "w-1"))[4:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if rec, err := parseSpilled(b); err == nil && len(appendSpilled(nil, rec)) != len(b)+4 {
			t.Fatalf("parsed %d bytes into a record of another size", len(b))
		}
	})
}

// TestSpillGroupsBucketsIntoShards: runs of whole buckets, each over the limit only when a bucket alone is.
func TestSpillGroupsBucketsIntoShards(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		counts map[int]uint64
		limit  uint64
		want   [][2]int
	}{
		{"everything in one shard", map[int]uint64{0: 5, 63: 5}, 100, [][2]int{{0, 64}}},
		{"a shard closed before the bucket that passes the limit", map[int]uint64{0: 60, 10: 50, 20: 30},
			100, [][2]int{{0, 10}, {10, 64}}},
		{"a bucket over the limit alone", map[int]uint64{0: 500, 1: 500}, 100, [][2]int{{0, 1}, {1, 64}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s spill
			for b, n := range tc.counts {
				s.counts[b] = n
			}
			if got := s.shards(tc.limit); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("shards: %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSpillRemovesWhatAKilledRebuildLeft: a new spill starts from empty files, and removing it leaves nothing.
func TestSpillRemovesWhatAKilledRebuildLeft(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "m.spill")
	old, err := newSpill(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.add("w-1", spilledRecord(1, "w-1")); err != nil {
		t.Fatal(err)
	}
	if err := old.finish(); err != nil {
		t.Fatal(err)
	}
	s, err := newSpill(dir) // the old one is never removed: a killed rebuild
	if err != nil {
		t.Fatal(err)
	}
	for rec, err := range s.read(bucketOf("w-1")) {
		t.Fatalf("a new spill holds %v, %v", rec.ID, err)
	}
	s.remove()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after remove: %v", err)
	}
}
