package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestBenchDataKeepsTheModelTheImportBuilt: the mixed bench's data (import the head, append the held-back
// events not the load's) leaves the model that `fairtrail import` built to be caught up, not rebuilt, as a
// user's import then serve does. The generator writes its rates tables last, inside the held-back tail; they
// used to be appended after the import, and a rates table makes the next catch-up rebuild the whole model
// (at 600,000 workers, ten minutes of the bench's serve).
func TestBenchDataKeepsTheModelTheImportBuilt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "events.ndjson")
	d, err := prepareData(file, 200, 1, heldBack{mixed: 300})
	if err != nil {
		t.Fatal(err)
	}
	wantRates := bytes.Count(readFile(t, generatedNDJSON(t, 200, 1)), []byte(`"type":"ExchangeRatesPublished"`))
	imported := readFile(t, file)
	if got := bytes.Count(imported, []byte(`"type":"ExchangeRatesPublished"`)); wantRates == 0 || got != wantRates {
		t.Errorf("the import file holds %d rates tables, the dataset %d (want all, and some)", got, wantRates)
	}
	if n := bytes.Count(imported, []byte("\n")); n != d.importEvents || int64(len(imported)) != d.importBytes {
		t.Errorf("the import file holds %d lines, %d bytes; the data says %d events, %d bytes", n, len(imported),
			d.importEvents, d.importBytes)
	}
	if len(d.rest) == 0 {
		t.Error("no job order's event held back: the test no longer covers a catch-up of one")
	}
	for _, r := range d.rest {
		if !strings.HasPrefix(r.Stream, "joborder-") {
			t.Errorf("held back for an append after the import: %s, not a job order's stream", r.Stream)
		}
	}
	if n := countEvents(d.held) + countEvents(d.mixed) + eventsOf(d.rest) + d.importEvents; n != d.events {
		t.Errorf("%d events stored or held, %d generated: each must be stored once", n, d.events)
	}

	store := filepath.Join(dir, "store")
	if code, _, errOut := cli(t, "", "import", "--data", store, file); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	env := environment{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	if err := appendHeld(ctx, store, d, env); err != nil {
		t.Fatal(err)
	}
	res := catchUpModel(t, store)
	if res.Rebuilt || res.Applied != countEvents(d.held)+eventsOf(d.rest) {
		t.Errorf("the next catch-up after the bench's appends: rebuilt %v (%s), applied %d; want %d applied, no rebuild",
			res.Rebuilt, res.Reason, res.Applied, countEvents(d.held)+eventsOf(d.rest))
	}
}

// eventsOf counts the events of append requests.
func eventsOf(reqs []eventstore.AppendRequest) int {
	n := 0
	for _, r := range reqs {
		n += len(r.Events)
	}
	return n
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// catchUpModel catches up the read model in the data directory store with it, as the next command would.
func catchUpModel(t *testing.T, store string) readmodel.Result {
	t.Helper()
	s, err := embedded.Open(store, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := readmodel.Open(store, readmodel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	res, err := m.CatchUp(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
