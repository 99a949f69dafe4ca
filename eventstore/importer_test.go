package eventstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

func arrival(id, worker string) string {
	idField := ""
	if id != "" {
		idField = `"event_id":"` + id + `",`
	}
	return `{` + idField + `"type":"WorkerArrived","occurred_at":"2025-04-01T12:00:00Z","data":{"worker_id":"` + worker + `","country":"MY"}}`
}

func uuid(n int) string { return fmt.Sprintf("0190b6a4-0000-7000-8000-%012d", n) }

func openStore(t *testing.T) eventstore.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestImport(t *testing.T) {
	many := func(n, badAt int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if i == badAt {
				b.WriteString(`{"type":"WorkerArrived","occurred_at":"2025-04-01T12:00:00Z","data":{"worker_id":"w1","country":"XX"}}` + "\n")
				continue
			}
			b.WriteString(arrival(uuid(i), fmt.Sprintf("w%d", i%7)) + "\n")
		}
		return b.String()
	}
	cases := []struct {
		name                           string
		input                          string
		appended, duplicates, rejected int
		badLine                        int
		badPath                        string
	}{
		{"valid lines are stored", arrival(uuid(1), "w1") + "\n" + arrival(uuid(2), "w2") + "\n", 2, 0, 0, 0, ""},
		{"blank lines are skipped and still counted", "\n" + arrival(uuid(1), "w1") + "\n  \n", 1, 0, 0, 0, ""},
		{"the same event twice in one input is stored once", arrival(uuid(1), "w1") + "\n" + arrival(uuid(1), "w1") + "\n", 1, 1, 0, 0, ""},
		{"events without an id get one", arrival("", "w1") + "\n" + arrival("", "w1") + "\n", 2, 0, 0, 0, ""},
		{"an id reused for a different event rejects the input", arrival(uuid(1), "w1") + "\n" + arrival(uuid(1), "w2") + "\n", 0, 0, 1, 2, "event_id"},
		{"a bad line far into the input is named by its number", many(1000, 777), 0, 0, 1, 777, "data.country"},
		{"a large valid input is stored in order", many(1000, 0), 1000, 0, 0, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			rep, err := eventstore.Import(context.Background(), s, strings.NewReader(tc.input), eventstore.ImportOptions{BatchSize: 64})
			if tc.rejected > 0 {
				if !errors.Is(err, eventstore.ErrRejected) || !errors.Is(err, domain.ErrInvalid) {
					t.Fatalf("err = %v, want ErrRejected and ErrInvalid", err)
				}
				if len(rep.Errors) == 0 || rep.Errors[0].Line != tc.badLine || rep.Errors[0].Fields[0].Path != tc.badPath {
					t.Fatalf("errors %+v, want line %d path %s", rep.Errors, tc.badLine, tc.badPath)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if rep.Appended != tc.appended || rep.Duplicates != tc.duplicates || rep.Rejected != tc.rejected {
				t.Fatalf("report %+v, want appended %d duplicates %d rejected %d", rep, tc.appended, tc.duplicates, tc.rejected)
			}
			if got := len(storetest.ReadAll(t, s, eventstore.Start)); got != tc.appended {
				t.Fatalf("store holds %d events, want %d", got, tc.appended)
			}
		})
	}
}

func TestImportKeepsFileOrderAndIsIdempotent(t *testing.T) {
	in := arrivals(3000, 11)
	s := openStore(t)
	if _, err := eventstore.Import(context.Background(), s, bytes.NewReader(in), eventstore.ImportOptions{Workers: 3}); err != nil {
		t.Fatal(err)
	}
	for i, rec := range storetest.ReadAll(t, s, eventstore.Start) {
		if rec.ID.String() != uuid(i+1) || rec.RecordedBy != "import" {
			t.Fatalf("event %d is %s recorded by %q, want %s by import", i, rec.ID, rec.RecordedBy, uuid(i+1))
		}
	}
	rep, err := eventstore.Import(context.Background(), s, bytes.NewReader(in), eventstore.ImportOptions{})
	if err != nil || rep.Appended != 0 || rep.Duplicates != 3000 {
		t.Fatalf("second import: %+v, %v", rep, err)
	}
}

func TestImportStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := eventstore.Import(ctx, openStore(t), strings.NewReader(arrival(uuid(1), "w1")+"\n"), eventstore.ImportOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestImportRecordedBy: an import records under the recorder given, an interview's provenance included, and
// refuses one that is not a recorder, storing nothing.
func TestImportRecordedBy(t *testing.T) {
	cases := []struct {
		name, recordedBy string
		ok               bool
	}{
		{"the command line's default", "", true},
		{"an organisation", "aud-1", true},
		{"an auditor's interview", "interview:aud-1", true},
		{"an interview naming nobody", "interview:", false},
		{"an interview of the worker", "interview:worker", false},
		{"an id with a space", "aud 1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			_, err := eventstore.Import(context.Background(), s, strings.NewReader(arrival(uuid(1), "w1")+"\n"),
				eventstore.ImportOptions{RecordedBy: tc.recordedBy})
			recs := storetest.ReadAll(t, s, eventstore.Start)
			switch {
			case tc.ok && (err != nil || len(recs) != 1):
				t.Fatalf("import: %v, %d events stored", err, len(recs))
			case tc.ok && tc.recordedBy != "" && recs[0].RecordedBy != tc.recordedBy:
				t.Errorf("recorded_by %q, want %q", recs[0].RecordedBy, tc.recordedBy)
			case !tc.ok && (!errors.Is(err, domain.ErrInvalid) || len(recs) != 0):
				t.Errorf("import: %v with %d events stored, want ErrInvalid and nothing stored", err, len(recs))
			}
		})
	}
}

// TestImportWorkerLinkReports: a report through the worker's own link is imported only as recorded by "worker";
// under another recorder its line is rejected naming data.channel, and nothing is stored.
func TestImportWorkerLinkReports(t *testing.T) {
	report := `{"event_id":"` + uuid(2) + `","type":"WorkerReported","occurred_at":"2025-04-02T12:00:00Z",` +
		`"data":{"worker_id":"w1","report_id":"r1","kind":"threat","channel":"worker_link","language":"ne"}}` + "\n"
	for _, tc := range []struct {
		recordedBy string
		stored     int
	}{{"worker", 1}, {"import", 0}, {"union-1", 0}} {
		t.Run(tc.recordedBy, func(t *testing.T) {
			s := openStore(t)
			rep, err := eventstore.Import(context.Background(), s, strings.NewReader(report),
				eventstore.ImportOptions{RecordedBy: tc.recordedBy})
			if got := len(storetest.ReadAll(t, s, eventstore.Start)); got != tc.stored {
				t.Fatalf("%d events stored, want %d (%v)", got, tc.stored, err)
			}
			if tc.stored == 0 && (!errors.Is(err, eventstore.ErrRejected) || rep.Errors[0].Fields[0].Path != "data.channel") {
				t.Errorf("import: %v %+v, want line 1 rejected at data.channel", err, rep.Errors)
			}
		})
	}
}

// spoolWatcher is an import's input that, once the import is reading it, looks into the spool directory.
type spoolWatcher struct {
	io.Reader
	dir     string
	entries []string
	looked  bool
}

func (w *spoolWatcher) Read(p []byte) (int, error) {
	if !w.looked {
		w.looked = true
		des, err := os.ReadDir(w.dir)
		if err != nil {
			return 0, err
		}
		for _, de := range des {
			w.entries = append(w.entries, de.Name())
		}
	}
	return w.Reader.Read(p)
}

// TestImportLeavesNoSpoolToBeKilledWith checks that the spool holding an import's validated input has no name
// while the import runs, so that an import killed midway leaves no copy of its input in the spool directory.
func TestImportLeavesNoSpoolToBeKilledWith(t *testing.T) {
	dir := t.TempDir()
	in := &spoolWatcher{Reader: strings.NewReader(arrival(uuid(1), "w1") + "\n" + arrival(uuid(2), "w2") + "\n"), dir: dir}
	rep, err := eventstore.Import(t.Context(), openStore(t), in, eventstore.ImportOptions{SpoolDir: dir})
	if err != nil || rep.Appended != 2 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if !in.looked || len(in.entries) != 0 {
		t.Errorf("while the import read its input, the spool directory held %q (looked: %v), want nothing", in.entries, in.looked)
	}
	if des, err := os.ReadDir(dir); err != nil || len(des) != 0 {
		t.Errorf("after the import the spool directory holds %v (%v), want nothing", des, err)
	}
}
