package embedded

import (
	"context"
	"math/bits"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
)

// TestIndexFlipAnywhereIsCaught: a byte flipped anywhere in events.idx (header, any table, the block sums) is
// caught before it is used: parsing refuses the file, or the lookup reading it fails; no lookup ever answers
// from a damaged block.
func TestIndexFlipAnywhereIsCaught(t *testing.T) {
	t.Parallel()
	valid := goldenFile(t)
	evs := goldenEvents()
	for i := range valid {
		b := append([]byte(nil), valid...)
		b[i] ^= 0x20
		fz, err := parseFrozen(b)
		if err != nil {
			continue
		}
		if a, err := answersOf(newIndex(fz), evs); err == nil {
			t.Fatalf("byte %d flipped: every lookup answered (%+v)", i, a)
		}
	}
}

// checkedBlocks counts the blocks of a frozen index that passed their checksum so far, and all of them.
func checkedBlocks(fz *frozen) (checked, total int) {
	for i := range fz.checked {
		checked += bits.OnesCount64(fz.checked[i].Load())
	}
	return checked, (len(fz.body) + int(fz.block) - 1) / int(fz.block)
}

// smallBlockDir is a closed store of n events over indexStreams whose events.idx has blocks of 64 bytes.
func smallBlockDir(t *testing.T, n int) (string, []eventstore.Recorded) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	s.indexBlock = 64
	evs := populate(t, s, indexStreams, n)
	closeStore(t, s)
	return dir, evs
}

// TestReadOnlyOpenChecksOnlyWhatItReads: a read-only open that reads one stream checks (and touches) only
// the blocks of events.idx its lookups read, and a writable open checks them all.
func TestReadOnlyOpenChecksOnlyWhatItReads(t *testing.T) {
	t.Parallel()
	dir, evs := smallBlockDir(t, 60)
	s := openStore(t, dir, Options{ReadOnly: true})
	var want []eventstore.Recorded
	for _, e := range evs {
		if e.Stream == "worker-b" {
			want = append(want, e)
		}
	}
	var got []eventstore.Recorded
	for rec, err := range s.ReadStream(context.Background(), "worker-b", 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	sameEvents(t, got, want)
	ix, _ := s.index()
	if ix.base == nil {
		t.Fatal("the read-only open did not use events.idx")
	}
	if checked, total := checkedBlocks(ix.base); checked == 0 || checked > total/2 {
		t.Fatalf("reading one stream checked %d of %d blocks", checked, total)
	}
	closeStore(t, s)

	w := openStore(t, dir, Options{})
	ix, _ = w.index()
	if checked, total := checkedBlocks(ix.base); checked != total {
		t.Fatalf("a writable open checked %d of %d blocks", checked, total)
	}
}

// TestDamagedBlockIsCaughtAsRead: a byte flipped in a table of events.idx that an open does not read is
// caught when a lookup reads it: a read-only store drops the persisted index, scans the log and answers as
// before; a writable open checks every block and rebuilds the index.
func TestDamagedBlockIsCaughtAsRead(t *testing.T) {
	t.Parallel()
	dir, evs := smallBlockDir(t, 60)
	valid := readFile(t, idxPath(dir))
	fz, err := parseFrozen(valid)
	if err != nil {
		t.Fatal(err)
	}
	tables := []struct {
		name string
		at   uint64
		// readOnly: whether a read-only store's reads look into this table (event ids are only looked up
		// by a writer's duplicate check).
		readOnly bool
	}{
		{"position offsets", fz.n * 4, true},
		{"event ids", fz.idsAt + fz.n*idxIDSize/2, false},
		{"stream table", fz.tableAt + idxStreamSize + 3, true},
		{"stream positions", fz.posAt + fz.n*4, true},
		{"stream names", fz.namesAt + 2, true},
	}
	for _, tc := range tables {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := copyDir(t, dir)
			b := append([]byte(nil), valid...)
			b[idxHeaderSize+tc.at] ^= 0x04
			writeFile(t, idxPath(d), b)
			if tc.readOnly {
				s := openStore(t, d, Options{ReadOnly: true})
				for _, e := range evs {
					if _, err := s.readAt(e.Position.Commit); err != nil {
						t.Fatal(err)
					}
				}
				sameStreams(t, s, evs)
				if ix, _ := s.index(); ix.base != nil {
					t.Fatal("every lookup answered from a damaged events.idx")
				}
				closeStore(t, s)
			}
			w := openStore(t, d, Options{})
			if ix, _ := w.index(); ix.base != nil {
				t.Fatal("a writable open took a damaged events.idx")
			}
			sameStreams(t, w, evs)
			mustVerify(t, w, len(evs))
		})
	}
}
