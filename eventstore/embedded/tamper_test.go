package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
)

var tamperStreams = []string{"worker-a", "worker-b", "worker-c", "worker-d", "worker-e"}

const (
	tamperEvents = 50
	tamperTarget = 20 // position of the edited event
)

// dataByte is the offset of the first character of the worker id in the data of the event at a position.
func dataByte(t *testing.T, log []byte, pos int) int64 {
	return offsetOfUnique(t, log, `"worker_id":"`+workerID(pos)+`"`) + int64(len(`"worker_id":"`))
}

func TestVerifyNamesTamperedEvent(t *testing.T) {
	tests := []struct {
		name string
		// tamper edits the log (rs are its records, rs[p-1] the one at position p).
		tamper func(t *testing.T, log []byte, rs []logRecord)
		// badID is the position whose event id the report names (the event found where the chain breaks).
		badID       int
		wantProblem string
		// writable is whether a writable open still succeeds: the backend checks checksums and positions,
		// not the hash chain.
		writable bool
	}{
		{
			name: "one byte of the data edited",
			tamper: func(t *testing.T, log []byte, rs []logRecord) {
				log[dataByte(t, log, tamperTarget)] = 'X'
			},
			badID:       tamperTarget,
			wantProblem: "checksum",
		},
		{
			name: "one byte of the data edited and the record's CRC recomputed",
			tamper: func(t *testing.T, log []byte, rs []logRecord) {
				log[dataByte(t, log, tamperTarget)] = 'X'
				resealCRC(log, rs[tamperTarget-1])
			},
			badID:       tamperTarget,
			wantProblem: "hash mismatch",
			writable:    true,
		},
		{
			name: "occurred_at edited and the record's CRC recomputed",
			tamper: func(t *testing.T, log []byte, rs []logRecord) {
				r := rs[tamperTarget-1]
				at := r.off + headerLen + 25
				binary.LittleEndian.PutUint64(log[at:], binary.LittleEndian.Uint64(log[at:])+1e9)
				resealCRC(log, r)
			},
			badID:       tamperTarget,
			wantProblem: "hash mismatch",
			writable:    true,
		},
		{
			name: "the data of two events of different streams swapped and both CRCs recomputed",
			tamper: func(t *testing.T, log []byte, rs []logRecord) {
				a, b := dataByte(t, log, tamperTarget), dataByte(t, log, tamperTarget+11)
				n := int64(len(workerID(0)))
				tmp := string(log[a : a+n])
				copy(log[a:a+n], log[b:b+n])
				copy(log[b:b+n], tmp)
				resealCRC(log, rs[tamperTarget-1])
				resealCRC(log, rs[tamperTarget+10])
			},
			badID:       tamperTarget,
			wantProblem: "hash mismatch",
			writable:    true,
		},
		{
			name: "two whole records of the same size swapped",
			tamper: func(t *testing.T, log []byte, rs []logRecord) {
				a, b := rs[tamperTarget-1], rs[tamperTarget+10]
				if a.len != b.len {
					t.Fatalf("records %d and %d differ in size", tamperTarget, tamperTarget+11)
				}
				tmp := string(log[a.off : a.off+int64(a.len)])
				copy(log[a.off:], log[b.off:b.off+int64(b.len)])
				copy(log[b.off:], tmp)
			},
			badID:       tamperTarget + 11,
			wantProblem: "out of sequence",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, evs := filledDir(t, tamperStreams, tamperEvents)
			log := readLog(t, dir)
			rs := records(t, log)
			if len(rs) != tamperEvents {
				t.Fatalf("events.log holds %d records, want %d", len(rs), tamperEvents)
			}
			tc.tamper(t, log, rs)
			writeLog(t, dir, log)

			ro := openStore(t, dir, Options{ReadOnly: true})
			rep, err := eventstore.Verify(context.Background(), ro)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if rep.Bad == nil {
				t.Fatalf("verify found nothing wrong in %d events", rep.Events)
			}
			want := evs[tc.badID-1]
			bad := rep.Bad
			if bad.EventID != want.ID.String() || bad.Position.Commit != tamperTarget || bad.Stream != want.Stream {
				t.Fatalf("verify names %s, want event %s (stream %s) at position %d", bad, want.ID, want.Stream, tamperTarget)
			}
			if !strings.Contains(bad.Problem, tc.wantProblem) {
				t.Fatalf("problem %q does not mention %q", bad.Problem, tc.wantProblem)
			}
			if rep.Events != tamperTarget-1 && rep.Events != tamperTarget {
				t.Fatalf("verify counted %d events before the bad one, want %d", rep.Events, tamperTarget-1)
			}
			closeStore(t, ro)

			s, err := Open(dir, Options{})
			if tc.writable {
				if err != nil {
					t.Fatalf("writable open over a log whose checksums hold: %v", err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("writable open over a damaged log succeeded")
			}
			var ce *eventstore.CorruptError
			if !strings.Contains(err.Error(), "verify") || !errors.As(err, &ce) || ce.Position.Commit != tamperTarget {
				t.Fatalf("writable open refused with %q, want a CorruptError at position %d that points to verify", err, tamperTarget)
			}
		})
	}
}

// A record's length field changed so that the record seems to run past the end of the log looks like a torn
// tail to the scanner. Everything after it, acknowledged long ago, must not silently vanish.
func TestEditedLengthInMidLogIsNotTakenForATornTail(t *testing.T) {
	dir, evs := filledDir(t, tamperStreams, tamperEvents)
	log := readLog(t, dir)
	r := records(t, log)[tamperTarget-1]
	binary.LittleEndian.PutUint32(log[r.off:], uint32(len(log))) // within maxPayload, past the end
	writeLog(t, dir, log)

	ro := openStore(t, dir, Options{ReadOnly: true})
	rep, err := eventstore.Verify(context.Background(), ro)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.Bad == nil || rep.Bad.Position.Commit != tamperTarget {
		t.Errorf("verify reported %+v over %d of %d events, want the event at position %d named", rep.Bad, rep.Events, len(evs), tamperTarget)
	}
	closeStore(t, ro)

	s, err := Open(dir, Options{})
	if err == nil {
		s.Close()
		if got := len(readLog(t, dir)); got < len(log) {
			t.Fatalf("writable open cut events.log from %d to %d bytes, losing %d acknowledged events",
				len(log), got, tamperEvents-tamperTarget+1)
		}
		t.Fatal("writable open over a log with a damaged record in the middle succeeded")
	}
}
