package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

func TestBatchLaysOutInputOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		streams string // one stream letter per event, in input order
		expect  map[string]eventstore.ExpectedRevision
		want    string // each request as stream:events:expectation
	}{
		{"one stream is one request", "aaa", nil, "a:3:any"},
		{"runs stay in input order", "aabba", nil, "a:2:any b:2:any a:1:any"},
		{"a stream's expectation goes with its first run only", "abab",
			map[string]eventstore.ExpectedRevision{"a": eventstore.NoStream(), "b": eventstore.Exact(4)},
			"a:1:no stream b:1:revision 4 a:1:any b:1:any"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var expect func(string) eventstore.ExpectedRevision
			if tc.expect != nil {
				expect = func(s string) eventstore.ExpectedRevision { return tc.expect[s] }
			}
			b := eventstore.NewBatch(expect)
			for i, s := range tc.streams {
				r, j := b.Add(string(s), eventstore.Proposed{Type: "T"})
				if got := b.Requests[r].Stream; got != string(s) || j != len(b.Requests[r].Events)-1 {
					t.Fatalf("event %d placed at request %d (%s), place %d", i, r, got, j)
				}
			}
			var got []string
			for _, r := range b.Requests {
				got = append(got, fmt.Sprintf("%s:%d:%s", r.Stream, len(r.Events), r.Expected))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("requests %q, want %q", g, tc.want)
			}
		})
	}
}

func TestIDsSettleAnInputsIDs(t *testing.T) {
	t.Parallel()
	admit := func(t *testing.T, line string) eventstore.Admitted {
		t.Helper()
		a, err := eventstore.Admit([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	fresh := domain.EventID{1}
	cases := []struct {
		name  string
		lines []string
		want  string // the last line's error, "" for none
	}{
		{"the same event again is a retry", []string{arrival(uuid(1), "w-1"), arrival(uuid(1), "w-1")}, ""},
		{"a different event under a used id names the first place",
			[]string{arrival(uuid(1), "w-1"), arrival(uuid(2), "w-2"), arrival(uuid(1), "w-3")},
			"event_id: used earlier in this input (at 0) for a different event"},
		{"an event without an id gets a new one", []string{arrival("", "w-1")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids := eventstore.NewIDs(func() (domain.EventID, error) { return fresh, nil },
				func(at int) string { return fmt.Sprintf("at %d", at) })
			var err error
			var a eventstore.Admitted
			for i, line := range tc.lines {
				a = admit(t, line)
				err = ids.Note(&a, i)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.want != "" && (err == nil || !errors.Is(err, domain.ErrInvalid) || err.Error() != tc.want):
				t.Fatalf("error %v, want %q", err, tc.want)
			case a.Event.ID.IsZero():
				t.Fatal("the event has no id")
			}
		})
	}
}

func TestIngestDecides(t *testing.T) {
	t.Parallel()
	refused := errors.New("refused")
	cases := []struct {
		name   string
		decide func(context.Context, []eventstore.Admitted) (map[string]bool, error)
		want   error
	}{
		{"a refusal stores nothing", func(context.Context, []eventstore.Admitted) (map[string]bool, error) {
			return nil, refused
		}, refused},
		{"a stream the input creates must not exist", func(context.Context, []eventstore.Admitted) (map[string]bool, error) {
			return map[string]bool{"worker-w-1": true}, nil
		}, eventstore.ErrConflict},
		{"no decision appends", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			if _, err := eventstore.Import(t.Context(), s, strings.NewReader(arrival(uuid(1), "w-1")), eventstore.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			var in []eventstore.Admitted
			for _, line := range []string{arrival(uuid(2), "w-2"), arrival(uuid(3), "w-1")} {
				a, err := eventstore.Admit([]byte(line))
				if err != nil {
					t.Fatal(err)
				}
				a.Event.RecordedBy = "import"
				in = append(in, a)
			}
			_, err := eventstore.Ingest(t.Context(), s, in, eventstore.IngestOptions{Decide: tc.decide})
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			stored := 0
			for _, err := range s.ReadAll(t.Context(), eventstore.Start) {
				if err != nil {
					t.Fatal(err)
				}
				stored++
			}
			if want := map[bool]int{true: 1, false: 3}[tc.want != nil]; stored != want {
				t.Errorf("%d events stored, want %d: an input is stored whole or not at all", stored, want)
			}
		})
	}
}
