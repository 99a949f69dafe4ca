package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
)

// ingestOutcome is what one ingest path made of an input, in terms every path can state: whether it was
// stored, refused as invalid (each problem as "#EVENT PATH: PROBLEM", EVENT counting from 0 in the input) or
// refused as a reuse of a stored id, and how many events each stream of the input then holds.
type ingestOutcome struct {
	Result   string // "stored", "invalid" or "event_id_reused"
	Problems []string
	Streams  map[string]int
}

// ingestPath sends one input (envelopes in order) through one of the three front ends.
type ingestPath struct {
	name string
	send func(t *testing.T, f *fixture, envs []map[string]any) ingestOutcome
}

// TestIngestPathsAgree runs the same bad and duplicate inputs through `fairtrail import` (eventstore.Import, as
// the command calls it), POST /v1/import and POST /v1/events (admin keys: the tenant scope is the API's own
// decision on top), and requires the same outcome and the same problems, named at the same event and field.
func TestIngestPathsAgree(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	paths := []ingestPath{{"fairtrail import", importDirect}, {"POST /v1/import", importRoute}, {"POST /v1/events", postRoute}}
	// Each input is made for one path (k) so that the paths' ids and streams never meet; before is stored first.
	cases := []struct {
		name   string
		before func(k int) []map[string]any
		input  func(k int) []map[string]any
		want   ingestOutcome
	}{
		{"a bad field refuses the whole input", nil,
			func(k int) []map[string]any { return []map[string]any{org(k*100+1, "a1"), org(k*100+2, "bad id!")} },
			ingestOutcome{Result: "invalid", Problems: []string{"#1 data.org_id: must be letters, digits and . _ - : @ only, starting with a letter or digit"}, Streams: map[string]int{"org-a1": 0}}},
		{"an unknown type and a missing time are named at their events", nil,
			func(k int) []map[string]any {
				unknown, untimed := org(k*100+11, "b2"), org(k*100+12, "b3")
				unknown["type"] = "OrganisationRenamed"
				delete(untimed, "occurred_at")
				return []map[string]any{org(k*100+10, "b1"), unknown, untimed}
			},
			ingestOutcome{Result: "invalid", Problems: []string{
				`#1 type: unknown event type "OrganisationRenamed"`, "#2 occurred_at: required (RFC 3339 date-time, e.g. 2025-03-04T09:00:00Z)"}, Streams: map[string]int{"org-b1": 0}}},
		{"an id used twice in the input for different events", nil,
			func(k int) []map[string]any {
				again := org(k*100+20, "c2")
				return []map[string]any{org(k*100+20, "c1"), again}
			},
			ingestOutcome{Result: "invalid", Problems: []string{"#1 event_id: used earlier in this input (#0) for a different event"},
				Streams: map[string]int{"org-c1": 0, "org-c2": 0}}},
		{"the same event twice in the input is stored once", nil,
			func(k int) []map[string]any { return []map[string]any{org(k*100+30, "d1"), org(k*100+30, "d1")} },
			ingestOutcome{Result: "stored", Streams: map[string]int{"org-d1": 1}}},
		{"an event already stored is stored once", func(k int) []map[string]any { return []map[string]any{org(k*100+40, "e1")} },
			func(k int) []map[string]any { return []map[string]any{org(k*100+40, "e1"), org(k*100+41, "e2")} },
			ingestOutcome{Result: "stored", Streams: map[string]int{"org-e1": 1, "org-e2": 1}}},
		{"a stored id for a different event stores nothing", func(k int) []map[string]any { return []map[string]any{org(k*100+50, "f1")} },
			func(k int) []map[string]any { return []map[string]any{org(k*100+51, "f2"), org(k*100+50, "f3")} },
			ingestOutcome{Result: "event_id_reused", Streams: map[string]int{"org-f2": 0, "org-f3": 0}}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, p := range paths {
				k := 1000*(i+1) + 10*k
				if tc.before != nil {
					if got := importDirect(t, f, suffixed(tc.before(k), k)); got.Result != "stored" {
						t.Fatalf("storing what goes before: %+v", got)
					}
				}
				got := p.send(t, f, suffixed(tc.input(k), k))
				if got.Result == "stored" || tc.want.Streams != nil {
					got.Streams = streamCounts(f, tc.want.Streams, k)
				}
				if want := tc.want; !equalOutcome(got, want) {
					t.Errorf("%s: %+v, want %+v", p.name, got, want)
				}
			}
		})
	}
}

// suffixed gives the org ids of an input the suffix k, so that each path writes its own streams.
func suffixed(envs []map[string]any, k int) []map[string]any {
	out := make([]map[string]any, len(envs))
	for i, e := range envs {
		c := map[string]any{}
		for key, v := range e {
			c[key] = v
		}
		if data, ok := e["data"].(map[string]any); ok && data["org_id"] != "bad id!" {
			d := map[string]any{}
			for key, v := range data {
				d[key] = v
			}
			d["org_id"] = fmt.Sprintf("%s-%d", data["org_id"], k)
			c["data"] = d
		}
		out[i] = c
	}
	return out
}

// streamCounts counts the events of the wanted streams for the paths' suffix k.
func streamCounts(f *fixture, want map[string]int, k int) map[string]int {
	got := map[string]int{}
	for stream := range want {
		got[stream] = f.streamLen(stream + "-" + strconv.Itoa(k))
	}
	return got
}

func equalOutcome(a, b ingestOutcome) bool {
	if a.Result != b.Result || !slices.Equal(a.Problems, b.Problems) || len(a.Streams) != len(b.Streams) {
		return false
	}
	for s, n := range b.Streams {
		if a.Streams[s] != n {
			return false
		}
	}
	return true
}

// linePlace turns an import's "(line N)" into the input's "(#N-1)", and eventPlace a request's "([N])".
var (
	linePlace  = regexp.MustCompile(`\(line (\d+)\)`)
	eventPlace = regexp.MustCompile(`\(\[(\d+)\]\)`)
	eventPath  = regexp.MustCompile(`^\[(\d+)\]\.?(.*)$`)
)

func lineProblems(lines []eventstore.LineError) []string {
	var out []string
	for _, le := range lines {
		for _, fe := range le.Fields {
			problem := linePlace.ReplaceAllStringFunc(fe.Problem, func(m string) string {
				n, _ := strconv.Atoi(linePlace.FindStringSubmatch(m)[1])
				return "(#" + strconv.Itoa(n-1) + ")"
			})
			out = append(out, fmt.Sprintf("#%d %s: %s", le.Line-1, fe.Path, problem))
		}
	}
	return out
}

// importDirect is `fairtrail import`: the command hands the file to eventstore.Import.
func importDirect(t *testing.T, f *fixture, envs []map[string]any) ingestOutcome {
	t.Helper()
	rep, err := eventstore.Import(t.Context(), f.store, bytes.NewReader(ndjson(t, envs...)), eventstore.ImportOptions{})
	switch {
	case errors.Is(err, eventstore.ErrRejected) && rep.Reused < rep.Rejected:
		return ingestOutcome{Result: "invalid", Problems: lineProblems(rep.Errors)}
	case errors.Is(err, eventstore.ErrRejected), errors.Is(err, eventstore.ErrEventIDReused):
		// Lines refused only for event_ids stored for different events (the command names them
		// FILE:LINE: event_id), or a clash met as the events were stored.
		return ingestOutcome{Result: "event_id_reused"}
	case err != nil:
		t.Fatalf("import: %v", err)
	}
	return ingestOutcome{Result: "stored"}
}

// ingestError is the error body of the two routes, with the lines of an import.
type ingestError struct {
	Error struct {
		Code   string `json:"code"`
		Fields []struct {
			Path    string `json:"path"`
			Problem string `json:"problem"`
		} `json:"fields"`
		Lines []eventstore.LineError `json:"lines"`
	} `json:"error"`
}

func importRoute(t *testing.T, f *fixture, envs []map[string]any) ingestOutcome {
	t.Helper()
	w := f.do("POST", "/v1/import", "admin", ndjson(t, envs...), map[string]string{"Content-Type": "application/x-ndjson"})
	if w.Code == http.StatusOK {
		return ingestOutcome{Result: "stored"}
	}
	e := decode[ingestError](t, w)
	if e.Error.Code == "invalid_input" {
		return ingestOutcome{Result: "invalid", Problems: lineProblems(e.Error.Lines)}
	}
	return ingestOutcome{Result: e.Error.Code}
}

func postRoute(t *testing.T, f *fixture, envs []map[string]any) ingestOutcome {
	t.Helper()
	w := f.post("admin", envs)
	if w.Code == http.StatusCreated {
		return ingestOutcome{Result: "stored"}
	}
	e := decode[ingestError](t, w)
	if e.Error.Code != "invalid_input" {
		return ingestOutcome{Result: e.Error.Code}
	}
	out := ingestOutcome{Result: "invalid"}
	for _, fe := range e.Error.Fields {
		m := eventPath.FindStringSubmatch(fe.Path)
		if m == nil {
			t.Fatalf("field %q is not named by its event", fe.Path)
		}
		problem := eventPlace.ReplaceAllString(fe.Problem, "(#$1)")
		out.Problems = append(out.Problems, "#"+m[1]+" "+m[2]+": "+problem)
	}
	return out
}

// TestPostEventsStoresInRequestOrder: a request is stored in its own order, as an import stores a file, even
// when its streams interleave; each stream is answered once, at its last revision.
func TestPostEventsStoresInRequestOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	a1, b1 := org(1, "ord-a"), org(2, "ord-b")
	a2 := org(3, "ord-a")
	a2["occurred_at"] = "2024-02-01T00:00:00Z"
	w := f.mustPost("admin", []map[string]any{a1, b1, a2})
	r := decode[struct {
		Events []struct {
			Stream   string `json:"stream"`
			Position string `json:"position"`
		} `json:"events"`
		Streams []struct {
			Stream   string `json:"stream"`
			Revision uint64 `json:"revision"`
		} `json:"streams"`
	}](t, w)
	var positions []int
	for _, e := range r.Events {
		n, err := strconv.Atoi(e.Position)
		if err != nil {
			t.Fatalf("position %q: %v", e.Position, err)
		}
		positions = append(positions, n)
	}
	if !slices.IsSorted(positions) || len(positions) != 3 {
		t.Errorf("positions %v, want them in request order", positions)
	}
	streams := fmt.Sprint(r.Streams)
	if want := "[{org-ord-a 1} {org-ord-b 0}]"; streams != want {
		t.Errorf("streams %s, want %s", streams, want)
	}
}
