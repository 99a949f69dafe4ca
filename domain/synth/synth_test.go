package synth_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// generate runs Generate and returns its output.
func generate(t testing.TB, opts synth.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := synth.Generate(&buf, opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	if lines := bytes.Count(buf.Bytes(), []byte{'\n'}); lines != n {
		t.Fatalf("Generate returned %d events but wrote %d lines", n, lines)
	}
	return buf.Bytes()
}

// lines splits NDJSON output into lines without their newlines.
func lines(out []byte) [][]byte {
	var ls [][]byte
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		ls = append(ls, bytes.Clone(sc.Bytes()))
	}
	return ls
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b synth.Options
		same bool
	}{
		{"same seed gives the same bytes", synth.Options{Workers: 300, Seed: 7}, synth.Options{Workers: 300, Seed: 7}, true},
		{"zero start is 2023-01-01", synth.Options{Workers: 50, Seed: 3}, synth.Options{Workers: 50, Seed: 3, Start: start}, true},
		{"start in another zone is the same instant", synth.Options{Workers: 50, Seed: 3, Start: start},
			synth.Options{Workers: 50, Seed: 3, Start: start.In(time.FixedZone("NPT", 5*3600+45*60))}, true},
		{"different seeds differ", synth.Options{Workers: 300, Seed: 7}, synth.Options{Workers: 300, Seed: 8}, false},
		{"different starts differ", synth.Options{Workers: 50, Seed: 3}, synth.Options{Workers: 50, Seed: 3,
			Start: start.AddDate(1, 0, 0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := generate(t, tt.a), generate(t, tt.b)
			if got := bytes.Equal(a, b); got != tt.same {
				t.Errorf("outputs equal = %v, want %v (%d and %d bytes)", got, tt.same, len(a), len(b))
			}
		})
	}
}

func TestGenerateWritesValidEnvelopes(t *testing.T) {
	t.Parallel()
	opts := synth.Options{Workers: 2000, Seed: 42}
	out := generate(t, opts)
	envs := events(t, opts)
	ls := lines(out)
	if len(ls) != len(envs) {
		t.Fatalf("Generate wrote %d lines, Events returned %d envelopes", len(ls), len(envs))
	}
	seen := make(map[domain.EventID]int, len(ls))
	for i, line := range ls {
		env, err := domain.Decode(line)
		if err != nil {
			t.Fatalf("line %d does not decode: %v\n%s", i+1, err, line)
		}
		if env.EventID.IsZero() {
			t.Fatalf("line %d has no event_id", i+1)
		}
		if prev, dup := seen[env.EventID]; dup {
			t.Fatalf("line %d repeats the event_id of line %d: %s", i+1, prev, env.EventID)
		}
		seen[env.EventID] = i + 1
		if want, err := domain.EncodeData(env.Event); err != nil || !bytes.HasSuffix(line, append(want, '}')) {
			t.Fatalf("line %d's data is not domain.EncodeData's (%v):\n%s\nwant data %s", i+1, err, line, want)
		}
		if e := envs[i]; e.EventID != env.EventID || e.Type != env.Type || !e.OccurredAt.Equal(env.OccurredAt) {
			t.Fatalf("Events()[%d] = %s %s %s, line %d has %s %s %s", i, e.EventID, e.Type, e.OccurredAt,
				i+1, env.EventID, env.Type, env.OccurredAt)
		}
	}
}

func TestGenerateUsesV7IDsFromOccurredAt(t *testing.T) {
	t.Parallel()
	envs := events(t, synth.Options{Workers: 100, Seed: 5})
	for _, e := range envs {
		if e.EventID[6]>>4 != 7 || e.EventID[8]>>6 != 2 {
			t.Fatalf("event %s is not a UUIDv7", e.EventID)
		}
		ms := int64(e.EventID[0])<<40 | int64(e.EventID[1])<<32 | int64(e.EventID[2])<<24 |
			int64(e.EventID[3])<<16 | int64(e.EventID[4])<<8 | int64(e.EventID[5])
		if ms != e.OccurredAt.UnixMilli() {
			t.Fatalf("event %s carries time %d ms, occurred_at is %d ms", e.EventID, ms, e.OccurredAt.UnixMilli())
		}
	}
}

func TestGenerateStaysWithinThreeYears(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start time.Time
	}{
		{"default start", time.Time{}},
		{"start in 2030", time.Date(2030, 6, 15, 8, 30, 0, 0, time.UTC)},
		{"start before the national rules", time.Date(2012, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			envs := events(t, synth.Options{Workers: 500, Seed: 11, Start: tt.start})
			from := tt.start
			if from.IsZero() {
				from = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			to := from.AddDate(3, 0, 0)
			for _, e := range envs {
				if e.OccurredAt.Before(from) || !e.OccurredAt.Before(to) {
					t.Fatalf("%s %s occurred at %s, outside [%s, %s)", e.Type, e.Stream(), e.OccurredAt, from, to)
				}
			}
		})
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts synth.Options
	}{
		{"no workers", synth.Options{Workers: 0}},
		{"negative workers", synth.Options{Workers: -3}},
		{"start before 1900", synth.Options{Workers: 10, Start: time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"start after 2190", synth.Options{Workers: 10, Start: time.Date(2195, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := synth.Generate(&buf, tt.opts)
			if !errors.Is(err, synth.ErrInvalidOptions) {
				t.Errorf("Generate error = %v, want ErrInvalidOptions", err)
			}
			if n != 0 || buf.Len() != 0 {
				t.Errorf("Generate wrote %d events (%d bytes) for invalid options", n, buf.Len())
			}
			if _, err := synth.Events(tt.opts); !errors.Is(err, synth.ErrInvalidOptions) {
				t.Errorf("Events error = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

// failingWriter accepts limit bytes, then fails.
type failingWriter struct{ limit int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errDiskFull
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestGenerateReportsWriteErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit int
	}{
		{"fails at once", 0},
		{"fails mid-way", 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := synth.Generate(&failingWriter{limit: tt.limit}, synth.Options{Workers: 2000, Seed: 1})
			if !errors.Is(err, errDiskFull) {
				t.Errorf("Generate error = %v, want %v", err, errDiskFull)
			}
		})
	}
}

// sharedEvents memoises Events by options: several tests read the same 2,000-worker datasets, and under -race
// each generation costs seconds. The envelopes are shared, so tests must only read them.
var sharedEvents sync.Map // synth.Options -> *eventsOnce

type eventsOnce struct {
	once sync.Once
	envs []domain.Envelope
	err  error
}

// events returns Events(opts), computed once per test run.
func events(t testing.TB, opts synth.Options) []domain.Envelope {
	t.Helper()
	v, _ := sharedEvents.LoadOrStore(opts, &eventsOnce{})
	e := v.(*eventsOnce)
	e.once.Do(func() { e.envs, e.err = synth.Events(opts) })
	if e.err != nil {
		t.Fatalf("Events(%+v): %v", opts, e.err)
	}
	return e.envs
}

// BenchmarkGenerate measures generation speed in events per second (single goroutine, output discarded).
func BenchmarkGenerate(b *testing.B) {
	opts := synth.Options{Workers: 10_000, Seed: 1}
	total := 0
	for b.Loop() {
		n, err := synth.Generate(io.Discard, opts)
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "events/op")
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}
