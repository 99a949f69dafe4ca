package embedded

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

var recoveryStreams = []string{"worker-a", "worker-b", "worker-c"}

func TestTornTailIsCutOff(t *testing.T) {
	tests := []struct {
		name string
		// tail returns the bytes a crash left after the last good record, given the log.
		tail func(t *testing.T, log []byte) []byte
	}{
		{
			name: "a few random bytes, shorter than a record header",
			tail: func(t *testing.T, _ []byte) []byte { return randomBytes(t, headerLen-3) },
		},
		{
			name: "a header whose length runs past the end, and part of a payload",
			tail: func(t *testing.T, _ []byte) []byte {
				h := make([]byte, headerLen)
				binary.LittleEndian.PutUint32(h, 400)
				binary.LittleEndian.PutUint32(h[4:], 0xdeadbeef)
				return append(h, randomBytes(t, 150)...)
			},
		},
		{
			name: "the first half of a real record (a group write cut short)",
			tail: func(t *testing.T, log []byte) []byte {
				rs := records(t, log)
				last := rs[len(rs)-1]
				rec := log[last.off : last.off+int64(last.len)]
				return bytes.Clone(rec[:len(rec)/2])
			},
		},
		{
			name: "just a complete header",
			tail: func(t *testing.T, log []byte) []byte {
				rs := records(t, log)
				last := rs[len(rs)-1]
				return bytes.Clone(log[last.off : last.off+headerLen])
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, want := filledDir(t, recoveryStreams, 12)
			good := readLog(t, dir)
			appendToLog(t, dir, tc.tail(t, good))

			ro := openStore(t, dir, Options{ReadOnly: true})
			sameEvents(t, storetest.ReadAll(t, ro, eventstore.Start), want)
			sameStreams(t, ro, want)
			mustVerify(t, ro, len(want))
			closeStore(t, ro)

			var logged bytes.Buffer
			s := openStore(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			if got := readLog(t, dir); !bytes.Equal(got, good) {
				t.Fatalf("events.log is %d bytes after recovery, want the %d bytes before the torn tail", len(got), len(good))
			}
			if q := quarantined(t, dir); len(q) != 0 {
				t.Fatalf("a torn tail was quarantined: %v", q)
			}
			if !strings.Contains(logged.String(), "incomplete record") {
				t.Fatalf("no warning about the cut tail; log: %q", logged.String())
			}
			sameEvents(t, storetest.ReadAll(t, s, eventstore.Start), want)
			continuesChains(t, s, want)
		})
	}
}

func TestDamagedLastRecordIsQuarantined(t *testing.T) {
	tests := []struct {
		name string
		// damage edits the log's last record (at r) and may add bytes after it; it returns the new log.
		damage func(t *testing.T, log []byte, r logRecord) []byte
	}{
		{
			name: "a byte of its data changed",
			damage: func(t *testing.T, log []byte, r logRecord) []byte {
				log[offsetOfUnique(t, log, workerID(12))] ^= 0x01
				return log
			},
		},
		{
			name: "its checksum field changed",
			damage: func(t *testing.T, log []byte, r logRecord) []byte {
				log[r.off+5] ^= 0xff
				return log
			},
		},
		{
			name: "its position field changed",
			damage: func(t *testing.T, log []byte, r logRecord) []byte {
				log[r.off+headerLen+1] ^= 0x40
				return log
			},
		},
		{
			name: "a byte of its data changed, then a torn record after it",
			damage: func(t *testing.T, log []byte, r logRecord) []byte {
				log[offsetOfUnique(t, log, workerID(12))] ^= 0x01
				return append(log, log[r.off:r.off+int64(r.len)/3]...)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, evs := filledDir(t, recoveryStreams, 12)
			log := readLog(t, dir)
			rs := records(t, log)
			last := rs[len(rs)-1]
			log = tc.damage(t, log, last)
			writeLog(t, dir, log)

			var logged bytes.Buffer
			s := openStore(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})

			if got := readLog(t, dir); !bytes.Equal(got, log[:last.off]) {
				t.Fatalf("events.log is %d bytes after recovery, want %d (cut before the damaged record)", len(got), last.off)
			}
			q := quarantined(t, dir)
			if len(q) != 1 {
				t.Fatalf("quarantine files %v, want one", q)
			}
			moved, err := os.ReadFile(q[0])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(moved, log[last.off:]) {
				t.Fatalf("%s holds %d bytes, want the %d damaged bytes cut off", q[0], len(moved), len(log)-int(last.off))
			}
			if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "last record failed its checksum; moved to quarantine") {
				t.Fatalf("no quarantine warning; log: %q", logged.String())
			}

			want := evs[:len(evs)-1]
			sameEvents(t, storetest.ReadAll(t, s, eventstore.Start), want)
			continuesChains(t, s, want)
		})
	}
}

// A crash can leave zeros where an extending write's data never reached the disk (the size did). That is an
// incomplete record at the end as much as a torn one, and cutting it off loses nothing acknowledged.
func TestZeroFilledTailIsCutOff(t *testing.T) {
	dir, want := filledDir(t, recoveryStreams, 5)
	appendToLog(t, dir, make([]byte, 64))
	s := openStore(t, dir, Options{})
	sameEvents(t, storetest.ReadAll(t, s, eventstore.Start), want)
	continuesChains(t, s, want)
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
