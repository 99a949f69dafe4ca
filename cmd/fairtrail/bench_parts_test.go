package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
)

func TestTakeStreams(t *testing.T) {
	t.Parallel()
	hs := []heldStream{{stream: "a", events: make([]eventstore.Proposed, 3)}, {stream: "b", events: make([]eventstore.Proposed, 2)},
		{stream: "c", events: make([]eventstore.Proposed, 4)}}
	tests := []struct {
		name       string
		n          int
		wantTaken  []string
		wantRemain []string
	}{
		{"none asked takes none", 0, nil, []string{"a", "b", "c"}},
		{"a part of a stream takes it whole", 1, []string{"a"}, []string{"b", "c"}},
		{"exactly two streams", 5, []string{"a", "b"}, []string{"c"}},
		{"more than there are takes all", 100, []string{"a", "b", "c"}, nil},
	}
	names := func(hs []heldStream) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.stream)
		}
		return out
	}
	for _, tt := range tests {
		taken, rest := takeStreams(hs, tt.n)
		if !slices.Equal(names(taken), tt.wantTaken) || !slices.Equal(names(rest), tt.wantRemain) {
			t.Errorf("%s: took %v, left %v; want %v and %v", tt.name, names(taken), names(rest), tt.wantTaken, tt.wantRemain)
		}
	}
}

func TestSampleWorkersLeavesOutUnstoredWorkers(t *testing.T) {
	t.Parallel()
	absent := workersOf([]heldStream{{stream: "worker-w-000001"}, {stream: "worker-w-000002"}})
	sample, err := sampleWorkers(3, 50, 1, absent)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range sample {
		if id != "w-000003" {
			t.Fatalf("sampled %s, which is not stored", id)
		}
	}
	if _, err := sampleWorkers(2, 5, 1, absent); err == nil {
		t.Error("no error when every worker is absent")
	}
	if got := storedWorker(4, absent); got != "w-000003" {
		t.Errorf("storedWorker = %s, want the middle one, w-000003", got)
	}
}

func TestMixedRequestsPerClientIsBounded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ queries, want int }{{1, 10}, {50, 50}, {200, 200}, {2000, 250}} {
		if got := mixedRequestsPerClient(tt.queries); got != tt.want {
			t.Errorf("mixedRequestsPerClient(%d) = %d, want %d", tt.queries, got, tt.want)
		}
	}
}

func TestBenchTextSaysTheInMemoryRebuildWasSkipped(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := benchFigures{Events: 9_000_000, Workers: 600_000, InMemorySkipped: 1, apiFigures: apiFigures{MixedP99Ms: 120}}
	if err := printBench(&out, f, "not built", "/tmp/x"); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "in-memory rebuild and queries") || !strings.Contains(text, "skipped") {
		t.Errorf("no skipped row:\n%s", text)
	}
	if strings.Contains(text, "full rebuild from position 0") || strings.Contains(text, "history worker p99") {
		t.Errorf("rows of the skipped in-memory rebuild printed:\n%s", text)
	}
	if !strings.Contains(text, "120.000 ms") || !strings.Contains(text, "MISSED") {
		t.Errorf("the mixed load's p99 and its verdict missing:\n%s", text)
	}
}

func TestLastStoredNotesTheLastDurableLine(t *testing.T) {
	t.Parallel()
	var l lastStored
	l.Write([]byte("events.ndjson: validated\n"))
	if !l.at().IsZero() {
		t.Fatal("noted a line that is not a durable batch")
	}
	l.Write([]byte("events.ndjson: stored 2000 of 4000 events durably (2000 new)\n"))
	first := l.at()
	l.Write([]byte("events.ndjson: stored 4000 of 4000 events durably (4000 new)\n"))
	if first.IsZero() || l.at().Before(first) {
		t.Errorf("first %v, last %v", first, l.at())
	}
}

func TestCodeCounterCountsOnlyTopLevelFlags(t *testing.T) {
	t.Parallel()
	listing := "[\n  {\n    \"code\": \"a\",\n    \"details\": {\n      \"code\": \"nested\"\n    }\n  },\n" +
		"  {\n    \"code\": \"b\",\n    \"terms\": [\n      {\n        \"code\": \"x\"\n      }\n    ]\n  }\n]\n"
	for _, chunk := range []int{1, 3, 7, len(listing)} {
		var c codeCounter
		for b := []byte(listing); len(b) > 0; {
			k := min(chunk, len(b))
			c.Write(b[:k])
			b = b[k:]
		}
		if c.n != 2 {
			t.Errorf("written %d bytes at a time: counted %d flags, want 2", chunk, c.n)
		}
	}
}

func TestServeLogTailNotesRebuildsAndTheAddress(t *testing.T) {
	t.Parallel()
	l := serveLogTail{addr: make(chan string, 1)}
	l.Write([]byte(`{"level":"INFO","msg":"page tokens signed with a stable key"}` + "\n" +
		`{"level":"INFO","msg":"listening","addr":"127.0.0.1:4000"}` + "\n"))
	if got := <-l.addr; got != "127.0.0.1:4000" {
		t.Errorf("address %q", got)
	}
	if r := l.rebuilds(); len(r) != 0 {
		t.Errorf("rebuilds %v before any was logged", r)
	}
	l.Write([]byte(`{"level":"INFO","msg":"request","path":"/readyz"}` + "\n" +
		`{"level":"INFO","msg":"rebuilding the read model","reason":"written by other rules","head":"9"}` + "\n"))
	if r := l.rebuilds(); !slices.Equal(r, []string{"written by other rules"}) {
		t.Errorf("rebuilds %v, want the one logged", r)
	}
	var out bytes.Buffer
	(&serveChild{logs: &l}).noteRebuilds(&out, "the first serve")
	if !strings.Contains(out.String(), "the first serve rebuilt the read model (written by other rules)") {
		t.Errorf("note %q", out.String())
	}
}
