package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// The fixtures of these tests open stores in temporary directories, fill them with events whose data holds a
// unique worker id (W0001 at position 1, W0002 at position 2...), and read or edit events.log directly. The
// record layout is parsed here independently of the backend's scanner: the 8-byte magic, then per record a
// little-endian u32 payload length, a u32 CRC-32C of the payload, and the payload.

var day = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// openStore opens a store that the test closes at cleanup (closing twice is harmless).
func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func closeStore(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// workerID is the worker id in the data of the event at a position.
func workerID(pos int) string { return fmt.Sprintf("W%04d", pos) }

// populate appends n events one at a time, round-robin over streams, and returns what the store then reads. The
// event at position p (counting from the store's current end) has worker id workerID(p).
func populate(t testing.TB, s *Store, streams []string, n int) []eventstore.Recorded {
	t.Helper()
	before := len(storetest.ReadAll(t, s, eventstore.Start))
	for i := range n {
		pos := before + i + 1
		stream := streams[i%len(streams)]
		ev := storetest.Event(t, workerID(pos), day.Add(time.Duration(pos)*time.Minute))
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: stream, Events: []eventstore.Proposed{ev}}); err != nil {
			t.Fatalf("append event %d to %s: %v", pos, stream, err)
		}
	}
	return storetest.ReadAll(t, s, eventstore.Start)
}

// filledDir is a closed store directory holding n events over the streams.
func filledDir(t testing.TB, streams []string, n int) (string, []eventstore.Recorded) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	evs := populate(t, s, streams, n)
	closeStore(t, s)
	return dir, evs
}

// sameEvents fails the test unless got and want hold the same events, field by field.
func sameEvents(t testing.TB, got, want []eventstore.Recorded) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if d := diffRecorded(got[i], want[i]); d != "" {
			t.Fatalf("event %d: %s", i+1, d)
		}
	}
}

func diffRecorded(got, want eventstore.Recorded) string {
	var diffs []string
	check := func(field string, same bool, g, w any) {
		if !same {
			diffs = append(diffs, fmt.Sprintf("%s %v, want %v", field, g, w))
		}
	}
	check("id", got.ID == want.ID, got.ID, want.ID)
	check("type", got.Type == want.Type, got.Type, want.Type)
	check("stream", got.Stream == want.Stream, got.Stream, want.Stream)
	check("revision", got.Revision == want.Revision, got.Revision, want.Revision)
	check("position", got.Position == want.Position, got.Position, want.Position)
	check("occurred_at", got.OccurredAt.Equal(want.OccurredAt), got.OccurredAt, want.OccurredAt)
	check("recorded_at", got.RecordedAt.Equal(want.RecordedAt), got.RecordedAt, want.RecordedAt)
	check("recorded_by", got.RecordedBy == want.RecordedBy, got.RecordedBy, want.RecordedBy)
	check("data", bytes.Equal(got.Data, want.Data), string(got.Data), string(want.Data))
	check("hash", got.Hash == want.Hash, got.Hash, want.Hash)
	return strings.Join(diffs, "; ")
}

// mustVerify fails the test unless every hash chain of s holds.
func mustVerify(t testing.TB, s eventstore.Store, wantEvents int) {
	t.Helper()
	rep, err := eventstore.Verify(context.Background(), s)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.Bad != nil {
		t.Fatalf("verify: %s", rep.Bad)
	}
	if rep.Events != wantEvents {
		t.Fatalf("verify checked %d events, want %d", rep.Events, wantEvents)
	}
}

// logRecord locates one record of events.log.
type logRecord struct {
	off int64 // offset of its header
	len int   // header and payload
}

func (r logRecord) payload(log []byte) []byte {
	return log[r.off+headerLen : r.off+int64(r.len)]
}

const (
	magicLen  = 8
	headerLen = 8
)

func logPath(dir string) string { return filepath.Join(dir, "events.log") }

func readLog(t testing.TB, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(logPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeLog(t testing.TB, dir string, b []byte) {
	t.Helper()
	if err := os.WriteFile(logPath(dir), b, 0o640); err != nil {
		t.Fatal(err)
	}
}

func appendToLog(t testing.TB, dir string, b []byte) {
	t.Helper()
	writeLog(t, dir, append(readLog(t, dir), b...))
}

// records parses a well-formed log into its records.
func records(t testing.TB, log []byte) []logRecord {
	t.Helper()
	if !bytes.HasPrefix(log, []byte("FTLOG\x00\x00\x01")) {
		t.Fatalf("events.log does not start with the format magic: %q", log[:min(len(log), magicLen)])
	}
	var out []logRecord
	for off := int64(magicLen); off < int64(len(log)); {
		if off+headerLen > int64(len(log)) {
			t.Fatalf("events.log: %d stray bytes at offset %d", int64(len(log))-off, off)
		}
		n := int(binary.LittleEndian.Uint32(log[off:]))
		if off+headerLen+int64(n) > int64(len(log)) {
			t.Fatalf("events.log: record at offset %d runs past the end", off)
		}
		out = append(out, logRecord{off: off, len: headerLen + n})
		off += int64(headerLen + n)
	}
	return out
}

// resealCRC rewrites a record's CRC-32C to match its (edited) payload, so only the hash chain can notice.
func resealCRC(log []byte, r logRecord) {
	crc := crc32.Checksum(r.payload(log), crc32.MakeTable(crc32.Castagnoli))
	binary.LittleEndian.PutUint32(log[r.off+4:], crc)
}

// offsetOfUnique returns where s occurs in log, failing unless it occurs exactly once.
func offsetOfUnique(t testing.TB, log []byte, s string) int64 {
	t.Helper()
	if n := bytes.Count(log, []byte(s)); n != 1 {
		t.Fatalf("%q occurs %d times in events.log, want once", s, n)
	}
	return int64(bytes.Index(log, []byte(s)))
}

// quarantined lists the quarantine files of a directory.
func quarantined(t testing.TB, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "quarantine-*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// appendOne appends one event (worker id given) to a stream and returns its outcome.
func appendOne(t testing.TB, s eventstore.Store, stream, worker string, exp eventstore.ExpectedRevision) (eventstore.Appended, eventstore.Proposed) {
	t.Helper()
	ev := storetest.Event(t, worker, day.Add(240*time.Hour))
	res, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: stream, Expected: exp, Events: []eventstore.Proposed{ev}})
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res.Events[0], ev
}

// chainsFrom checks that rec is ev stored after a predecessor with hash prev ("" for a stream's first event).
func chainsFrom(t testing.TB, rec eventstore.Recorded, ev eventstore.Proposed, prev string) {
	t.Helper()
	if !rec.SameEvent(ev) {
		t.Fatalf("stored event %s is not the one appended", rec.ID)
	}
	if want := domain.ChainHash(prev, ev.Canonical()); rec.Hash != want {
		t.Fatalf("hash %s, want %s (chained from %q)", rec.Hash, want, prev)
	}
}
