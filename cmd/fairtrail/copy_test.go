package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/notes"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// generatedStore imports a generated dataset into a new embedded store and returns its directory. The import
// runs in the shipped binary: it only fills the store the test starts from (the import is watched under -race
// by its own tests).
func generatedStore(t *testing.T, workers int, seed int64) string {
	t.Helper()
	file := generatedNDJSON(t, workers, seed)
	dir := filepath.Join(t.TempDir(), "data")
	runBin(t, fairtrailBinary(t), "import", "--progress", "none", "--data", dir, file)
	return dir
}

func readEmbedded(t *testing.T, dir string) []eventstore.Recorded {
	t.Helper()
	s, err := embedded.Open(dir, embedded.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return storetest.ReadAll(t, s, eventstore.Start)
}

// TestCopyRoundTrip copies a generated store embedded -> KurrentDB -> embedded. Both copies must verify, the
// final store must hold the very events of the first (ids, order, streams, revisions, hashes, recorded_at,
// recorded_by, positions), and every query must answer the same on all three.
func TestCopyRoundTrip(t *testing.T) {
	t.Parallel()
	src := generatedStore(t, 300, 11)
	kept, erased := putNotes(t, src)
	srv := startKurrentChild(t, 7)
	back, cache := filepath.Join(t.TempDir(), "back"), t.TempDir()
	for _, step := range [][]string{
		{"copy", "--from", src, "--to", srv.URL(), "--to-cache", cache, "--batch", "500"},
		{"copy", "--from", srv.URL(), "--from-cache", cache, "--to", back},
	} {
		code, out, errOut := cliEnv(t, nil, step...)
		if code != 0 || !strings.Contains(out, "every hash matches the source") || !strings.Contains(errOut, "events copied") ||
			!strings.Contains(out, "1 notes (1 worker links), 1 erasures applied") {
			t.Fatalf("%v: exit %d\n%s%s", step, code, out, errOut)
		}
	}
	checkNotes(t, back, kept, erased)
	// The copies are made in-process, under the race detector; the checks of what they hold run in the shipped
	// binary, as they only produce the answers compared.
	bin := fairtrailBinary(t)
	for _, where := range [][]string{{"--data", back}, {"--store", srv.URL()}} {
		runBin(t, bin, append([]string{"verify"}, where...)...)
	}
	want, got := readEmbedded(t, src), readEmbedded(t, back)
	if len(got) != len(want) || len(want) < 4000 {
		t.Fatalf("copied %d events of %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Revision != w.Revision || g.Position != w.Position || g.Hash != w.Hash ||
			!g.RecordedAt.Equal(w.RecordedAt) || g.RecordedBy != w.RecordedBy || !g.OccurredAt.Equal(w.OccurredAt) ||
			g.Type != w.Type || string(g.Data) != string(w.Data) {
			t.Fatalf("event %d differs after the round trip:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// The KurrentDB copy's read model is built once, by the first query, in a cache of its own (as a serve
	// replica keeps one), and the other two read it, as the data directories' queries read theirs.
	kcache := t.TempDir()
	for _, q := range [][]string{{"flags", "--format", "json"}, {"history", "worker", "w-000042", "--format", "json"},
		{"audit", "--by", "job-order", "--known-at", "2030-01-01", "--format", "csv"}} {
		a := string(runBin(t, bin, append(q, "--data", src)...))
		b := string(runBin(t, bin, append(q, "--data", back)...))
		k := string(runBin(t, bin, append(q, "--store", srv.URL(), "--cache", kcache)...))
		if a == "" || a != b || stripPositions(a) != stripPositions(k) {
			t.Fatalf("%v answers differently on the copies", q)
		}
	}
}

// putNotes saves two notes in a data directory's note store and erases the second.
func putNotes(t *testing.T, dir string) (kept, erased string) {
	t.Helper()
	ctx := context.Background()
	s, err := notes.Open(dir, notes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if kept, err = s.Put(ctx, "w-000042", "The agent took 40,000 NPR in cash."); err != nil {
		t.Fatal(err)
	}
	if erased, err = s.Put(ctx, "w-000043", "My passport is with the supervisor."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseNote(ctx, erased, notes.Request{By: "operator", Reason: "the worker asked"}); err != nil {
		t.Fatal(err)
	}
	return kept, erased
}

// checkNotes checks that a data directory's note store holds the note kept and journals the one erased.
func checkNotes(t *testing.T, dir, kept, erased string) {
	t.Helper()
	ctx := context.Background()
	s, err := notes.Open(dir, notes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Get(ctx, kept); err != nil || n.Text != "The agent took 40,000 NPR in cash." || n.Workers[0] != "w-000042" {
		t.Errorf("the kept note after the copies: %+v, %v", n, err)
	}
	if _, err := s.Get(ctx, erased); !errors.Is(err, notes.ErrErased) {
		t.Errorf("the erased note after the copies: %v, want erased", err)
	}
}

// stripPositions drops the "position" lines of JSON output: positions are the backend's own.
func stripPositions(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, `"position":`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// failingStore fails AppendBatch after some calls, as an interrupted copy would stop.
type failingStore struct {
	eventstore.Store
	left int
}

var errInterrupted = errors.New("interrupted")

func (f *failingStore) AppendBatch(ctx context.Context, reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	if f.left--; f.left < 0 {
		return nil, errInterrupted
	}
	return f.Store.AppendBatch(ctx, reqs)
}

// TestCopyResumes interrupts a copy into KurrentDB after three batches; the same command then finds those
// events in the destination, copies only the rest, and the result verifies.
func TestCopyResumes(t *testing.T) {
	t.Parallel()
	src := generatedStore(t, 60, 5)
	srv := startKurrentChild(t, 0)
	from, err := endpoint(src, "", environment{getenv: func(string) string { return "" }, stderr: io.Discard}).open(true)
	if err != nil {
		t.Fatal(err)
	}
	to, err := endpoint(srv.URL(), "", environment{getenv: func(string) string { return "" }, stderr: io.Discard}).open(false)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := copyStore(context.Background(), from, &failingStore{Store: to, left: 3}, copyOptions{batch: 100, progress: func(copyReport, bool) {}})
	from.Close()
	to.Close()
	if !errors.Is(err, errInterrupted) || rep.copied != 300 {
		t.Fatalf("interrupted copy: %+v, %v", rep, err)
	}
	code, out, errOut := cliEnv(t, nil, "copy", "--from", src, "--to", srv.URL())
	total := len(readEmbedded(t, src))
	if stored := srv.Events(t); code != 0 || !strings.Contains(out, "(300 already in the destination)") || stored != total {
		t.Fatalf("resumed copy: exit %d, %d of %d events in the destination\n%s%s", code, stored, total, out, errOut)
	}
	if code, _, errOut := cliEnv(t, nil, "verify", "--store", srv.URL()); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := cliEnv(t, nil, "copy", "--from", src, "--to", srv.URL()); code != 0 || !strings.Contains(out, "copied 0 events") {
		t.Fatalf("a finished copy run again: exit %d, %s", code, out)
	}
}

func TestCopyRefusesAStoreThatIsNotACopy(t *testing.T) {
	t.Parallel()
	src := generatedStore(t, 20, 1)
	other := generatedStore(t, 20, 2)
	before := len(readEmbedded(t, other))
	code, _, errOut := cliEnv(t, nil, "copy", "--from", src, "--to", other)
	if code != 1 || !strings.Contains(errOut, "not a copy of the source") {
		t.Fatalf("copy into another store: exit %d, %s", code, errOut)
	}
	if n := len(readEmbedded(t, other)); n != before {
		t.Fatalf("the destination went from %d to %d events", before, n)
	}
	for _, args := range [][]string{
		{"copy", "--from", src},
		{"copy", "--from", src, "--to", src + "/"},
		{"copy", "--from", src, "--to", t.TempDir(), "--batch", "0"},
		{"copy", "--from", "mysql://root:pw@db/x", "--to", t.TempDir()},
		{"copy", "--from", src, "--to", t.TempDir(), "--to-cache", t.TempDir()},            // a data directory has no cache
		{"copy", "--from", src, "--to", "esdb://127.0.0.1:1?tls=false", "--to-cache", src}, // both notes in src
	} {
		if code, _, errOut := cliEnv(t, nil, args...); code != 2 {
			t.Fatalf("%v: exit %d, want a usage error: %s", args, code, errOut)
		}
	}
	if code, _, errOut := cliEnv(t, nil, "copy", "--from", filepath.Join(t.TempDir(), "none"), "--to", t.TempDir()); code != 1 ||
		!strings.Contains(errOut, "no data directory") { // the directory does not exist
		t.Fatalf("copy from a missing store: exit %d, %s", code, errOut)
	}
}

// TestCopyRefusesATamperedSource puts an event with a forged hash into a KurrentDB store, as someone with
// write access to the database could: copy must refuse it rather than give it a valid chain in the copy.
func TestCopyRefusesATamperedSource(t *testing.T) {
	t.Parallel()
	srv := startKurrentChild(t, 0)
	if code, _, errOut := cliEnv(t, nil, "import", "--store", srv.URL(), "testdata/scenario.ndjson"); code != 0 {
		t.Fatal(errOut)
	}
	conf, err := esdb.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	forged := esdb.EventData{EventID: uuid.New(), EventType: "WorkerArrived", ContentType: esdb.ContentTypeJson,
		Data: []byte(`{"country":"MY","worker_id":"w-1"}`),
		Metadata: []byte(`{"fairtrail":1,"occurred_at":"2024-05-01T00:00:00Z","recorded_at":"2024-05-01T00:00:00Z",` +
			`"recorded_by":"import","hash":"` + strings.Repeat("0", 64) + `"}`)}
	if _, err := c.AppendToStream(context.Background(), "worker-w-1", esdb.AppendToStreamOptions{}, forged); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	code, _, errOut := cliEnv(t, nil, "copy", "--from", srv.URL(), "--to", dst)
	if code != 1 || !strings.Contains(errOut, forged.EventID.String()+" in worker-w-1 fails its hash chain") {
		t.Fatalf("copy of a tampered store: exit %d, %s", code, errOut)
	}
	if n := len(readEmbedded(t, dst)); n != 0 {
		t.Fatalf("%d events copied from a tampered store in one batch", n)
	}
}
