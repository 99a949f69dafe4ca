package embedded

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

var indexStreams = []string{"worker-a", "worker-b", "jo-1", "worker-c"}

func idxPath(dir string) string { return filepath.Join(dir, indexName) }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
}

// scannedIndex is the index a full scan of the log builds, the reference the persisted one must equal.
func scannedIndex(t testing.TB, s *Store) *index {
	t.Helper()
	ix, _, damaged, err := scanIndex(s.f, newIndex(nil), true)
	if err != nil || damaged != nil {
		t.Fatalf("scan: %v %v", err, damaged)
	}
	return ix
}

// sameIndex fails unless got answers every lookup as want does, for the events in evs.
func sameIndex(t testing.TB, got, want *index, evs []eventstore.Recorded) {
	t.Helper()
	if got.last() != want.last() {
		t.Fatalf("index covers %d events, the log holds %d", got.last(), want.last())
	}
	ga, wa := mustAnswers(t, got, evs), mustAnswers(t, want, evs)
	if !reflect.DeepEqual(ga, wa) {
		t.Fatalf("index answers\n%+v\nwant\n%+v", ga, wa)
	}
	if len(ga.ids) != len(evs) || ga.streams[missingStream].ok {
		t.Fatalf("index found %d of %d events, a stream never written: %v", len(ga.ids), len(evs), ga.streams[missingStream].ok)
	}
}

// TestPersistedIndexIsUsed: after a clean close, an open (read-only or writable) takes the indexes from
// events.idx, scans only what follows, and answers every lookup as a scan of the whole log does.
func TestPersistedIndexIsUsed(t *testing.T) {
	t.Parallel()
	dir, _ := filledDir(t, indexStreams, 40)
	s := openStore(t, dir, Options{})
	populate(t, s, []string{"worker-b", "worker-new"}, 7) // a tail over the base: old and new streams
	closeStore(t, s)

	for _, opts := range []Options{{ReadOnly: true}, {}} {
		s := openStore(t, dir, opts)
		ix, err := s.index()
		if err != nil {
			t.Fatal(err)
		}
		if ix.base == nil || ix.base.n != 47 || len(ix.offsets) != 0 {
			t.Fatalf("read-only %v: open did not take the index from %s (base %v, scanned %d)", opts.ReadOnly, indexName, ix.base != nil, len(ix.offsets))
		}
		evs := storetest.ReadAll(t, s, eventstore.Start)
		sameIndex(t, ix, scannedIndex(t, s), evs)
		sameStreams(t, s, evs)
		if !opts.ReadOnly {
			continuesChains(t, s, evs)
		}
		closeStore(t, s)
	}
}

// TestUnusableIndexIsRebuilt: a missing, corrupt, stale, foreign or ahead-of-the-log events.idx is never
// trusted: the open scans the log, answers as before, and the next close writes an index that is used.
func TestUnusableIndexIsRebuilt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// spoil edits the closed store in dir; the second session's index and log are given, and the first's.
		spoil func(t *testing.T, dir string, first, second storeFiles)
		// wantBase is the number of events the open should take from events.idx (0: none, rebuilt).
		wantBase uint64
	}{
		{"missing", func(t *testing.T, dir string, _, _ storeFiles) { os.Remove(idxPath(dir)) }, 0},
		{"a byte of the body flipped", func(t *testing.T, dir string, _, s storeFiles) {
			s.idx[len(s.idx)-3] ^= 0x10
			writeFile(t, idxPath(dir), s.idx)
		}, 0},
		{"a byte of the header flipped", func(t *testing.T, dir string, _, s storeFiles) {
			s.idx[9] ^= 0x01
			writeFile(t, idxPath(dir), s.idx)
		}, 0},
		{"of format version 1 (one checksum over the whole body)", func(t *testing.T, dir string, _, s storeFiles) {
			s.idx[len(indexMagic)-1] = 1
			writeFile(t, idxPath(dir), s.idx)
		}, 0},
		{"cut short", func(t *testing.T, dir string, _, s storeFiles) { writeFile(t, idxPath(dir), s.idx[:len(s.idx)/2]) }, 0},
		{"empty", func(t *testing.T, dir string, _, _ storeFiles) { writeFile(t, idxPath(dir), nil) }, 0},
		{"older than the log (a crash after appends): the tail is scanned", func(t *testing.T, dir string, f, _ storeFiles) {
			writeFile(t, idxPath(dir), f.idx)
		}, 30},
		{"ahead of the log (the log restored from a backup)", func(t *testing.T, dir string, f, _ storeFiles) {
			writeFile(t, logPath(dir), f.log)
		}, 0},
		{"from another store's log of the same length", func(t *testing.T, dir string, _, _ storeFiles) {
			other, _ := filledDir(t, []string{"other-a", "other-b"}, 40)
			writeFile(t, idxPath(dir), readFile(t, idxPath(other)))
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, _ := filledDir(t, indexStreams, 30)
			first := storeFiles{log: readFile(t, logPath(dir)), idx: readFile(t, idxPath(dir))}
			s := openStore(t, dir, Options{})
			populate(t, s, indexStreams, 10)
			closeStore(t, s)
			second := storeFiles{log: readFile(t, logPath(dir)), idx: readFile(t, idxPath(dir))}
			tc.spoil(t, dir, first, second)
			for _, opts := range []Options{{ReadOnly: true}, {}} {
				s := openStore(t, dir, opts)
				ix, err := s.index()
				if err != nil {
					t.Fatal(err)
				}
				if ix.baseN() != tc.wantBase {
					t.Fatalf("read-only %v: open took %d events from %s, want %d", opts.ReadOnly, ix.baseN(), indexName, tc.wantBase)
				}
				evs := storetest.ReadAll(t, s, eventstore.Start)
				sameIndex(t, ix, scannedIndex(t, s), evs)
				sameStreams(t, s, evs)
				mustVerify(t, s, len(evs))
				closeStore(t, s)
			}
			s = openStore(t, dir, Options{ReadOnly: true})
			if ix, _ := s.index(); ix.baseN() != ix.last() {
				t.Fatalf("after a writable session the index covers %d of %d events", ix.baseN(), ix.last())
			}
		})
	}
}

type storeFiles struct{ log, idx []byte }

// TestLeftoverTemporaryIndexIsHarmless: a crash while events.idx.tmp was being written leaves the last
// complete events.idx in force; the next close replaces the temporary file.
func TestLeftoverTemporaryIndexIsHarmless(t *testing.T) {
	t.Parallel()
	dir, evs := filledDir(t, indexStreams, 12)
	writeFile(t, idxPath(dir)+".tmp", []byte("FTIDX\x00\x00\x01 torn"))
	s := openStore(t, dir, Options{})
	ix, _ := s.index()
	if ix.baseN() != uint64(len(evs)) {
		t.Fatalf("open took %d events from %s, want %d", ix.baseN(), indexName, len(evs))
	}
	populate(t, s, indexStreams, 3)
	closeStore(t, s)
	if _, err := os.Stat(idxPath(dir) + ".tmp"); err == nil {
		t.Fatal("the temporary index file is still there after a close")
	}
	if _, err := loadFrozen(idxPath(dir), true); err != nil {
		t.Fatal(err)
	}
}

// TestTamperedLogWithIndexIsRefused: an index written before a record in the middle of the log was edited
// does not let a writable open skip the record's checks.
func TestTamperedLogWithIndexIsRefused(t *testing.T) {
	t.Parallel()
	dir, _ := filledDir(t, indexStreams, 20)
	log := readLog(t, dir)
	log[offsetOfUnique(t, log, workerID(7))] ^= 0x01
	writeLog(t, dir, log)
	if s, err := Open(dir, Options{}); err == nil {
		s.Close()
		t.Fatal("writable open over a log edited under its persisted index succeeded")
	}
	s := openStore(t, dir, Options{ReadOnly: true})
	if _, err := s.readAt(7); err == nil {
		t.Fatal("reading the edited record through the persisted index succeeded")
	}
}

// goldenHeaders are the fixed headers of the golden index, and the offsets of their records.
func goldenHeaders() ([]header, []int64) {
	streams := []string{"worker-w-2", "jo-1", "worker-w-1", "jo-1", "worker-w-2"}
	var hs []header
	var offs []int64
	off := int64(len(fileMagic))
	for i, st := range streams {
		var h header
		h.position = uint64(i + 1)
		h.id[0], h.id[15] = byte(0x50-i*16), byte(i)
		h.hash[0], h.hash[31] = byte(i+1), 0xee
		h.stream = []byte(st)
		hs, offs = append(hs, h), append(offs, off)
		off += 100 + int64(i)
	}
	return hs, offs
}

// goldenIndex is a small index built from the golden headers.
func goldenIndex(t testing.TB) *index {
	ix := newIndex(nil)
	hs, offs := goldenHeaders()
	for i, h := range hs {
		if err := ix.add(offs[i], h); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// goldenEvents are the golden headers as the events the index's answers are asked about.
func goldenEvents() []eventstore.Recorded {
	hs, _ := goldenHeaders()
	evs := make([]eventstore.Recorded, len(hs))
	for i, h := range hs {
		evs[i] = eventstore.Recorded{Position: eventstore.Position{Commit: h.position, Prepare: h.position},
			ID: h.id, Stream: string(h.stream)}
	}
	return evs
}

// goldenBlock is the golden index's block size: small, so that its body spans several blocks.
const goldenBlock = 64

// goldenFile is the golden index as events.idx holds it.
func goldenFile(t testing.TB) []byte {
	dir := t.TempDir()
	if err := writeFrozenFile(dir, goldenIndex(t), 518, goldenBlock); err != nil {
		t.Fatal(err)
	}
	return readFile(t, idxPath(dir))
}

// TestIndexGolden pins the layout of events.idx (version 2); FAIRTRAIL_GOLDEN_UPDATE=1 rewrites it when a
// change is meant (with a new version).
func TestIndexGolden(t *testing.T) {
	t.Parallel()
	raw := goldenFile(t)
	got := hex.Dump(raw)
	const path = "testdata/index_v2.hexdump"
	if os.Getenv("FAIRTRAIL_GOLDEN_UPDATE") == "1" {
		writeFile(t, path, []byte(got))
	}
	if want := string(readFile(t, path)); got != want {
		t.Fatalf("events.idx layout changed:\n%s\nwant\n%s", got, want)
	}
	fz, err := parseFrozen(raw)
	if err != nil {
		t.Fatal(err)
	}
	sameIndex(t, newIndex(fz), goldenIndex(t), goldenEvents())
}

// FuzzParseFrozen: whatever bytes events.idx holds, parsing never panics, and a parsed index answers lookups
// without running outside its data.
func FuzzParseFrozen(f *testing.F) {
	valid := goldenFile(f)
	f.Add(valid)
	f.Add(valid[:idxHeaderSize])
	f.Add([]byte("FTIDX\x00\x00\x02"))
	evs := goldenEvents()
	f.Fuzz(func(t *testing.T, b []byte) {
		fz, err := parseFrozen(b)
		if err != nil {
			if !bytes.Equal(b, valid) {
				return
			}
			t.Fatalf("the valid file did not parse: %v", err)
		}
		ix := newIndex(fz)
		answersOf(ix, evs) //nolint:errcheck // only that it stays within the data
		for i := range fz.streams {
			if name, err := fz.streamName(i); err == nil {
				ix.head(string(name))      //nolint:errcheck // see above
				ix.positions(string(name)) //nolint:errcheck // see above
			}
		}
		for p := uint64(1); p <= min(fz.n, 1000); p++ {
			ix.offset(p) //nolint:errcheck // see above
		}
	})
}

// copyDir copies a store's files as they are on disk now, as a process killed at this point leaves them.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	for _, name := range []string{logName, hashesName, indexName} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, name), b)
	}
	return to
}

// TestWriterCheckpointsTheIndex: a writer persists the index as the log grows, each time after more events
// than the index held, and a store killed between checkpoints (its files copied while it is open) opens with
// the last persisted index plus a scan of the tail, answering as the live store does.
func TestWriterCheckpointsTheIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	s.checkpointAt = 4 // set before the first append reaches the writer
	var sizes []uint64
	for range 10 {
		populate(t, s, indexStreams, 5)
		ix, _ := s.index()
		sizes = append(sizes, ix.baseN())
	}
	// Persisted at the 4th event, then whenever the tail reaches the base's size (8, 16), at most 4 × 4 (32, 48).
	if want := []uint64{4, 8, 8, 16, 16, 16, 32, 32, 32, 48}; !slices.Equal(sizes, want) {
		t.Fatalf("persisted index sizes after each 5 appends: %v, want %v", sizes, want)
	}
	live := storetest.ReadAll(t, s, eventstore.Start)
	killed := copyDir(t, dir)
	for _, opts := range []Options{{ReadOnly: true}, {}} {
		c := openStore(t, killed, opts)
		ix, err := c.index()
		if err != nil {
			t.Fatal(err)
		}
		if ix.baseN() != 48 {
			t.Fatalf("the killed store's copy opened with %d events from %s, want 48", ix.baseN(), indexName)
		}
		sameEvents(t, storetest.ReadAll(t, c, eventstore.Start), live)
		sameIndex(t, ix, scannedIndex(t, c), live)
		sameStreams(t, c, live)
		if !opts.ReadOnly {
			continuesChains(t, c, live)
		}
		closeStore(t, c)
	}
}
